package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.virtualip.operator.config.LeaderElection;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With leader election on (as in prod), the operator takes the Lease the chart's RBAC lets it update. */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaderElectionOn.class)
@WithKubernetesTestServer(crud = true, setup = LeaderElectionTest.WithLeaseAccess.class)
class LeaderElectionTest {

  /**
   * JOSDK asks the API server (SelfSubjectRulesReview) whether it may get, create and update Leases before it
   * elects; the test server cannot evaluate RBAC, so it answers as a cluster with the chart's Role would
   * (ChartRbacTest holds the chart to that Role).
   */
  public static class WithLeaseAccess extends CrdSetup {
    @Override
    public void accept(KubernetesServer server) {
      super.accept(server);
      server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
          .andReturn(201, new SelfSubjectRulesReviewBuilder()
              .withNewSpec().withNamespace("test").endSpec()
              .withNewStatus().withIncomplete(false)
                .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                  .withVerbs("get", "list", "watch", "create").endResourceRule()
                .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                  .withResourceNames(LeaderElection.LEASE_NAME).withVerbs("update").endResourceRule()
              .endStatus().build())
          .always();
    }
  }

  public static class LeaderElectionOn implements QuarkusTestProfile {
    @Override
    public String getConfigProfile() {
      return "test";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.operator-sdk.activate-leader-election-for-profiles", "test",
          "virtualip.leader-election.exit-on-stop-leading", "false");
    }
  }

  @Inject
  KubernetesClient client;

  @Test
  void theOperatorHoldsTheLeaderLease() {
    Lease lease = await().atMost(Duration.ofSeconds(30)).until(
        () -> client.leases().inNamespace(client.getNamespace()).withName(LeaderElection.LEASE_NAME).get(),
        l -> l != null && l.getSpec().getHolderIdentity() != null);
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isPositive();
  }
}
