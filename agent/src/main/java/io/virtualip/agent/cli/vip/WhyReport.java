package io.virtualip.agent.cli.vip;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.PeerStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.api.v1.contract.FaultReason;
import io.virtualip.api.v1.contract.RejectReason;
import io.virtualip.api.v1.contract.SpecDefaults;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code kubectl vip why NAME}: one VirtualIP explained from its status alone. The nodes' own
 * entries (state, priorities, since when), who hears whom from {@code status.nodes[].peers}, the
 * rejection counters with the contract's words for each code, the operator's conditions, the
 * diagnosis (the messages of the conditions that are not healthy, as the operator wrote them) and
 * what to fix (per node, from the reason codes).
 *
 * <p>Pure: the VirtualIP and the instant to measure ages against come in, text goes out.
 */
public final class WhyReport {

  /** Where the agents run, for the command that shows a silent agent's pod. */
  static final String AGENT_NAMESPACE = "virtualip-system";

  private WhyReport() {}

  public static String render(VirtualIP vip, Instant now) {
    StringBuilder out = new StringBuilder();
    VirtualIPStatus status = vip.getStatus() == null ? VirtualIPStatus.EMPTY : vip.getStatus();
    List<NodeStatus> nodes = status.nodes() == null ? List.of() : status.nodes();
    out.append(header(vip, status)).append("\n\n");

    out.append("Nodes:\n");
    if (nodes.isEmpty()) {
      out.append("  (no agent has reported)\n");
    } else {
      out.append(indent(nodeTable(nodes, now)));
    }

    out.append(
        "\nWho hears whom (age of the last advert the row's node heard from the column's node, as of the "
            + "row's last update; - not heard):\n");
    if (nodes.isEmpty()) {
      out.append("  (no agent has reported)\n");
    } else {
      Matrix matrix = Matrix.of(nodes);
      out.append(indent(matrix.render(now)));
      for (String gap : matrix.oneWay()) {
        out.append("  ").append(gap).append('\n');
      }
    }

    out.append("\nRejected adverts:\n");
    List<List<String>> rejected = rejectedRows(nodes);
    out.append(rejected.size() == 1 ? "  (none)\n" : indent(Text.table(rejected)));

    List<Condition> conditions = status.conditions() == null ? List.of() : status.conditions();
    out.append("\nConditions:\n");
    if (conditions.isEmpty()) {
      out.append("  (none)\n");
    } else {
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("TYPE", "STATUS", "REASON", "AGE", "MESSAGE"));
      for (Condition c : conditions) {
        rows.add(
            List.of(
                Text.orDash(c.getType()),
                Text.orDash(c.getStatus()),
                Text.orDash(c.getReason()),
                Text.age(c.getLastTransitionTime(), now),
                Text.orDash(c.getMessage())));
      }
      out.append(indent(Text.table(rows)));
    }

