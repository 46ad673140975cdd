package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import java.util.List;

/**
 * Server-side apply of a status that holds only this node's entry, with field manager {@code
 * virtualip-agent-<node>}. The server merges it into status.nodes by name (the CRD must declare the
 * list a map keyed by name) and removes the entry when this manager applies an empty list. Force:
 * this node's entry is this agent's alone.
 */
final class ServerSideApplyNodeStatusWriter implements NodeStatusWriter {

  private final KubernetesClient client;
  private final String fieldManager;

  ServerSideApplyNodeStatusWriter(KubernetesClient client, String node) {
    this.client = client;
    this.fieldManager = "virtualip-agent-" + node;
  }

  @Override
  public void write(String virtualIp, NodeStatus entry) {
    apply(virtualIp, List.of(entry));
  }

  @Override
  public void remove(String virtualIp) {
    apply(virtualIp, List.of());
  }

  private void apply(String virtualIp, List<NodeStatus> nodes) {
    VirtualIP body = new VirtualIP();
    body.setMetadata(new ObjectMetaBuilder().withName(virtualIp).build());
    body.setStatus(VirtualIPStatus.EMPTY.withNodes(nodes));
    PatchContext context = PatchContext.of(PatchType.SERVER_SIDE_APPLY);
    context.setFieldManager(fieldManager);
    context.setForce(true);
    try {
      client.resource(body).subresource("status").patch(context, body);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** Falls back to the JSON patch for good when the server does not know apply (HTTP 415). */
  static NodeStatusWriter withFallback(NodeStatusWriter apply, NodeStatusWriter patch) {
    return new NodeStatusWriter() {
      private volatile boolean applySupported = true;

      @Override
      public void write(String virtualIp, NodeStatus entry) {
        run(() -> apply.write(virtualIp, entry), () -> patch.write(virtualIp, entry));
      }

      @Override
      public void remove(String virtualIp) {
        run(() -> apply.remove(virtualIp), () -> patch.remove(virtualIp));
      }

      private void run(Runnable viaApply, Runnable viaPatch) {
        if (applySupported) {
          try {
            viaApply.run();
            return;
          } catch (KubernetesClientException e) {
            if (e.getCode() != 415) {
              throw e;
            }
            applySupported = false;
            System.getLogger(ServerSideApplyNodeStatusWriter.class.getName())
                .log(
                    System.Logger.Level.INFO,
                    "server does not support server-side apply (415): writing status.nodes with JSON patches");
          }
        }
        viaPatch.run();
      }
    };
  }
}
