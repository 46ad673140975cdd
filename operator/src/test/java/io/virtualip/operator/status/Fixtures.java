package io.virtualip.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.PeerStatus;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.operator.vrid.VridDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builders for node entries, Leases and facts in the status tests. */
public final class Fixtures {
  public static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  public static final Duration LEASE = Duration.ofSeconds(4);

  private Fixtures() {}

  public static NodeStatus entry(String name, NodeState state, String address, int priority) {
    return NodeStatus.builder()
        .name(name)
        .state(state)
        .address(address)
        .priority(priority)
        .effectivePriority(priority)
        .updated(NOW.minusSeconds(1).toString())
        .build();
  }

  /** The entry as last written (renewed) by its agent at {@code t}; null for no stamp. */
  public static NodeStatus renewedAt(NodeStatus e, Instant t) {
    return e.toBuilder().updated(t == null ? null : t.toString()).build();
  }

  public static NodeStatus hears(NodeStatus e, String peerAddress, Instant lastHeard) {
    return e.toBuilder()
        .peers(List.of(new PeerStatus(peerAddress, 100, lastHeard.toString())))
        .build();
  }

  public static NodeStatus rejects(NodeStatus e, Map<String, Long> counters) {
    return e.toBuilder().rejected(counters).build();
  }

  public static AgentLease live(String node) {
    return new AgentLease(node, NOW.minusSeconds(1), LEASE);
  }

  /**
   * The node's agent last renewed its Lease at {@code t}: what keeps its Master claim confirmed.
   */
  public static AgentLease renewed(String node, Instant t) {
    return new AgentLease(node, t, LEASE);
  }

  public static AgentLease expired(String node) {
    return new AgentLease(node, NOW.minusSeconds(10), LEASE);
  }

  /**
   * Mutable builder of {@link Facts} with sensible defaults: three selected nodes, VRID 7, Report.
   */
  public static final class FactsBuilder {
    List<String> violations = List.of();
    VridDecision vrid = new VridDecision(7, VridDecision.Outcome.KEPT, null, null);
    Set<String> selected = Set.of("n1", "n2", "n3");
    List<NodeStatus> entries = List.of();
    Map<String, AgentLease> leases = new HashMap<>();
    SplitBrainPolicy policy = SplitBrainPolicy.Report;
    Mode mode = Mode.Multicast;
    List<Condition> previousConditions = null;
    List<String> previousStepDown = null;
    Map<String, Map<String, Long>> previousRejected = Map.of();
    Instant now = NOW;
    String previousMaster = null;

    /**
     * Two masters in the table rows have been masters together for long: a split brain, not a
     * handover.
     */
    Instant multiMasterSince = NOW.minusSeconds(5);

    public FactsBuilder handover(String previousMaster, Instant since) {
      this.previousMaster = previousMaster;
      this.multiMasterSince = since;
      return this;
    }

    public FactsBuilder entries(NodeStatus... e) {
      entries = List.of(e);
      return this;
    }

    public FactsBuilder leases(AgentLease... l) {
      for (AgentLease lease : l) {
        leases.put(lease.node(), lease);
      }
      return this;
    }

    public FactsBuilder policy(SplitBrainPolicy p) {
      policy = p;
      return this;
    }

    public FactsBuilder mode(Mode m) {
      mode = m;
      return this;
    }

    public FactsBuilder selected(String... nodes) {
      selected = Set.of(nodes);
      return this;
    }

    public FactsBuilder vrid(VridDecision d) {
      vrid = d;
      return this;
    }

    public FactsBuilder violations(String... v) {
      violations = List.of(v);
      return this;
    }

    public FactsBuilder previous(List<Condition> conditions, List<String> stepDown) {
      previousConditions = conditions;
      previousStepDown = stepDown;
      return this;
    }

    public FactsBuilder previousRejected(Map<String, Map<String, Long>> r) {
      previousRejected = r;
      return this;
    }

    public FactsBuilder at(Instant t) {
      now = t;
      return this;
    }

    public Facts build() {
      return new Facts(
          3,
          List.of("192.0.2.10/24"),
          violations,
          vrid,
          selected,
          entries,
          leases,
          now,
          policy,
          Duration.ofSeconds(1),
          mode,
          previousConditions,
          previousStepDown,
          previousRejected,
          previousMaster,
          multiMasterSince);
    }
  }

  public static FactsBuilder facts() {
    return new FactsBuilder();
  }
}
