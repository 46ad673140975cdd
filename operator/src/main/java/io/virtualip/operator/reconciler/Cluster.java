package io.virtualip.operator.reconciler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.operator.status.AgentLease;
import io.virtualip.operator.status.SplitBrainDetector;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the informers' caches hold at the start of one reconcile: every VirtualIP, the Nodes, the agent Leases and the
 * agent DaemonSets.
 */
record Cluster(List<VirtualIP> virtualIPs, List<Node> nodes, List<Lease> leases, List<DaemonSet> daemonSets) {

  /** Live (not being deleted) VirtualIPs. */
  List<VirtualIP> liveVirtualIPs() {
    return virtualIPs.stream().filter(v -> v.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /**
   * Nodes the VirtualIP's agents run on: labels match its nodeSelector (all nodes when it has none) and every
   * NoSchedule or NoExecute taint is tolerated. A node whose taint keeps the agent pod away (a control-plane node,
   * typically) would otherwise count as a node that never reports.
   */
  Set<String> selectedNodes(VirtualIP vip) {
    Map<String, String> selector = vip.getSpec() == null ? null : vip.getSpec().getNodeSelector();
    List<Toleration> tolerations = vip.getSpec() == null || vip.getSpec().getTolerations() == null ? List.of()
        : vip.getSpec().getTolerations();
    Set<String> selected = new TreeSet<>();
    for (Node node : nodes) {
      Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
      List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
          : node.getSpec().getTaints();
      if ((selector == null || labels.entrySet().containsAll(selector.entrySet()))
          && taints.stream().allMatch(t -> "PreferNoSchedule".equals(t.getEffect())
              || tolerations.stream().anyMatch(tol -> tolerates(tol, t)))) {
        selected.add(node.getMetadata().getName());
      }
    }
    return selected;
  }

  /** Kubernetes' toleration rule: an empty key with Exists tolerates everything; an empty effect any effect. */
  static boolean tolerates(Toleration toleration, Taint taint) {
    boolean effect = toleration.getEffect() == null || toleration.getEffect().isEmpty()
        || toleration.getEffect().equals(taint.getEffect());
    boolean exists = "Exists".equals(toleration.getOperator());
    if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
      return exists && effect;
    }
    return effect && toleration.getKey().equals(taint.getKey())
        && (exists || Objects.equals(Objects.requireNonNullElse(toleration.getValue(), ""),
            Objects.requireNonNullElse(taint.getValue(), "")));
  }

  /** Agent heartbeats by node (holderIdentity), with the configured duration where a Lease does not say. */
  Map<String, AgentLease> agentLeases(Duration defaultDuration) {
    Map<String, AgentLease> byNode = new HashMap<>();
    for (Lease lease : leases) {
      var spec = lease.getSpec();
      if (spec == null || spec.getHolderIdentity() == null) {
        continue;
      }
      ZonedDateTime renewed = spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
      if (renewed == null) {
        continue;
      }
      byNode.put(spec.getHolderIdentity(), new AgentLease(spec.getHolderIdentity(), renewed.toInstant(),
          spec.getLeaseDurationSeconds() != null ? Duration.ofSeconds(spec.getLeaseDurationSeconds())
              : defaultDuration));
    }
    return byNode;
  }

  static Instant created(VirtualIP vip) {
    String ts = vip.getMetadata().getCreationTimestamp();
    return ts == null ? Instant.MAX : SplitBrainDetector.parse(ts).orElse(Instant.MAX);
  }
}
