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
public record Facts(long generation, List<String> addresses, List<String> violations, VridDecision vrid,
    Set<String> selectedNodes, List<NodeStatus> entries, Map<String, AgentLease> leases, Instant now,
    SplitBrainPolicy policy, Duration interval, Mode mode, List<Condition> previousConditions,
    List<String> previousStepDown, Map<String, Map<String, Long>> previousRejected, String previousMaster,
    Instant multiMasterSince) {

  public boolean live(NodeStatus entry) {
    AgentLease lease = leases.get(entry.getName());
    return lease != null && lease.liveAt(now);
  }

  /**
   * Whether the entry is a Master claim that counts: its agent's Lease is live and the entry itself was renewed
   * within {@link StatusAggregator#CLAIM_RENEWAL_TIMEOUT}. An entry without an {@code updated} stamp proves no
   * renewal and does not count.
   */
  public boolean claimsMaster(NodeStatus entry) {
    return live(entry) && entry.getState() == NodeState.Master
        && claimExpiry(entry).map(now::isBefore).orElse(false);
  }

  /** A live agent's entry that still says Master although the agent stopped renewing it. */
  public boolean staleClaim(NodeStatus entry) {
    return live(entry) && entry.getState() == NodeState.Master && !claimsMaster(entry);
  }

  /** When the entry stops counting as a Master claim unless renewed: {@code updated} + the renewal timeout. */
  public Optional<Instant> claimExpiry(NodeStatus entry) {
    return Optional.ofNullable(entry.getUpdated())
        .flatMap(SplitBrainDetector::parse)
        .map(t -> t.plus(StatusAggregator.CLAIM_RENEWAL_TIMEOUT));
  }
}
