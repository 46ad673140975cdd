package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.virtualip.operator.config.LeaderElection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With leader election on (as in prod), the operator takes the Lease and keeps renewing it with the
 * chart's RBAC: JOSDK checks (SelfSubjectRulesReview, answered by the real server now) that it may
 * get, create and update Leases, and fabric8 renews with a merge patch, so the chart must grant
 * patch on the leader Lease too (issue 11: renewals were refused with 403 and the operator stopped
 * leading 11 s after start).
 */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaderElectionOn.class)
@WithTestResource(RealApiServer.class)
@ExtendWith(RealApiServer.Available.class)
class LeaderElectionTest {

  public static class LeaderElectionOn implements QuarkusTestProfile {
    @Override
    public String getConfigProfile() {
      return "test";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.operator-sdk.activate-leader-election-for-profiles",
          "test",
          "virtualip.leader-election.exit-on-stop-leading",
          "false");
    }
  }

  final KubernetesClient admin = RealApiServer.admin();

  private Lease lease() {
    return admin
        .leases()
        .inNamespace(RealApiServer.NAMESPACE)
        .withName(LeaderElection.LEASE_NAME)
        .get();
  }

  @Test
  void theOperatorHoldsAndRenewsTheLeaderLease() {
    Lease held =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                this::lease,
                l ->
                    l != null
                        && l.getSpec().getHolderIdentity() != null
                        && !l.getSpec().getHolderIdentity().isEmpty());
    assertThat(held.getSpec().getLeaseDurationSeconds()).isPositive();
    String holder = held.getSpec().getHolderIdentity();

    // Renewals (every retry period, 2 s) move renewTime on; the same holder keeps it past the renew
    // deadline (10 s), after which a replica whose renewals fail gives the Lease up.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            this::lease,
            l -> l.getSpec().getRenewTime().isAfter(held.getSpec().getRenewTime().plusSeconds(11)));
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(holder);
  }
}
