package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes this node's status.nodes element with a JSON patch (RFC 6902) on the status subresource,
 * for servers without server-side apply. Every patch is guarded so that it can only change this
 * node's element:
 *
 * <ul>
 *   <li>the element exists at index i: {@code test /status/nodes/i/name == node}, then {@code
 *       replace} it; another agent inserting or removing an element before i makes the test fail
 *       instead of overwriting its entry;
 *   <li>it does not exist among the n elements read: {@code test} the name of each of them, append,
 *       then {@code test /status/nodes/n/name == node}. The patch applies only if the list still
 *       holds exactly those n names in that order, so a retried append never adds a second element
 *       for this node (one that timed out and was applied late is removed by the next write). Other
 *       agents replacing their own entries in between (which they do every few seconds) do not fail
 *       it, only a concurrent append or removal; a guard on the object's resourceVersion would fail
 *       on every write by anyone and starve a newcomer among busy writers;
 *   <li>there is no list (or no status) yet: {@code test /metadata/resourceVersion}, then create
 *       it; contested only by the first writers of a new object.
 * </ul>
 *
 * A failed test or a conflict means someone else changed the list in between: read again and retry.
 */
final class JsonPatchNodeStatusWriter implements NodeStatusWriter {

  /**
   * Each lost race is another agent adding or removing its element (or the very first writers
   * creating the list), which every agent does once per VirtualIP: a handful of retries covers a
   * whole cluster starting at once.
   */
  static final int MAX_ATTEMPTS = 10;

  private final KubernetesClient client;
  private final String node;

  JsonPatchNodeStatusWriter(KubernetesClient client, String node) {
    this.client = client;
    this.node = node;
  }

  @Override
  public void write(String virtualIp, NodeStatus entry) {
    patchWithRetry(
        virtualIp,
        vip -> {
          List<NodeStatus> nodes = vip.getStatus() == null ? null : vip.getStatus().nodes();
          int i = indexOfNode(nodes);
          if (i >= 0) {
            List<Map<String, Object>> ops =
                new ArrayList<>(
                    List.of(
                        op("test", "/status/nodes/" + i + "/name", node),
                        op("replace", "/status/nodes/" + i, entry)));
            // A second element of ours can only come from an append that timed out here yet was
            // applied after our next read (a 409/422 is never applied, so retries cannot cause it):
            // drop it, last first.
            for (int k = nodes.size() - 1; k > i; k--) {
              if (node.equals(nodes.get(k).name())) {
                ops.add(op("test", "/status/nodes/" + k + "/name", node));
                ops.add(op("remove", "/status/nodes/" + k, null));
              }
            }
            return ops;
          }
          if (nodes == null) {
            Map<String, Object> guard =
                op("test", "/metadata/resourceVersion", vip.getMetadata().getResourceVersion());
            return vip.getStatus() == null
                ? List.of(guard, op("add", "/status", Map.of("nodes", List.of(entry))))
                : List.of(guard, op("add", "/status/nodes", List.of(entry)));
          }
          List<Map<String, Object>> ops = new ArrayList<>(nodes.size() + 2);
          for (int k = 0; k < nodes.size(); k++) {
            if (nodes.get(k).name() != null) { // an element without a name cannot be ours
              ops.add(op("test", "/status/nodes/" + k + "/name", nodes.get(k).name()));
            }
          }
          ops.add(op("add", "/status/nodes/-", entry));
          ops.add(op("test", "/status/nodes/" + nodes.size() + "/name", node));
          return ops;
        });
  }

  @Override
  public void remove(String virtualIp) {
    patchWithRetry(
        virtualIp,
        vip -> {
          int i = indexOfNode(vip.getStatus() == null ? null : vip.getStatus().nodes());
          return i < 0
              ? List.of()
              : List.of(
                  op("test", "/status/nodes/" + i + "/name", node),
                  op("remove", "/status/nodes/" + i, null));
        });
  }

  private interface PatchBuilder {
    List<Map<String, Object>> build(VirtualIP current);
  }

  private void patchWithRetry(String virtualIp, PatchBuilder builder) {
    var resource = client.resources(VirtualIP.class).withName(virtualIp);
    for (int attempt = 1; ; attempt++) {
      VirtualIP current = resource.get();
      if (current == null) {
        return;
      }
      List<Map<String, Object>> ops = builder.build(current);
      if (ops.isEmpty()) {
        return;
      }
      try {
        resource
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(ops));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        if (!lostRace(e) || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        pauseBeforeRetry(attempt);
      }
    }
  }

  /** A failed {@code test} op (422 Unprocessable Entity) or a version conflict (409). */
  static boolean lostRace(KubernetesClientException e) {
    return e.getCode() == 409 || e.getCode() == 422;
  }

  /**
   * Exponential backoff with full jitter (10, 20, 40 ... ms, at most 1 s): agents that collided do
   * not collide again in lockstep, and on a loaded machine a retry waits out more of the other
   * appenders.
   */
  private static void pauseBeforeRetry(int attempt) {
    long ceilingMillis = Math.min(1000L, 10L << Math.min(attempt - 1, 10));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceilingMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted", e);
    }
  }

  private int indexOfNode(List<NodeStatus> nodes) {
    if (nodes != null) {
      for (int i = 0; i < nodes.size(); i++) {
        if (node.equals(nodes.get(i).name())) {
          return i;
        }
      }
    }
    return -1;
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("path", path);
    if (!"remove".equals(op)) {
      m.put("value", value);
    }
    return m;
  }
}
