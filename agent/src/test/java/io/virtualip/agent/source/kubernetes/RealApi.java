package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real kube-apiserver for the agent's Kubernetes-mode tests (see {@code src/testkit}): the
 * committed CRD and the chart's cluster objects from {@code deploy/} (RBAC and the agents'
 * node-restriction policy) applied by admin, and agents that run with a token of the chart's {@code
 * virtualip-agent} ServiceAccount bound to a Pod on their node, as the kubelet gives the
 * DaemonSet's pods: a permission the chart lacks fails a test, and so would an admission policy
 * keyed on the token's node. Admin only arranges and checks.
 */
final class RealApi {

  static final String NS = "virtualip-system";
  static final String AGENT_SA = "virtualip-agent";
  private static final Path CRD = Path.of("..", "crds", "virtualips.virtualip.io-v1.yml");
  private static final Path RBAC = Path.of("..", "deploy", "20-rbac.yaml");
  private static final Set<KubeApi> INSTALLED = ConcurrentHashMap.newKeySet();
  private static final Map<KubeApi, String> LOOPBACK_RELAY = new ConcurrentHashMap<>();

  private RealApi() {}

  /**
   * The JVM's shared server (the test is skipped without the binaries, or fails where CI requires
   * them), installed and emptied of what earlier tests left: one server serves every test class, in
   * turn.
   */
  static KubeApi shared() {
    Requirements.kubeApi();
    KubeApi api = KubeApi.shared();
    install(api);
    reset(api.admin());
    return api;
  }

  /**
   * The chart's cluster objects (CRD, RBAC, the agents' node-restriction policy), once per server.
   */
  static void install(KubeApi api) {
    InstalledChart.on(api);
  }

  /** Removes every object a test makes: VirtualIPs, Nodes, Pods, Leases, Secrets, Events. */
  static void reset(KubernetesClient admin) {
    admin.resources(VirtualIP.class).delete();
    admin.nodes().delete();
    // No kubelet confirms a graceful deletion of a pod bound to a node: delete at once, as a
    // kubelet finally does.
    for (Pod pod : admin.pods().inAnyNamespace().list().getItems()) {
      admin.resource(pod).withGracePeriod(0).delete();
    }
    admin.leases().inNamespace(NS).delete();
    admin.secrets().inNamespace(NS).delete();
    admin.v1().events().inNamespace("default").delete();
  }

  /**
   * The agent's client on {@code node}: a token of {@value #AGENT_SA} bound to a Pod on the node,
   * with the agent's own client settings ({@link KubernetesAgent#agentClientConfig}).
   */
  static KubernetesClient agentClient(KubeApi api, String node) {
    return agentClient(api, node, api.url());
  }

  /** The same, at {@code url} (e.g. a relay of {@link #loopbackRelay} or an exposed address). */
  static KubernetesClient agentClient(KubeApi api, String node, String url) {
    return new KubernetesClientBuilder()
        .withConfig(KubernetesAgent.agentClientConfig(api.config(agentToken(api, node), url)))
        .build();
  }

  /**
   * A token of the agent's ServiceAccount bound to the Pod {@code virtualip-agent-<node>} on {@code
   * node}.
   */
  static String agentToken(KubeApi api, String node) {
    return InstalledChart.on(api).agentToken(node);
  }

  /**
   * The server's URL through a relay on loopback, one per server: an API outage is {@link
   * KubeApi#cutRelays()}, which leaves admin (direct on loopback) working.
   */
  static String loopbackRelay(KubeApi api) {
    return LOOPBACK_RELAY.computeIfAbsent(api, a -> a.expose(InetAddress.getLoopbackAddress(), 0));
  }
}
