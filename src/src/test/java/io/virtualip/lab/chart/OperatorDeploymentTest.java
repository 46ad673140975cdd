package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator Deployment: HA with leader election, locked down, probed, scraped, and configured
 * from values.
 */
class OperatorDeploymentTest {

  private static final String NAME = "virtualip-operator";

  @Test
  void runsTwoReplicasSpreadOverNodes() {
    Deployment deployment = deployment(Map.of());

    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsExactly(
            entry("app.kubernetes.io/name", NAME),
            entry("app.kubernetes.io/instance", Chart.RELEASE));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(
            pod(deployment)
                .getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(
            term ->
                assertThat(term.getPodAffinityTerm().getTopologyKey())
                    .isEqualTo("kubernetes.io/hostname"));
  }

  @Test
  void runsLockedDown() {
    Deployment deployment = deployment(Map.of());
    PodSpec pod = pod(deployment);
    Container container = container(deployment);

    assertThat(pod.getServiceAccountName()).isEqualTo(NAME);
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getSecurityContext().getCapabilities().getAdd()).isEmpty();
    // A read-only root needs a writable /tmp for the JVM and Vert.x.
    assertThat(container.getVolumeMounts())
        .singleElement()
        .satisfies(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(volume -> assertThat(volume.getEmptyDir()).isNotNull());
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
  }

  @Test
  void probesQuarkusHealthAndIsScrapedForMetrics() {
    Deployment deployment = deployment(Map.of());
    Container container = container(deployment);

    assertThat(container.getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getName()).isEqualTo("http");
              assertThat(port.getContainerPort()).isEqualTo(8080);
            });
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsOnly(
            entry("prometheus.io/scrape", "true"),
            entry("prometheus.io/port", "8080"),
            entry("prometheus.io/path", "/q/metrics"));

