package io.virtualip.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIPStatus;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The facts whose changes are announced as events: compared before and after each evaluation so
 * that an event is recorded once per transition, not on every reconcile.
 */
public record StatusView(
    String master,
    String readyReason,
    boolean splitBrain,
    Set<String> agentDown,
    Set<String> interfaceMissing) {

  public static final StatusView NOTHING = new StatusView(null, null, false, Set.of(), Set.of());

  public static StatusView of(Aggregate a) {
    return new StatusView(
        a.master(),
        a.condition(Conditions.READY).map(Condition::getReason).orElse(null),
        a.splitBrain().isPresent(),
        a.agentDown(),
        a.interfaceMissing());
  }

  /** What the stored status says, for the first evaluation after the operator (re)starts. */
  public static StatusView stored(VirtualIPStatus status) {
    if (status == null) {
      return NOTHING;
    }
    List<NodeStatus> entries = status.nodes() == null ? List.of() : status.nodes();
    List<Condition> conditions = status.conditions() == null ? List.of() : status.conditions();
    Set<String> down = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (NodeStatus e : entries) {
      if (e.state() == NodeState.Unknown) {
        down.add(e.name());
      } else if (Reasons.interfaceMissing(e)) {
        missing.add(e.name());
      }
    }
    String ready =
        conditions.stream()
            .filter(c -> Conditions.READY.equals(c.getType()))
            .map(Condition::getReason)
            .findFirst()
            .orElse(null);
    boolean splitBrain =
        conditions.stream()
            .anyMatch(
                c ->
                    Conditions.SPLIT_BRAIN.equals(c.getType())
                        && Conditions.TRUE.equals(c.getStatus()));
    return new StatusView(status.master(), ready, splitBrain, down, missing);
  }
}
