package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes this node's status.nodes element with a JSON patch (RFC 6902) on the status subresource, for servers without
 * server-side apply. Every patch is guarded so that it can only change this node's element:
 * <ul>
 *   <li>the element exists at index i: {@code test /status/nodes/i/name == node}, then {@code replace} it; another
 *       agent inserting or removing an element before i makes the test fail instead of overwriting its entry;</li>
 *   <li>it does not exist: {@code test /metadata/resourceVersion}, then append (or create the list or status); the
 *       version test makes a retried append never add a second element for this node.</li>
 * </ul>
 * A failed test or a conflict means someone else wrote in between: read again and retry.
 */
final class JsonPatchNodeStatusWriter implements NodeStatusWriter {

  /**
   * Generous on purpose: an append is guarded by the object's resourceVersion, which every other agent's write
   * changes, so a newcomer among busy writers can lose many races in a row (seen with three agents on a loaded
   * two-core machine). Replacing an existing entry is guarded by its name only and rarely retries.
   */
  static final int MAX_ATTEMPTS = 25;

  private final KubernetesClient client;
  private final String node;

  JsonPatchNodeStatusWriter(KubernetesClient client, String node) {
    this.client = client;
    this.node = node;
  }

  @Override
  public void write(String virtualIp, NodeStatus entry) {
    patchWithRetry(virtualIp, vip -> {
      List<NodeStatus> nodes = vip.getStatus() == null ? null : vip.getStatus().getNodes();
      int i = indexOfNode(nodes);
      if (i >= 0) {
        return List.of(op("test", "/status/nodes/" + i + "/name", node),
            op("replace", "/status/nodes/" + i, entry));
      }
      Map<String, Object> guard = op("test", "/metadata/resourceVersion", vip.getMetadata().getResourceVersion());
      if (vip.getStatus() == null) {
        return List.of(guard, op("add", "/status", Map.of("nodes", List.of(entry))));
      }
      if (nodes == null) {
        return List.of(guard, op("add", "/status/nodes", List.of(entry)));
      }
      return List.of(guard, op("add", "/status/nodes/-", entry));
    });
  }

  @Override
  public void remove(String virtualIp) {
    patchWithRetry(virtualIp, vip -> {
      int i = indexOfNode(vip.getStatus() == null ? null : vip.getStatus().getNodes());
      return i < 0 ? List.of()
          : List.of(op("test", "/status/nodes/" + i + "/name", node), op("remove", "/status/nodes/" + i, null));
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
        resource.subresource("status").patch(PatchContext.of(PatchType.JSON),
            client.getKubernetesSerialization().asJson(ops));
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

  /** Jittered, so that agents that collided do not collide again in lockstep. */
  private static void pauseBeforeRetry(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * Math.min(attempt, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted", e);
    }
  }

  private int indexOfNode(List<NodeStatus> nodes) {
    if (nodes != null) {
      for (int i = 0; i < nodes.size(); i++) {
        if (node.equals(nodes.get(i).getName())) {
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
