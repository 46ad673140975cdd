package io.virtualip.operator.events;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.operator.status.Reasons;
import io.virtualip.operator.status.StatusView;
import io.virtualip.operator.vrid.VridDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Turns one evaluation's transitions into events: pure, so each rule has a plain unit test. */
public final class EventPlanner {
  private EventPlanner() {}

  public static List<PlannedEvent> plan(
      StatusView before, Aggregate after, VridDecision vrid, List<NodeStatus> entries) {
    StatusView now = StatusView.of(after);
    List<PlannedEvent> events = new ArrayList<>();
    String readyMessage = after.condition(Conditions.READY).map(Condition::getMessage).orElse("");

    switch (vrid.outcome()) {
      case ALLOCATED ->
          events.add(
              PlannedEvent.normal(
                  Reasons.VRID_ALLOCATED, "Allocated virtualRouterId " + vrid.vrid() + "."));
      case MOVED ->
          events.add(
              PlannedEvent.warning(
                  Reasons.VRID_CONFLICT,
                  "virtualRouterId "
                      + vrid.contested()
                      + " is now used by VirtualIP "
                      + vrid.other()
                      + " on the same nodes; moved to "
                      + vrid.vrid()
                      + "."));
      default -> {}
    }
    if (!Objects.equals(before.readyReason(), now.readyReason())
        && (Reasons.VRID_CONFLICT.equals(now.readyReason())
            || Reasons.INVALID_SPEC.equals(now.readyReason())
            || Reasons.NO_FREE_VRID.equals(now.readyReason()))) {
      events.add(PlannedEvent.warning(now.readyReason(), readyMessage));
    }

    if (!before.splitBrain() && now.splitBrain()) {
      events.add(
          PlannedEvent.warning(
              Reasons.SPLIT_BRAIN,
              after.condition(Conditions.SPLIT_BRAIN).map(Condition::getMessage).orElse("")));
    } else if (before.splitBrain() && !now.splitBrain()) {
      events.add(
          PlannedEvent.normal(
              Reasons.SPLIT_BRAIN_RESOLVED,
              now.master() != null
                  ? "Only " + now.master() + " claims Master now" + stepDownNote(after) + "."
                  : "No node claims Master any more."));
    }

    if (now.master() != null && before.master() == null) {
      events.add(PlannedEvent.normal(Reasons.MASTER_ELECTED, readyMessageOr(now, readyMessage)));
    } else if (now.master() != null && !now.master().equals(before.master())) {
      events.add(
          PlannedEvent.normal(
              Reasons.MASTER_CHANGED,
              "Master moved from " + before.master() + " to " + now.master() + "."));
    } else if (now.master() == null
        && !now.splitBrain()
        && (before.master() != null || before.splitBrain())) {
      events.add(
          PlannedEvent.warning(
              Reasons.NO_MASTER,
              "No node with a live agent claims Master"
                  + (before.master() != null ? " since " + before.master() + " left." : ".")));
    }

    for (String node : now.agentDown()) {
      if (!before.agentDown().contains(node)) {
        events.add(
            PlannedEvent.warning(
                Reasons.AGENT_DOWN,
                "The agent on "
                    + node
                    + " stopped renewing its Lease; its last report"
                    + lastState(entries, node)
                    + " is shown as Unknown."));
      }
    }
    for (String node : now.interfaceMissing()) {
      if (!before.interfaceMissing().contains(node)) {
        events.add(
            PlannedEvent.warning(Reasons.INTERFACE_MISSING, node + ": " + reason(entries, node)));
      }
    }
    return events;
  }

  private static String readyMessageOr(StatusView now, String readyMessage) {
    return readyMessage.startsWith(now.master()) ? readyMessage : now.master() + " is master.";
  }

  private static String stepDownNote(Aggregate after) {
    return after.stepDown().isEmpty()
        ? ""
        : " ("
            + String.join(", ", after.stepDown())
            + " stay Backup while listed in status.stepDown)";
  }

  private static String lastState(List<NodeStatus> entries, String node) {
    return entries.stream()
        .filter(e -> node.equals(e.name()) && e.state() != null)
        .findFirst()
        .map(e -> " (" + e.state() + ")")
        .orElse("");
  }

  private static String reason(List<NodeStatus> entries, String node) {
    return entries.stream()
        .filter(e -> node.equals(e.name()))
        .map(NodeStatus::reason)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse("interface missing");
  }
}
