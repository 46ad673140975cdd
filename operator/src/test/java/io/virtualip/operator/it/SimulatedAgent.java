package io.virtualip.operator.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
 * Plays one node's agent the way the contract (operator/CONTRACT.md) says a real one does: a Lease renewed as a
 * heartbeat, and only its own entry in status.nodes, written with a JSON patch guarded by a test on its name; while
 * Master, the entry is rewritten on each {@link #renewClaim()} as the node's renewed claim.
 */
final class SimulatedAgent {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  final String node;
  /** The node's address on the VRRP segment. */
  final String address;
  /** The VirtualIP and entry this node last reported as Master, or null: what {@link #renewClaim()} rewrites. */
  private String claimVip;
  private NodeStatus claim;
  /** A validator verdict whose counter each claim renewal increases, as a peer's rejected adverts keep arriving. */
  private String rejecting;

  SimulatedAgent(KubernetesClient client, String node, String address) {
    this.client = client;
    this.node = node;
    this.address = address;
  }

  /** Creates or renews the agent's Lease with the given renew time. */
  void renewLease(Instant renewTime) {
    String name = "virtualip-agent-" + node;
    var leases = client.leases().inNamespace(CrdSetup.AGENT_NAMESPACE);
    Lease lease = new LeaseBuilder()
        .withNewMetadata().withName(name).withNamespace(CrdSetup.AGENT_NAMESPACE)
          .withLabels(Map.of("app.kubernetes.io/name", "virtualip-agent", "virtualip.io/node", node))
        .endMetadata()
        .withNewSpec()
          .withHolderIdentity(node)
          .withLeaseDurationSeconds(4)
          .withAcquireTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
          .withRenewTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
        .endSpec()
        .build();
    if (leases.withName(name).get() == null) {
      leases.resource(lease).create();
    } else {
      leases.resource(lease).update();
    }
  }

  void renewLease() {
    renewLease(Instant.now());
  }

  /** Rewrites the last Master entry with a new {@code updated} stamp, as a real master's agent does every second. */
  synchronized void renewClaim() {
    if (claim != null) {
      if (rejecting != null) {
        Map<String, Long> counters = new TreeMap<>(claim.getRejected() == null ? Map.of() : claim.getRejected());
        counters.merge(rejecting, 1L, Long::sum);
        claim.setRejected(counters);
      }
      report(claimVip, claim);
    }
  }

  /** From now on each claim renewal counts one more advert rejected for {@code verdict}. */
  synchronized void keepRejecting(String verdict) {
    rejecting = verdict;
  }

  /**
   * Writes this node's entry, replacing its previous one or appending it. Synchronized so that a claim renewal never
   * lands after a newer report.
   */
  synchronized void report(String vip, NodeStatus entry) {
    boolean master = entry.getState() == NodeState.Master;
    claimVip = master ? vip : null;
    claim = master ? entry : null;
    entry.setName(node);
    entry.setAddress(address);
    entry.setUpdated(Instant.now().toString());
    for (int attempt = 0; ; attempt++) {
      VirtualIP current = client.resources(VirtualIP.class).withName(vip).get();
      List<NodeStatus> nodes = current.getStatus() == null ? null : current.getStatus().getNodes();
      ArrayNode ops = JsonNodeFactory.instance.arrayNode();
      int index = nodes == null ? -1 : indexOf(nodes);
      if (index >= 0) {
        ops.addObject().put("op", "test").put("path", "/status/nodes/" + index + "/name").put("value", node);
        ops.addObject().put("op", "replace").put("path", "/status/nodes/" + index).set("value", JSON.valueToTree(entry));
      } else if (nodes != null) {
        ops.addObject().put("op", "add").put("path", "/status/nodes/-").set("value", JSON.valueToTree(entry));
      } else {
        // The first entry creates the list: a PUT of the status guarded by resourceVersion (409 on a race).
        if (current.getStatus() == null) {
          current.setStatus(new VirtualIPStatus());
        }
        current.getStatus().setNodes(List.of(entry));
        try {
          client.resource(current).updateStatus();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 10) {
            throw e;
          }
          continue;
        }
      }
      try {
        client.resources(VirtualIP.class).withName(vip).subresource("status")
            .patch(PatchContext.of(PatchType.JSON), ops.toString());
        return;
      } catch (KubernetesClientException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  private int indexOf(List<NodeStatus> nodes) {
    for (int i = 0; i < nodes.size(); i++) {
      if (node.equals(nodes.get(i).getName())) {
        return i;
      }
    }
    return -1;
  }
}
