package io.virtualip.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.operator.config.OperatorConfig;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent DaemonSet exactly as the operator builds it ({@link AgentDaemonSet#desired}), and the
 * pod the DaemonSet controller would make of its template, under Pod Security admission on a real
 * API server (newest and oldest version the chart claims). The agent needs hostNetwork and
 * NET_ADMIN/NET_RAW, so only the "privileged" level admits its pods; "baseline" (and so
 * "restricted") refuses them. Pod Security enforces on pods, not on workload objects: the DaemonSet
 * itself is stored in a baseline namespace, which is why the test creates its pod, as the DaemonSet
 * controller would (bound to a node, server-side dry run: no kubelet runs here).
 */
class AgentPodSecurityTest {

  static List<String> versions() {
    return KubeVersions.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void theAgentPodIsAdmittedOnlyUnderPrivileged(String version) {
    Requirements.kubeApi(version);
    KubernetesClient admin = KubeApi.shared(version).admin();
    namespace(admin, "psa-agent-privileged", "privileged");
    namespace(admin, "psa-agent-baseline", "baseline");
    namespace(admin, "psa-agent-restricted", "restricted");

    Pod privileged = admin.resource(agentPod(admin, "psa-agent-privileged")).dryRun().create();
    assertThat(privileged.getSpec().getHostNetwork()).isTrue();

    assertThatThrownBy(
            () -> admin.resource(agentPod(admin, "psa-agent-baseline")).dryRun().create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(
            e -> {
              KubernetesClientException k = (KubernetesClientException) e;
              assertThat(k.getCode()).isEqualTo(403);
              assertThat(k.getMessage())
                  .contains(
                      "violates PodSecurity \"baseline:latest\"", "hostNetwork=true", "NET_ADMIN");
            });
    assertThatThrownBy(
            () -> admin.resource(agentPod(admin, "psa-agent-restricted")).dryRun().create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(
            e -> assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\""));

    // The DaemonSet object itself is stored even under baseline (Pod Security only warns about
    // workloads): a misconfigured namespace shows up as a DaemonSet whose pods the controller
    // cannot create, not as an error here.
    DaemonSet stored = admin.resource(daemonSet(admin, "psa-agent-baseline")).dryRun().create();
    assertThat(stored.getMetadata().getName()).isEqualTo(AgentDaemonSet.NAME);
  }

  private static void namespace(KubernetesClient admin, String name, String level) {
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", level))
                .endMetadata()
                .build())
        .forceConflicts()
        .serverSideApply();
  }

  /** The DaemonSet the operator creates for a VirtualIP without placement, in {@code namespace}. */
  private static DaemonSet daemonSet(KubernetesClient client, String namespace) {
    DaemonSet desired =
        new AgentDaemonSet(client, AGENT, namespace, 4)
            .desired(new Placement(Map.of(), List.of()), List.of());
    return new DaemonSetBuilder(desired)
        .editMetadata()
        .withOwnerReferences(List.of())
        .endMetadata()
        .build();
  }

  /** The pod the DaemonSet controller makes of the template, bound to node n1. */
  private static Pod agentPod(KubernetesClient client, String namespace) {
    DaemonSet ds = daemonSet(client, namespace);
    return new PodBuilder()
        .withNewMetadata()
        .withName("virtualip-agent-n1")
        .withNamespace(namespace)
        .withLabels(ds.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(ds.getSpec().getTemplate().getSpec())
        .editSpec()
        .withNodeName("n1")
        .endSpec()
        .build();
  }

  /** The chart's defaults (values.yaml: agent.*). */
  private static final OperatorConfig.Agent AGENT =
      new OperatorConfig.Agent() {
        @Override
        public String image() {
          return "virtualip/agent:0.1.0";
        }

        @Override
        public Optional<String> namespace() {
          return Optional.empty();
        }

        @Override
        public String serviceAccount() {
          return "virtualip-agent";
        }

        @Override
        public Optional<String> priorityClassName() {
          return Optional.empty();
        }

        @Override
        public long terminationGracePeriodSeconds() {
          return 10;
        }

        @Override
        public int metricsPort() {
          return 9477;
        }

        @Override
        public String metricsAddress() {
          return "0.0.0.0";
        }

        @Override
        public OperatorConfig.Resources resources() {
          return new OperatorConfig.Resources() {
            @Override
            public OperatorConfig.Quantities requests() {
              return quantities("50m", "64Mi");
            }

            @Override
            public OperatorConfig.Quantities limits() {
              return quantities("500m", "128Mi");
            }
          };
        }
      };

  private static OperatorConfig.Quantities quantities(String cpu, String memory) {
    return new OperatorConfig.Quantities() {
      @Override
      public String cpu() {
        return cpu;
      }

      @Override
      public String memory() {
        return memory;
      }
    };
  }
}
