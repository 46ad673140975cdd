package io.virtualip.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.testkit.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real API server as the tests get it: the pinned version, RBAC on, tokens that carry their
 * node.
 */
class KubeApiTest {

  static List<String> versions() {
    return KubeVersions.ALL;
  }

  @ParameterizedTest
  @MethodSource("versions")
  void servesThePinnedVersionWithRbacAndNodeBoundTokens(String version) {
    Requirements.kubeApi(version);
    KubeApi api = KubeApi.shared(version);

    assertThat(api.admin().getKubernetesVersion().getGitVersion()).isEqualTo("v" + version);

    // A ServiceAccount with no role may do nothing: RBAC is on.
    try (KubernetesClient nobody = api.client(api.token("kit", "nobody"))) {
      assertThatThrownBy(() -> nobody.namespaces().list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }

    // A token bound to a pod on node n1 says so in its user extra (what the chart's admission
    // policy reads).
    api.admin()
        .resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build())
        .serverSideApply();
    api.namespace("kit");
    api.token("kit", "agent");
    Pod pod =
        api.admin()
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("agent-n1")
                    .withNamespace("kit")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName("n1")
                    .withServiceAccountName("agent")
                    .addNewContainer()
                    .withName("agent")
                    .withImage("virtualip/agent")
                    .endContainer()
                    .endSpec()
                    .build())
            .serverSideApply();
    try (KubernetesClient agent = api.client(api.podToken(pod, "agent"))) {
      SelfSubjectReview review = agent.resource(new SelfSubjectReview()).create();
      assertThat(review.getStatus().getUserInfo().getUsername())
          .isEqualTo("system:serviceaccount:kit:agent");
      assertThat(review.getStatus().getUserInfo().getExtra())
          .containsEntry("authentication.kubernetes.io/node-name", List.of("n1"));
    }
  }

  @Test
  void anExposedServerAnswersOnThatAddressWithItsOwnCertificate() throws Exception {
    Requirements.kubeApi();
    InetAddress loopback2 = InetAddress.getByName("127.0.0.2");
    try (KubeApi api = KubeApi.start(KubeVersions.selected(), loopback2)) {
      String exposed = api.expose(loopback2, 0);
      assertThat(exposed).startsWith("https://127.0.0.2:");
      // Over the relay, TLS verified against the server's certificate (which names 127.0.0.2), with
      // a token.
      try (KubernetesClient viaRelay =
          new KubernetesClientBuilder()
              .withConfig(api.config(api.token("kit", "reader"), exposed))
              .build()) {
        assertThat(viaRelay.getKubernetesVersion().getGitVersion()).isEqualTo("v" + api.version());
      }
    }
  }

  /**
   * The lab's and the agent tests' API outage: the relay goes away and comes back on the same port.
   */
  @Test
  void cutRelaysIsAnOutageOnTheExposedAddressOnly() throws Exception {
    Requirements.kubeApi();
    InetAddress loopback2 = InetAddress.getByName("127.0.0.2");
    try (KubeApi api = KubeApi.start(KubeVersions.selected(), loopback2)) {
      String exposed = api.expose(loopback2, 0);
      String token = api.token("kit", "reader");
      api.cutRelays();
      try (KubernetesClient viaRelay =
          new KubernetesClientBuilder()
              .withConfig(
                  new io.fabric8.kubernetes.client.ConfigBuilder(api.config(token, exposed))
                      .withRequestRetryBackoffLimit(0)
                      .withConnectionTimeout(2_000)
                      .build())
              .build()) {
        assertThatThrownBy(viaRelay::getKubernetesVersion)
            .isInstanceOf(KubernetesClientException.class);
        assertThat(api.admin().getKubernetesVersion().getGitVersion())
            .isEqualTo("v" + api.version());
        api.restoreRelays();
        assertThat(viaRelay.getKubernetesVersion().getGitVersion()).isEqualTo("v" + api.version());
      }
    }
  }

  @Test
  void thePinnedVersionsAreTheOnesBuildShBuilds() throws IOException {
    Path versions = Path.of("..", "kube-api-server", "versions");
    try (Stream<Path> dirs = Files.list(versions)) {
      assertThat(dirs.map(d -> d.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(KubeVersions.ALL);
    }
  }
}
