package io.virtualip.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.operator.status.Reasons;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Writes the operator's share of a VirtualIP's status ({@link StatusPatch} says which share and
 * how). The informer cache may be a write behind, so each write first reads the VirtualIP afresh
 * and diffs against that.
 */
final class StatusWriter {
  private static final Logger LOG = Logger.getLogger(StatusWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Rewrites the state of entries whose agent's Lease expired to Unknown, unless the agent wrote
   * meanwhile.
   */
  /**
   * An entry whose agent's Lease expired is shown Unknown, except a silent master whose claim still
   * counts (unconfirmed, until a backup takes over): marking it would end the claim early and show
   * NoMaster in between.
   */
  private static boolean markUnknown(Aggregate aggregate, NodeStatus e) {
    return aggregate.agentDown().contains(e.getName())
        && e.getState() != NodeState.Unknown
        && !e.getName().equals(aggregate.master());
  }

  void showUnknown(VirtualIP cached, Aggregate aggregate) {
    boolean anyToMark = entries(cached).stream().anyMatch(e -> markUnknown(aggregate, e));
    if (!anyToMark) {
      return;
    }
    VirtualIP fresh = fresh(cached);
    List<NodeStatus> entries = fresh == null ? List.of() : entries(fresh);
    for (int i = 0; i < entries.size(); i++) {
      NodeStatus entry = entries.get(i);
      if (markUnknown(aggregate, entry) && entries(cached).contains(entry)) {
        String reason =
            Reasons.AGENT_DOWN + ": the agent's Lease expired; last state " + entry.getState();
        try {
          patch(cached, StatusPatch.markUnknown(i, entry, reason));
        } catch (KubernetesClientException e) {
          // A failed test operation: the agent wrote its entry in between, so it is alive; the next
          // round decides.
          if (e.getCode() != 422 && e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
          LOG.debugf(
              "entry %s of %s changed while being marked Unknown",
              entry.getName(), cached.getMetadata().getName());
        }
      }
    }
  }

  /**
   * Writes observedGeneration, virtualRouterId, master, stepDown and conditions when they changed.
   * The first status is a PUT guarded by resourceVersion (409 if an agent wrote meanwhile; JOSDK
   * retries), later ones are JSON patches of single fields that leave status.nodes alone.
   */
  void write(VirtualIP cached, Aggregate aggregate) {
    long generation = Optional.ofNullable(cached.getMetadata().getGeneration()).orElse(0L);
    if (cached.getStatus() != null
        && StatusPatch.operatorFields(cached, aggregate, generation, JSON).isEmpty()) {
      return;
    }
    VirtualIP fresh = fresh(cached);
    if (fresh == null) {
      return;
    }
    if (fresh.getStatus() == null) {
      fresh.setStatus(StatusPatch.firstStatus(aggregate, generation));
      client.resource(fresh).updateStatus();
      return;
    }
    StatusPatch.operatorFields(fresh, aggregate, generation, JSON)
        .ifPresent(ops -> patch(cached, ops));
  }

  private void patch(VirtualIP vip, ArrayNode ops) {
    client
        .resources(VirtualIP.class)
        .withName(vip.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), ops.toString());
  }

  private VirtualIP fresh(VirtualIP vip) {
    return client.resources(VirtualIP.class).withName(vip.getMetadata().getName()).get();
  }

  /** status.nodes, the agents' entries; empty when there is none. */
  static List<NodeStatus> entries(VirtualIP vip) {
    return vip.getStatus() == null || vip.getStatus().getNodes() == null
        ? List.of()
        : vip.getStatus().getNodes();
  }
}
