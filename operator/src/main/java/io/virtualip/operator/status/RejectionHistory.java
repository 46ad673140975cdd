package io.virtualip.operator.status;

import io.virtualip.api.v1.NodeStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rejected counters of each node's previous report, for one VirtualIP. "Growing" is judged
 * between an agent's consecutive reports (told apart by their {@code updated} stamp), not between
 * reconciles: the operator reconciles more often than an agent reports, and comparing a report with
 * itself would show nothing growing.
 */
public final class RejectionHistory {
  private record Seen(String updated, Map<String, Long> current, Map<String, Long> before) {}

  private final Map<String, Seen> byNode = new HashMap<>();

  /**
   * For each node, the counters of the report before the one in {@code entries} (absent when
   * unknown).
   */
  public synchronized Map<String, Map<String, Long>> baseline(List<NodeStatus> entries) {
    Map<String, Map<String, Long>> baseline = new HashMap<>();
    for (NodeStatus e : entries) {
      Seen seen = byNode.get(e.name());
      if (seen == null) {
        continue;
      }
      Map<String, Long> before =
          Objects.equals(seen.updated(), e.updated()) ? seen.before() : seen.current();
      if (before != null) {
        baseline.put(e.name(), before);
      }
    }
    return baseline;
  }

  public synchronized void record(List<NodeStatus> entries) {
    for (NodeStatus e : entries) {
      Map<String, Long> counters = e.rejected() == null ? Map.of() : Map.copyOf(e.rejected());
      Seen seen = byNode.get(e.name());
      if (seen == null) {
        byNode.put(e.name(), new Seen(e.updated(), counters, null));
      } else if (!Objects.equals(seen.updated(), e.updated())) {
        byNode.put(e.name(), new Seen(e.updated(), counters, seen.current()));
      }
    }
  }
}