    out.append("\nDiagnosis:\n");
    for (String line : diagnosis(vip, status, conditions)) {
      out.append("  ").append(line).append('\n');
    }
    out.append("\nFix:\n");
    for (String line : fixes(status, nodes)) {
      out.append("  - ").append(line).append('\n');
    }
    return out.toString();
  }

  private static String header(VirtualIP vip, VirtualIPStatus status) {
    StringBuilder h = new StringBuilder("VirtualIP ").append(vip.getMetadata().getName());
    if (vip.getSpec() != null) {
      h.append(": ")
          .append(
              vip.getSpec().addresses() == null
                  ? "-"
                  : String.join(", ", vip.getSpec().addresses()));
      h.append(", VRRPv")
          .append(SpecDefaults.version(vip.getSpec()))
          .append(' ')
          .append(SpecDefaults.mode(vip.getSpec()));
    }
    h.append(", VRID ").append(Text.orDash(status.virtualRouterId()));
    h.append(", master ").append(Text.orDash(status.master()));
    if (status.stepDown() != null && !status.stepDown().isEmpty()) {
      h.append(", told to step down: ").append(String.join(", ", status.stepDown()));
    }
    return h.toString();
  }

  private static String nodeTable(List<NodeStatus> nodes, Instant now) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "NODE",
            "STATE",
            "PRIORITY",
            "EFFECTIVE",
            "ADDRESS",
            "HEARS MASTER",
            "SINCE",
            "UPDATED",
            "REASON"));
    Map<String, String> names = namesByAddress(nodes);
    for (NodeStatus n : nodes) {
      String heardMaster =
          n.masterAddress() == null
              ? "-"
              : names.getOrDefault(n.masterAddress(), n.masterAddress());
      String reason = Text.orDash(n.reason());
      if (n.reasonCode() != null) {
        reason = reason + " [" + n.reasonCode() + "]";
      }
      rows.add(
          List.of(
              n.name(),
              Text.orDash(n.state()),
              Text.orDash(n.priority()),
              Text.orDash(n.effectivePriority()),
              Text.orDash(n.address()),
              heardMaster,
              Text.age(n.since(), now),
              Text.age(n.updated(), now),
              reason));
    }
    return Text.table(rows);
  }

  private static List<List<String>> rejectedRows(List<NodeStatus> nodes) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NODE", "REASON", "COUNT", "MEANING"));
    for (NodeStatus n : nodes) {
      if (n.rejected() == null) {
        continue;
      }
      n.rejected().entrySet().stream()
          .filter(e -> e.getValue() != null && e.getValue() > 0)
          .sorted(
              Map.Entry.<String, Long>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .forEach(
              e ->
                  rows.add(
                      List.of(n.name(), e.getKey(), e.getValue().toString(), meaning(e.getKey()))));
    }
    return rows;
  }

  private static String meaning(String code) {
    return RejectReason.fromCode(code)
        .map(RejectReason::meaning)
        .orElse("a code this plugin does not know (a newer agent)");
  }

  /**
   * The operator's own explanation: the messages of the conditions that are not healthy. Healthy
   * means Ready True, SplitBrain False and Degraded False; anything else (including Unknown) is
   * shown.
   */
  static List<String> diagnosis(VirtualIP vip, VirtualIPStatus status, List<Condition> conditions) {
    List<String> lines = new ArrayList<>();
    Long generation = vip.getMetadata().getGeneration();
    if (conditions.isEmpty()) {
      lines.add(
          "No conditions: the operator has not reconciled this VirtualIP yet (is it running?).");
      return lines;
    }
    if (generation != null
        && status.observedGeneration() != null
        && status.observedGeneration() < generation) {
      lines.add(
          "The operator last acted on generation "
              + status.observedGeneration()
              + "; the spec is at "
              + generation
              + ": what follows may be out of date.");
    }
    Optional<Condition> ready = condition(conditions, Conditions.READY);
    for (Condition c : conditions) {
      boolean healthy =
          switch (Objects.toString(c.getType(), "")) {
            case Conditions.READY -> Conditions.TRUE.equals(c.getStatus());
            case Conditions.SPLIT_BRAIN, Conditions.DEGRADED ->
                Conditions.FALSE.equals(c.getStatus());
            default -> true;
          };
      if (!healthy) {
        lines.add(
            c.getType()
                + "="
                + c.getStatus()
                + " ("
                + Text.orDash(c.getReason())
                + "): "
                + Text.orDash(c.getMessage()));
      }
    }
    if (lines.isEmpty()
        || lines.size() == 1 && lines.get(0).startsWith("The operator last acted")) {
      lines.add("Healthy: " + ready.map(Condition::getMessage).orElse("no problem reported."));
    }
    return lines;
  }

  /**
   * What to do, node by node, from the codes the agents wrote; never the operator's reasoning
   * again.
   */
  static List<String> fixes(VirtualIPStatus status, List<NodeStatus> nodes) {
    List<String> fixes = new ArrayList<>();
    for (NodeStatus n : nodes) {
      if (n.state() == NodeState.Unknown) {
        fixes.add(
            n.name()
                + ": its agent's Lease has expired, so its entry is only its last report; check"
                + " the agent there: kubectl -n "
                + AGENT_NAMESPACE
                + " get pods -o wide --field-selector"
                + " spec.nodeName="
                + n.name());
      } else if (n.state() == NodeState.Fault) {
        String code =
            FaultReason.fromCode(n.reasonCode())
                .map(FaultReason::code)
                .orElse(Text.orDash(n.reasonCode()));
        fixes.add(n.name() + " is in Fault [" + code + "]: " + Text.orDash(n.reason()));
      }
      if (n.rejected() != null) {
        n.rejected().entrySet().stream()
            .filter(e -> e.getValue() != null && e.getValue() > 0)
            .sorted(Map.Entry.comparingByKey())
            .forEach(
                e ->
                    RejectReason.fromCode(e.getKey())
                        .filter(RejectReason::disagreement)
                        .ifPresent(
                            r ->
                                fixes.add(
                                    n.name()
                                        + " rejects adverts ("
                                        + e.getValue()
                                        + "): "
                                        + r.meaning()
                                        + " ["
                                        + r.code()
                                        + "]; make the VirtualIP's settings agree on"
                                        + " every node")));
      }
    }
    if (status.stepDown() != null && !status.stepDown().isEmpty()) {
      fixes.add(
          "the operator told "
              + String.join(", ", status.stepDown())
              + " to step down (splitBrainPolicy"
              + " Resolve); they leave Master while listed");
    }
    if (fixes.isEmpty()) {
      boolean splitBrain =
          status.conditions() != null
              && condition(status.conditions(), Conditions.SPLIT_BRAIN)
                  .map(c -> Conditions.TRUE.equals(c.getStatus()))
                  .orElse(false);
      fixes.add(
          splitBrain
              ? "the SplitBrain diagnosis above says what to change (no node reports a code to act on)"
              : "nothing to fix");
    }
    return fixes;
  }

  private static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static Map<String, String> namesByAddress(List<NodeStatus> nodes) {
    Map<String, String> names = new LinkedHashMap<>();
    for (NodeStatus n : nodes) {
      if (n.address() != null) {
        names.putIfAbsent(n.address(), n.name());
      }
    }
    return names;
  }

  private static String indent(String text) {
    return text.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }

  /**
   * Rows: the reporting nodes; columns: the nodes, then addresses heard that no node reports as its
   * own.
   */
  record Matrix(List<NodeStatus> rows, List<String> columns, Map<String, String> namesByAddress) {

    static Matrix of(List<NodeStatus> nodes) {
      Map<String, String> names = WhyReport.namesByAddress(nodes);
      List<String> columns = new ArrayList<>(nodes.stream().map(NodeStatus::name).toList());
      nodes.stream()
          .flatMap(n -> n.peers() == null ? java.util.stream.Stream.empty() : n.peers().stream())
          .map(PeerStatus::address)
          .filter(Objects::nonNull)
          .filter(a -> !names.containsKey(a))
          .distinct()
          .sorted(Comparator.naturalOrder())
          .forEach(columns::add);
      return new Matrix(nodes, columns, names);
    }

    /** The peer entry in {@code row} for the node or address of {@code column}. */
    Optional<PeerStatus> heard(NodeStatus row, String column) {
      if (row.peers() == null) {
        return Optional.empty();
      }
      return row.peers().stream()
          .filter(p -> p.address() != null)
          .filter(p -> column.equals(namesByAddress.getOrDefault(p.address(), p.address())))
          .findFirst();
    }

    String render(Instant now) {
      List<List<String>> table = new ArrayList<>();
      List<String> head = new ArrayList<>();
      head.add("HEARS \\ FROM");
      head.addAll(columns);
      table.add(head);
      for (NodeStatus row : rows) {
        Instant asOf = Text.time(row.updated()).orElse(now);
        List<String> cells = new ArrayList<>();
        cells.add(row.name());
        for (String column : columns) {
          if (column.equals(row.name())) {
            cells.add("self");
          } else {
            cells.add(heard(row, column).map(p -> Text.age(p.lastHeard(), asOf)).orElse("-"));
          }
        }
        table.add(cells);
      }
      return Text.table(table);
    }

    /**
     * Pairs of masters where one hears the other but not the reverse. Only masters advertise (RFC
     * 5798 section 6.4.3), so a backup that nobody hears is normal; two masters that both send and
     * one of them is not heard is a loss in one direction.
     */
    List<String> oneWay() {
      List<String> gaps = new ArrayList<>();
      for (NodeStatus a : rows) {
        for (NodeStatus b : rows) {
          if (a == b || a.state() != NodeState.Master || b.state() != NodeState.Master) {
            continue;
          }
          if (heard(a, b.name()).isPresent() && heard(b, a.name()).isEmpty()) {
            gaps.add(
                "One-way: "
                    + a.name()
                    + " hears "
                    + b.name()
                    + ", but "
                    + b.name()
                    + " does not hear "
                    + a.name()
                    + " (adverts from "
                    + a.name()
                    + " do not reach "
                    + b.name()
                    + ").");
          }
        }
      }
      return gaps;
    }
  }
}
