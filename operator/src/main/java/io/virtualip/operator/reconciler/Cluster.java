package io.virtualip.operator.reconciler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.placement.NodeSelection;
import io.virtualip.operator.status.AgentLease;
import io.virtualip.operator.status.SplitBrainDetector;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the informers' caches hold at the start of one reconcile: every VirtualIP, the Nodes, the
 * agent Leases and the agent DaemonSets.
 *
 * @param selections nodes selected per (nodeSelector, tolerations), filled as asked: the VRID
 *     allocation asks for every VirtualIP's nodes in each reconcile, and VirtualIPs share a few
 *     placements (at 1,000 VirtualIPs on 100 nodes that was 100,000 node matches per reconcile,
 *     under the allocation's lock)
 */
record Cluster(
    List<VirtualIP> virtualIPs,
    List<Node> nodes,
    List<Lease> leases,
    List<DaemonSet> daemonSets,
    Map<List<Object>, Set<String>> selections) {

  Cluster(
      List<VirtualIP> virtualIPs,
      List<Node> nodes,
      List<Lease> leases,
      List<DaemonSet> daemonSets) {
    this(virtualIPs, nodes, leases, daemonSets, new HashMap<>());
  }

  /** Live (not being deleted) VirtualIPs. */
  List<VirtualIP> liveVirtualIPs() {
    return virtualIPs.stream().filter(v -> v.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /**
   * Nodes the VirtualIP's agents run on, decided exactly as the agents decide it ({@link
   * NodeSelection}): labels match its nodeSelector and every hard taint is tolerated, except the
   * node.kubernetes.io/* taints that the DaemonSet controller tolerates for every daemon pod (a
   * NotReady node keeps running its agent, so it stays selected).
   */
  Set<String> selectedNodes(VirtualIP vip) {
    if (vip.getSpec() == null) {
      return Set.of();
    }
    List<Object> key = Arrays.asList(vip.getSpec().nodeSelector(), vip.getSpec().tolerations());
    Set<String> known = selections.get(key);
    if (known != null) {
      return known;
    }
    Set<String> selected = new TreeSet<>();
    for (Node node : nodes) {
      if (NodeSelection.selects(vip, node)) {
        selected.add(node.getMetadata().getName());
      }
    }
    Set<String> result = Collections.unmodifiableSet(selected);
    selections.put(key, result);
    return result;
  }

  /**
   * Agent heartbeats by node (holderIdentity), with the configured duration where a Lease does not
   * say.
   */
  Map<String, AgentLease> agentLeases(Duration defaultDuration) {
    Map<String, AgentLease> byNode = new HashMap<>();
    for (Lease lease : leases) {
      var spec = lease.getSpec();
      if (spec == null || spec.getHolderIdentity() == null) {
        continue;
      }
      ZonedDateTime renewed =
          spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
      if (renewed == null) {
        continue;
      }
      byNode.put(
          spec.getHolderIdentity(),
          new AgentLease(
              spec.getHolderIdentity(),
              renewed.toInstant(),
              spec.getLeaseDurationSeconds() != null
                  ? Duration.ofSeconds(spec.getLeaseDurationSeconds())
                  : defaultDuration));
    }
    return byNode;
  }

  static Instant created(VirtualIP vip) {
    String ts = vip.getMetadata().getCreationTimestamp();
    return ts == null ? Instant.MAX : SplitBrainDetector.parse(ts).orElse(Instant.MAX);
  }
}
