package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator Deployment as the chart renders it meets Pod Security "restricted" on a real API
 * server: its pod, as the ReplicaSet controller would create it (bound to a node, server-side dry
 * run: no kubelet runs here), is admitted in a namespace that enforces "restricted". The agents
 * share the release namespace and need "privileged" (the operator module's AgentPodSecurityTest),
 * so the namespace is labelled privileged; the operator does not need it. The check can fail: the
 * same pod running as root is refused there.
 */
class OperatorPodSecurityTest {

  private static final String NS = "psa-operator-restricted";

  static List<String> versions() {
    return KubeVersions.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void theOperatorPodIsAdmittedUnderRestricted(String version) {
    Requirements.kubeApi(version);
    KubernetesClient admin = KubeApi.shared(version).admin();
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NS)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted"))
                .endMetadata()
                .build())
        .forceConflicts()
        .serverSideApply();
    Deployment rendered =
        Chart.single(Chart.objects(Chart.render(Map.of())), Deployment.class, "virtualip-operator");
    Deployment deployment =
        new DeploymentBuilder(rendered).editMetadata().withNamespace(NS).endMetadata().build();

    assertThat(admin.resource(deployment).dryRun().create().getMetadata().getName())
        .isEqualTo("virtualip-operator");
    Pod admitted = admin.resource(pod(deployment)).dryRun().create();
    assertThat(admitted.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();

    Pod asRoot =
        new PodBuilder(pod(deployment))
            .editSpec()
            .editSecurityContext()
            .withRunAsNonRoot(false)
            .withRunAsUser(0L)
            .endSecurityContext()
            .endSpec()
            .build();
    assertThatThrownBy(() -> admin.resource(asRoot).dryRun().create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(
            e -> assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\""));
  }

  private static Pod pod(Deployment deployment) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("virtualip-operator-0")
        .withNamespace(NS)
        .withLabels(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(deployment.getSpec().getTemplate().getSpec())
        .editSpec()
        .withNodeName("n1")
        .endSpec()
        .build();
  }
}
