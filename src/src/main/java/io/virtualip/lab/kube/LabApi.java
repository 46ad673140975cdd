package io.virtualip.lab.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.testkit.kube.InstalledChart;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes API of a cluster lab: the real kube-apiserver where its binaries are built ({@link
 * RealApiServer}), else fabric8's mock ({@link EmbeddedApiServer}). The lab reaches it through
 * this, the operator and the agents as processes through the environment it gives each of them.
 */
public interface LabApi extends AutoCloseable {

  /**
   * Which server, its version, and where the nodes reach it: the line the demo and the tests print
   * first.
   */
  String description();

  /** The URL the operator and the agents use (on the lab's host link). */
  String url();

  /** The lab's own client (admin where the server has RBAC), for arranging and asserting. */
  KubernetesClient client();

  /**
   * Stores the VirtualIP CRD as the crds module generates it, and waits until the server serves it.
   */
  CustomResourceDefinition applyVirtualIpCrd();

  /**
   * What the chart installs besides the CRD: its namespace, ServiceAccounts and RBAC (a mock
   * enforces none).
   */
  void installChartRbac();

  /**
   * The operator's environment for its fabric8 client: this API, as the chart's operator
   * ServiceAccount.
   */
  Map<String, String> operatorEnvironment(Path workDir);

  /**
   * {@code node}'s agent's environment for its fabric8 client: this API, as the agent's
   * ServiceAccount on the node.
   */
  Map<String, String> agentEnvironment(String node, Path workDir);

  /**
   * The environment for a lab process's fabric8 client: {@code access} (where the API is and who
   * the client is), then what every lab client shares: a kubeconfig read only when {@code access}
   * names one (KUBECONFIG), no ServiceAccount files (the processes run in no Pod), and the chart's
   * namespace.
   */
  static Map<String, String> clientEnvironment(Map<String, String> access) {
    Map<String, String> env = new LinkedHashMap<>(access);
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", String.valueOf(access.containsKey("KUBECONFIG")));
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_NAMESPACE", InstalledChart.NAMESPACE);
    return env;
  }

  /** The real kubectl pointed at this API (admin), where there is one. */
  Optional<Kubectl> kubectl(Path workDir);

  /** Begins an API outage for the operator and the agents: stored objects stay. */
  void stop();

  /** Ends the outage, on the same address and port. */
  void restart();

  boolean isRunning();

  @Override
  void close();
}