    Service metrics = Chart.single(objects(Map.of()), Service.class, NAME + "-metrics");
    assertThat(metrics.getSpec().getSelector())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(metrics.getSpec().getPorts())
        .singleElement()
        .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
  }

  @Test
  void prometheusAnnotationsCanBeTurnedOff() {
    Deployment deployment = deployment(Map.of("operator.metrics.prometheusAnnotations", false));

    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void defaultsConfigureTheAgentDaemonSetThroughTheEnvironment() {
    Map<String, String> env = env(deployment(Map.of()));

    assertThat(env)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                entry("POD_NAMESPACE", "fieldRef:metadata.namespace"),
                entry(
                    "JDK_JAVA_OPTIONS",
                    "-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1"
                        + " -XX:ReservedCodeCacheSize=32m -Xss512k"),
                entry("MALLOC_ARENA_MAX", "2"),
                entry("QUARKUS_LOG_LEVEL", "INFO"),
                entry("VIRTUALIP_AGENT_IMAGE", "virtualip/agent:0.1.0"),
                entry("VIRTUALIP_AGENT_NAMESPACE", Chart.NAMESPACE),
                entry("VIRTUALIP_AGENT_SERVICE_ACCOUNT", "virtualip-agent"),
                entry("VIRTUALIP_AGENT_TERMINATION_GRACE_PERIOD_SECONDS", "10"),
                entry("VIRTUALIP_AGENT_RESOURCES_REQUESTS_CPU", "50m"),
                entry("VIRTUALIP_AGENT_RESOURCES_REQUESTS_MEMORY", "64Mi"),
                entry("VIRTUALIP_AGENT_RESOURCES_LIMITS_CPU", "500m"),
                entry("VIRTUALIP_AGENT_RESOURCES_LIMITS_MEMORY", "128Mi"),
                entry("VIRTUALIP_AGENT_METRICS_PORT", "9477"),
                entry("VIRTUALIP_AGENT_METRICS_ADDRESS", "0.0.0.0"),
                entry("VIRTUALIP_LEASE_DURATION_SECONDS", "4")));
    assertThat(container(deployment(Map.of())).getImage()).isEqualTo("virtualip/operator:0.1.0");
  }

  @Test
  void valuesReachTheOperator() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("operator.image.repository", "registry.example/virtualip/operator");
    values.put("operator.image.tag", "0.2.0");
    values.put("operator.logLevel", "DEBUG");
    values.put("operator.replicas", 3);
    values.put("operator.resources.limits.memory", "1Gi");
    values.put("agent.image.repository", "registry.example/virtualip/agent");
    values.put("agent.image.tag", "0.2.1");
    values.put("agent.priorityClassName", "system-node-critical");
    values.put("agent.terminationGracePeriodSeconds", 30);
    values.put("agent.resources.requests.cpu", "100m");
    values.put("vrid.reserved[0]", "1-10");
    values.put("vrid.reserved[1]", 51);
    values.put("lease.durationSeconds", 6);
    values.put("operator.jvmOptions", "-XX:+UseSerialGC -Xmx200m");
    Deployment deployment = deployment(values);
    Map<String, String> env = env(deployment);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(container(deployment).getImage())
        .isEqualTo("registry.example/virtualip/operator:0.2.0");
    assertThat(container(deployment).getResources().getLimits())
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(env)
        .contains(
            entry("JDK_JAVA_OPTIONS", "-XX:+UseSerialGC -Xmx200m"),
            entry("QUARKUS_LOG_LEVEL", "DEBUG"),
            entry("VIRTUALIP_AGENT_IMAGE", "registry.example/virtualip/agent:0.2.1"),
            entry("VIRTUALIP_AGENT_PRIORITY_CLASS_NAME", "system-node-critical"),
            entry("VIRTUALIP_AGENT_TERMINATION_GRACE_PERIOD_SECONDS", "30"),
            entry("VIRTUALIP_AGENT_RESOURCES_REQUESTS_CPU", "100m"),
            entry("VIRTUALIP_VRID_RESERVED", "1-10,51"),
            entry("VIRTUALIP_LEASE_DURATION_SECONDS", "6"));
  }

  @Test
  void podDisruptionBudgetKeepsOneLeaderCandidateAndIsOptional() {
    PodDisruptionBudget budget = Chart.single(objects(Map.of()), PodDisruptionBudget.class, NAME);
    assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment(Map.of()).getSpec().getSelector().getMatchLabels());

    assertThat(
            Chart.ofKind(
                objects(Map.of("operator.podDisruptionBudget.enabled", false)),
                PodDisruptionBudget.class))
        .isEmpty();
  }

  @Test
  void imagePullSecretsApplyToTheOperatorAndTheAgentServiceAccount() {
    Map<String, Object> values = Map.of("imagePullSecrets[0].name", "registry-credentials");
    List<HasMetadata> objects = objects(values);

    assertThat(pod(Chart.single(objects, Deployment.class, NAME)).getImagePullSecrets())
        .extracting(ref -> ref.getName())
        .containsExactly("registry-credentials");
    assertThat(Chart.single(objects, ServiceAccount.class, "virtualip-agent").getImagePullSecrets())
        .extracting(ref -> ref.getName())
        .containsExactly("registry-credentials");
  }

  private static List<HasMetadata> objects(Map<String, ?> values) {
    return Chart.objects(Chart.render(values));
  }

  private static Deployment deployment(Map<String, ?> values) {
    return Chart.single(objects(values), Deployment.class, NAME);
  }

  private static PodSpec pod(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  private static Container container(Deployment deployment) {
    assertThat(pod(deployment).getContainers()).hasSize(1);
    return pod(deployment).getContainers().get(0);
  }

  /** Environment as name to value, or "fieldRef:path" for values taken from the pod. */
  private static Map<String, String> env(Deployment deployment) {
    List<EnvVar> env = container(deployment).getEnv();
    assertThat(env).extracting(EnvVar::getName).doesNotHaveDuplicates();
    return env.stream()
        .collect(
            Collectors.toMap(
                EnvVar::getName,
                e ->
                    e.getValueFrom() == null
                        ? e.getValue()
                        : "fieldRef:" + e.getValueFrom().getFieldRef().getFieldPath()));
  }
}
