package io.virtualip.agent.runtime;

import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.contract.FaultReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One VRRP instance as this node sees it: what goes into this node's {@code status.nodes} entry.
 *
 * @param state Init, Backup, Master or Fault ({@link NodeState#Unknown} is the operator's)
 * @param priority configured priority
 * @param effectivePriority priority after track weights, the one advertised
 * @param masterAddress the master this node hears (its own address when master), or null
 * @param ownAddress this node's address on the segment, the source of its advertisements
 * @param since when the instance entered {@code state}
 * @param reason why it entered {@code state}, in words
 * @param advertsSent advertisements sent
 * @param advertsReceived advertisements accepted
 * @param rejected rejected advertisements by {@link io.virtualip.api.v1.contract.RejectReason} code
 *     (the core's verdict names, e.g. AUTH_MISMATCH)
 * @param peers peers heard
 * @param fault in state Fault, why, as the code the operator reads; null otherwise
 */
public record InstanceSnapshot(
    NodeState state,
    int priority,
    int effectivePriority,
    String masterAddress,
    String ownAddress,
    Instant since,
    String reason,
    long advertsSent,
    long advertsReceived,
    Map<String, Long> rejected,
    List<Peer> peers,
    FaultReason fault) {

  public InstanceSnapshot {
    rejected = Map.copyOf(rejected);
    peers = List.copyOf(peers);
  }

  /** A peer with the priority of its last accepted advertisement and when that arrived. */
  public record Peer(String address, int priority, Instant lastHeard) {}
}
