package io.virtualip.testkit.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The chart's cluster objects on a real API server, as {@code kubectl apply -f deploy/} installs
 * them (namespace, CRD, RBAC, the agents' node-restriction policy; not the operator's Deployment:
 * tests run the operator themselves), and tokens of the chart's own ServiceAccounts, so that
 * programs under test run with exactly the chart's permissions.
 */
public final class InstalledChart {

  public static final String NAMESPACE = "virtualip-system";
  public static final String OPERATOR_SA = "virtualip-operator";
  public static final String AGENT_SA = "virtualip-agent";

  /**
   * What {@code deploy/} holds besides the operator's Deployment, in the order kubectl applies it.
   */
  static final List<String> CLUSTER_OBJECTS =
      List.of("00-namespace.yaml", "10-crd.yaml", "20-rbac.yaml", "25-agent-node-restriction.yaml");

  private static final Map<KubeApi, InstalledChart> INSTALLED = new ConcurrentHashMap<>();

  private final KubeApi api;

  private InstalledChart(KubeApi api) {
    this.api = api;
  }

  /**
   * Installs the chart's cluster objects on {@code api} once and waits until the CRD and the policy
   * are in force.
   */
  public static InstalledChart on(KubeApi api) {
    return INSTALLED.computeIfAbsent(api, InstalledChart::install);
  }

  public KubeApi api() {
    return api;
  }

  /** A token of the operator's ServiceAccount. */
  public String operatorToken() {
    return api.token(NAMESPACE, OPERATOR_SA);
  }

  /**
   * A token of the agent's ServiceAccount for {@code node}: see {@link
   * #agentToken(KubernetesClient, String)}.
   */
  public String agentToken(String node) {
    return agentToken(api.admin(), node);
  }

  /**
   * A token of the agent's ServiceAccount bound to the Pod {@code virtualip-agent-<node>} on {@code
   * node}, as the kubelet mounts it into the DaemonSet's pod (stored here, never run): it carries
   * the node's name, which the node-restriction policy reads. Static for callers that hold only an
   * admin client.
   */
  public static String agentToken(KubernetesClient admin, String node) {
    Pod pod =
        admin
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("virtualip-agent-" + node)
                    .withNamespace(NAMESPACE)
                    .addToLabels("app.kubernetes.io/name", AGENT_SA)
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(node)
                    .withServiceAccountName(AGENT_SA)
                    .withAutomountServiceAccountToken(false)
                    .addNewContainer()
                    .withName("agent")
                    .withImage("virtualip/agent")
                    .endContainer()
                    .endSpec()
                    .build())
            .serverSideApply();
    return KubeApi.token(admin, NAMESPACE, AGENT_SA, pod);
  }

  /**
   * The repository's {@code deploy/} directory, found from the working directory (Maven runs tests
   * in modules).
   */
  public static Path deployDirectory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("deploy/10-crd.yaml"))) {
        return dir.resolve("deploy");
      }
    }
    throw new IllegalStateException("no deploy/10-crd.yaml above " + Path.of("").toAbsolutePath());
  }

  private static InstalledChart install(KubeApi api) {
    KubernetesClient admin = api.admin();
    Path deploy = deployDirectory();
    for (String file : CLUSTER_OBJECTS) {
      try (InputStream in = Files.newInputStream(deploy.resolve(file))) {
        for (HasMetadata object : admin.load(in).items()) {
          admin.resource(object).forceConflicts().serverSideApply();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("the chart's rendered " + deploy.resolve(file), e);
      }
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("virtualips.virtualip.io")
        .waitUntilCondition(InstalledChart::established, 30, TimeUnit.SECONDS);
    awaitPolicyInForce(api);
    return new InstalledChart(api);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * The API server loads a new admission policy asynchronously: until an agent token without a node
   * is refused a Lease, tests would race it.
   */
  private static void awaitPolicyInForce(KubeApi api) {
    try (KubernetesClient unbound = api.client(api.token(NAMESPACE, AGENT_SA))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          unbound
              .resource(
                  new LeaseBuilder()
                      .withNewMetadata()
                      .withName("virtualip-agent-policy-probe")
                      .withNamespace(NAMESPACE)
                      .endMetadata()
                      .withNewSpec()
                      .withHolderIdentity("probe")
                      .endSpec()
                      .build())
              .create();
          api.admin()
              .leases()
              .inNamespace(NAMESPACE)
              .withName("virtualip-agent-policy-probe")
              .delete();
        } catch (KubernetesClientException e) {
          if (e.getCode() == 403
              && String.valueOf(e.getMessage()).contains("virtualip-agent-node-restriction")) {
            return;
          }
          if (e.getCode() != 409) {
            throw e;
          }
          api.admin()
              .leases()
              .inNamespace(NAMESPACE)
              .withName("virtualip-agent-policy-probe")
              .delete();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the agents' node-restriction policy is not in force after 60 s");
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
