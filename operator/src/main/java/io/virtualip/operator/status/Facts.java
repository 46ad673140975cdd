package io.virtualip.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.operator.vrid.VridDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the status of one VirtualIP is derived from, gathered by the reconciler.
 *
 * @param generation metadata.generation
 * @param addresses spec.addresses, for messages
 * @param violations why the spec breaks the CRD's rules (empty when valid)
 * @param vrid the allocator's decision
 * @param selectedNodes the nodes matching spec.nodeSelector
 * @param entries status.nodes as the agents wrote them
 * @param leases agent Leases by node name
 * @param now the time of this evaluation
 * @param policy spec.splitBrainPolicy
 * @param interval spec.advertisementInterval
 * @param mode spec.mode
 * @param previousConditions status.conditions as stored (keeps lastTransitionTime)
 * @param previousStepDown status.stepDown as stored
 * @param previousRejected each node's rejected counters in its previous report
 * @param previousMaster status.master as stored
 * @param multiMasterSince when the operator first saw the current two or more live masters, or null
 */
public record Facts(
    long generation,
    List<String> addresses,
    List<String> violations,
    VridDecision vrid,
    Set<String> selectedNodes,
    List<NodeStatus> entries,
    Map<String, AgentLease> leases,
    Instant now,
    SplitBrainPolicy policy,
    Duration interval,
    Mode mode,
    List<Condition> previousConditions,
    List<String> previousStepDown,
    Map<String, Map<String, Long>> previousRejected,
    String previousMaster,
    Instant multiMasterSince) {

  public boolean live(NodeStatus entry) {
    AgentLease lease = leases.get(entry.name());
    return lease != null && lease.liveAt(now);
  }

  /**
   * Whether the entry is a confirmed Master claim: the entry says Master and its agent renewed its
   * Lease within {@link StatusAggregator#CLAIM_RENEWAL_TIMEOUT}. The agent writes its entry only
   * when something in it changes, so the one Lease per node, renewed every second, is what keeps
   * all its claims alive.
   */
  public boolean claimsMaster(NodeStatus entry) {
    AgentLease lease = leases.get(entry.name());
    return entry.state() == NodeState.Master
        && lease != null
        && now.isBefore(lease.renewTime().plus(StatusAggregator.CLAIM_RENEWAL_TIMEOUT));
  }

  /**
   * A Master entry whose agent has gone silent (its Lease not renewed within the renewal timeout)
   * but might still hold the address: a crashed master's node keeps the address until a backup
   * takes over, after Master_Down_Interval. Such a claim still names the master ("unconfirmed")
   * while no other node claims and until {@link #unconfirmedUntil}.
   */
  public boolean silentClaim(NodeStatus entry) {
    return entry.state() == NodeState.Master
        && leases.containsKey(entry.name())
        && !claimsMaster(entry);
  }

  /**
   * Until when a silent master's claim can still count: its last Lease renewal, plus the renewal
   * period (it may have died just before the next one), plus Master_Down_Interval of the best live
   * backup (RFC 5798 section 6.1: 3 x interval + skew, skew = (256 - priority) x interval / 256;
   * the longest, for priority 1, when no backup reports), plus the handover grace for the new
   * master's status write to arrive. Past it no backup took over and nobody is master.
   */
  public Optional<Instant> unconfirmedUntil(NodeStatus entry) {
    AgentLease lease = leases.get(entry.name());
    if (lease == null) {
      return Optional.empty();
    }
    int backupPriority =
        entries.stream()
            .filter(e -> !e.name().equals(entry.name()) && live(e) && e.state() == NodeState.Backup)
            .mapToInt(
                e ->
                    e.effectivePriority() != null
                        ? e.effectivePriority()
                        : e.priority() != null ? e.priority() : 1)
            .max()
            .orElse(1);
    Duration masterDown =
        interval
            .multipliedBy(3)
            .plus(
                interval
                    .multipliedBy(256 - Math.max(1, Math.min(255, backupPriority)))
                    .dividedBy(256));
    return Optional.of(
        lease
            .renewTime()
            .plus(StatusAggregator.LEASE_RENEW_INTERVAL)
            .plus(masterDown)
            .plus(StatusAggregator.HANDOVER_GRACE));
  }

  /** How long ago the node's agent last renewed its Lease, or null without a Lease. */
  public Duration silentFor(String node) {
    AgentLease lease = leases.get(node);
    return lease == null ? null : Duration.between(lease.renewTime(), now);
  }
}
