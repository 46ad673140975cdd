package io.virtualip.operator.it;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plays one node's agent the way the contract (operator/CONTRACT.md) says a real one does: a Lease
 * renewed as a heartbeat, and only its own entry in status.nodes, written by server-side apply;
 * while Master, the entry is rewritten on each {@link #renewClaim()} as the node's renewed claim.
 * It writes with the chart's agent ServiceAccount token, so the agent's RBAC is exercised too.
 */
final class SimulatedAgent {
  private final KubernetesClient client;
  final String node;

  /** The node's address on the VRRP segment. */
  final String address;

  /**
   * The VirtualIP and entry this node last reported as Master, or null: what {@link #renewClaim()}
   * rewrites.
   */
  private String claimVip;

  private NodeStatus claim;

  /**
   * A validator verdict whose counter each claim renewal increases, as a peer's rejected adverts
   * keep arriving.
   */
  private String rejecting;

  SimulatedAgent(KubernetesClient client, String node, String address) {
    this.client = client;
    this.node = node;
    this.address = address;
  }

  /** Creates or renews the agent's Lease with the given renew time. */
  void renewLease(Instant renewTime) {
    String name = "virtualip-agent-" + node;
    var leases = client.leases().inNamespace(RealApiServer.NAMESPACE);
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(RealApiServer.NAMESPACE)
            .withLabels(
                Map.of("app.kubernetes.io/name", "virtualip-agent", "virtualip.io/node", node))
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(node)
            .withLeaseDurationSeconds(4)
            .withAcquireTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
            .withRenewTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
            .endSpec()
            .build();
    Lease current = leases.withName(name).get();
    if (current == null) {
      leases.resource(lease).create();
    } else {
      // The agent's RBAC has update, not patch: a PUT guarded by the version just read (only this
      // agent writes it).
      lease.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      leases.resource(lease).update();
    }
  }

  void renewLease() {
    renewLease(Instant.now());
  }

  /**
   * Rewrites the last Master entry with a new {@code updated} stamp, as a real master's agent does
   * every second.
   */
  synchronized void renewClaim() {
    if (claim != null) {
      if (rejecting != null) {
        Map<String, Long> counters =
            new TreeMap<>(claim.rejected() == null ? Map.of() : claim.rejected());
        counters.merge(rejecting, 1L, Long::sum);
        claim = claim.toBuilder().rejected(counters).build();
      }
      report(claimVip, claim);
    }
  }

  /** From now on each claim renewal counts one more advert rejected for {@code verdict}. */
  synchronized void keepRejecting(String verdict) {
    rejecting = verdict;
  }

  /**
   * Writes this node's entry as the real agent does on a server that knows apply: a server-side
   * apply of a status holding only this entry, field manager {@code virtualip-agent-<node>}; the
   * server merges it into status.nodes by name. Synchronized so that a claim renewal never lands
   * after a newer report.
   */
  synchronized void report(String vip, NodeStatus reported) {
    NodeStatus entry =
        reported.toBuilder().name(node).address(address).updated(Instant.now().toString()).build();
    boolean master = entry.state() == NodeState.Master;
    claimVip = master ? vip : null;
    claim = master ? entry : null;
    VirtualIP body = new VirtualIP();
    body.getMetadata().setName(vip);
    VirtualIPStatus status = VirtualIPStatus.EMPTY.withNodes(List.of(entry));
    body.setStatus(status);
    PatchContext apply = PatchContext.of(PatchType.SERVER_SIDE_APPLY);
    apply.setFieldManager("virtualip-agent-" + node);
    apply.setForce(true);
    client.resource(body).subresource("status").patch(apply, body);
  }
}
