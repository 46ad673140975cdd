package io.virtualip.operator.it;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The operator under test runs against the shared real kube-apiserver ({@link KubeApi#shared()})
 * with a token of the chart's {@code virtualip-operator} ServiceAccount, never as admin: the
 * chart's cluster objects from {@code deploy/} (CRD, RBAC, the agents' node-restriction policy) are
 * applied first, so a verb the code uses but the chart does not grant fails a test. Tests set up
 * and check the cluster as admin ({@link #admin()}); simulated agents write with the {@code
 * virtualip-agent} ServiceAccount's token bound to a pod on their node ({@link #agent(String)}).
 *
 * <p>Admin access and the agent token reach the test through configuration properties rather than
 * statics, since Quarkus loads the test class and this resource in different class loaders.
 */
public class RealApiServer implements QuarkusTestResourceLifecycleManager {
  static final String NAMESPACE = InstalledChart.NAMESPACE;
  static final String OPERATOR_SA = InstalledChart.OPERATOR_SA;
  private static final String ADMIN_KUBECONFIG = "virtualip-test.admin-kubeconfig";

  /**
   * Evaluated before Quarkus boots: without the server's binaries the test class is skipped with
   * the reason (or fails, under {@code VIRTUALIP_REQUIRE_KUBE_API=1}, because the resource's start
   * then fails naming the missing binaries).
   */
  public static class Available implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String version = KubeVersions.selected();
      if (KubeVersions.built(version)) {
        return ConditionEvaluationResult.enabled("kube-apiserver " + version + " is built");
      }
      if ("1".equals(System.getenv(Requirements.STRICT_KUBE_API))) {
        return ConditionEvaluationResult.enabled(Requirements.STRICT_KUBE_API + "=1: run and fail");
      }
      return ConditionEvaluationResult.disabled(KubeVersions.howToBuild(version));
    }
  }

  @Override
  public Map<String, String> start() {
    String version = KubeVersions.selected();
    if (!KubeVersions.built(version)) {
      throw new IllegalStateException(
          KubeVersions.howToBuild(version)
              + " ("
              + Requirements.STRICT_KUBE_API
              + "=1: required here, not skipped)");
    }
    KubeApi api = KubeApi.shared();
    InstalledChart chart = InstalledChart.on(api);
    Path kubeconfig;
    try {
      kubeconfig = Files.createTempFile("virtualip-operator-test-admin-", ".kubeconfig");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, api.adminKubeconfig());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "quarkus.kubernetes-client.api-server-url",
        api.url(),
        "quarkus.kubernetes-client.ca-cert-data",
        Base64.getEncoder().encodeToString(api.caCertificate().getBytes(StandardCharsets.UTF_8)),
        "quarkus.kubernetes-client.token",
        chart.operatorToken(),
        "quarkus.kubernetes-client.namespace",
        NAMESPACE,
        ADMIN_KUBECONFIG,
        kubeconfig.toString());
  }

  @Override
  public void stop() {
    // The shared server stops when the JVM exits; other test classes reuse it.
  }

  private static KubernetesClient admin;

  /** A system:masters client for the test's own setup and checks. */
  static synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = newAdmin();
    }
    return admin;
  }

  private static KubernetesClient newAdmin() {
    try {
      String path = ConfigProvider.getConfig().getValue(ADMIN_KUBECONFIG, String.class);
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(Path.of(path))))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client with the chart's agent ServiceAccount token bound to a pod on {@code node}, as that
   * node's agent has (the chart's admission policy lets it write only its own node's entry and
   * Lease).
   */
  static KubernetesClient agent(String node) {
    var config = ConfigProvider.getConfig();
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(Config.empty())
                .withMasterUrl(
                    config.getValue("quarkus.kubernetes-client.api-server-url", String.class))
                .withCaCertData(
                    config.getValue("quarkus.kubernetes-client.ca-cert-data", String.class))
                .withOauthToken(InstalledChart.agentToken(admin(), node))
                .build())
        .build();
  }
}
