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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Writes the operator's share of a VirtualIP's status ({@link StatusPatch} says which share and
 * how), one request per change: no read first. The informer cache may be a write behind this
 * process's own last write, so the diff is taken against the newer of the cached object and what
 * the API server answered to that write ({@link #known}); the operator is the only writer of these
 * fields. Agents' entries are changed only under JSON patch test operations, so a cache behind an
 * agent's write makes the patch fail (422) instead of overwriting it.
 */
final class StatusWriter {
  private static final Logger LOG = Logger.getLogger(StatusWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  /**
   * Per uid, the VirtualIP as the API server returned it after this process's last status write,
   * until the cache has caught up with it.
   */
  private final Map<String, VirtualIP> written = new ConcurrentHashMap<>();

  StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * An entry whose agent's Lease expired is shown Unknown, except a silent master whose claim still
   * counts (unconfirmed, until a backup takes over): marking it would end the claim early and show
   * NoMaster in between.
   */
  private static boolean markUnknown(Aggregate aggregate, NodeStatus e) {
    return aggregate.agentDown().contains(e.name())
        && e.state() != NodeState.Unknown
        && !e.name().equals(aggregate.master());
  }

  /**
   * Writes observedGeneration, virtualRouterId, master, stepDown and conditions when they changed,
   * and shows the entries of agents whose Lease expired as Unknown, in one request. The first
   * status is a PUT guarded by resourceVersion (409 if an agent wrote meanwhile; JOSDK retries),
   * later ones are JSON patches of single fields that leave status.nodes alone, except for an entry
   * to mark Unknown: that is tested at its index (its name and what the agent last wrote), so an
   * entry moved or rewritten since makes the patch fail (422); then the operator's fields go alone,
   * and the agent's write, a new input, reconciles again.
   */
  void write(VirtualIP cached, Aggregate aggregate) {
    long generation = Optional.ofNullable(cached.getMetadata().getGeneration()).orElse(0L);
    VirtualIP known = known(cached);
    if (known.getStatus() == null) {
      // No status yet, or a cache behind the first write: only then is a read worth it.
      VirtualIP fresh = fresh(cached);
      if (fresh == null) {
        return;
      }
      if (fresh.getStatus() == null) {
        fresh.setStatus(StatusPatch.firstStatus(aggregate, generation));
        remember(client.resource(fresh).updateStatus());
        return;
      }
      known = fresh;
    }
    ArrayNode unknown = JSON.createArrayNode();
    List<NodeStatus> entries = entries(known);
    for (int i = 0; i < entries.size(); i++) {
      NodeStatus entry = entries.get(i);
      if (markUnknown(aggregate, entry)) {
        String reason =
            Reasons.AGENT_DOWN + ": the agent's Lease expired; last state " + entry.state();
        unknown.addAll(StatusPatch.markUnknown(i, entry, reason));
      }
    }
    Optional<ArrayNode> fields = StatusPatch.operatorFields(known, aggregate, generation, JSON);
    if (unknown.isEmpty() && fields.isEmpty()) {
      return;
    }
    ArrayNode all = unknown.deepCopy();
    fields.ifPresent(all::addAll);
    try {
      remember(patch(cached, all));
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return; // deleted meanwhile: its cleanup runs next
      }
      boolean entryChanged = e.getCode() == 422 || e.getCode() == HttpURLConnection.HTTP_CONFLICT;
      if (unknown.isEmpty() || !entryChanged) {
        throw e;
      }
      LOG.debugf(
          "an entry of %s changed while being marked Unknown", cached.getMetadata().getName());
      if (fields.isPresent()) {
        remember(patch(cached, fields.get()));
      }
    }
  }

  /** The newer of the cached VirtualIP and the answer to this process's last write to it. */
  VirtualIP known(VirtualIP cached) {
    String uid = cached.getMetadata().getUid();
    VirtualIP mine = uid == null ? null : written.get(uid);
    if (mine == null) {
      return cached;
    }
    if (version(mine) > version(cached)) {
      return mine;
    }
    written.remove(uid, mine); // the cache has caught up
    return cached;
  }

  void forget(VirtualIP vip) {
    if (vip.getMetadata().getUid() != null) {
      written.remove(vip.getMetadata().getUid());
    }
  }

  private void remember(VirtualIP answer) {
    if (answer != null && answer.getMetadata().getUid() != null) {
      written.merge(
          answer.getMetadata().getUid(),
          answer,
          (old, now) -> version(now) >= version(old) ? now : old);
    }
  }

  /**
   * resourceVersion as a number, -1 when it is not one: opaque by the API's contract, but etcd's
   * revision on every API server there is; -1 makes the cache win.
   */
  static long version(VirtualIP vip) {
    try {
      return Long.parseLong(vip.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException e) {
      return -1;
    }
  }

  /**
   * The patch as is, on an object of just the name: patching by name alone makes fabric8 GET the
   * object first, a second request for every write.
   */
  private VirtualIP patch(VirtualIP vip, ArrayNode ops) {
    VirtualIP target = new VirtualIP();
    target.getMetadata().setName(vip.getMetadata().getName());
    return client
        .resource(target)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), ops.toString());
  }

  private VirtualIP fresh(VirtualIP vip) {
    return client.resources(VirtualIP.class).withName(vip.getMetadata().getName()).get();
  }

  /** status.nodes, the agents' entries; empty when there is none. */
  static List<NodeStatus> entries(VirtualIP vip) {
    return vip.getStatus() == null || vip.getStatus().nodes() == null
        ? List.of()
        : vip.getStatus().nodes();
  }
}
