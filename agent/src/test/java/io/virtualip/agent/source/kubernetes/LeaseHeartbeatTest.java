package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.testkit.kube.KubeApi;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat on the real API server, with the agent's own token (RBAC: get, create, update of
 * leases).
 */
class LeaseHeartbeatTest {

  private static Lease lease(KubernetesClient c) {
    return c.leases().inNamespace("virtualip-system").withName("virtualip-agent-node-a").get();
  }

  @Test
  void createsTheLeaseThenRenewsItEverySecond() throws Exception {
    KubeApi api = RealApi.shared();
    try (KubernetesClient client = RealApi.agentClient(api, "node-a");
        LeaseHeartbeat heartbeat =
            new LeaseHeartbeat(
                client,
                "virtualip-system",
                "node-a",
                Duration.ofSeconds(4),
                Duration.ofSeconds(1),
                Clock.systemUTC())) {
      heartbeat.start();
      await().atMost(Duration.ofSeconds(3)).until(() -> lease(api.admin()) != null);
      Lease first = lease(api.admin());
      assertThat(first.getSpec().getHolderIdentity()).isEqualTo("node-a");
      assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(4);
      assertThat(first.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/name", "virtualip-agent")
          .containsEntry("virtualip.io/node", "node-a");
      ZonedDateTime firstRenew = first.getSpec().getRenewTime();

      await()
          .atMost(Duration.ofSeconds(3))
          .until(
              () ->
                  lease(api.admin())
                      .getSpec()
                      .getRenewTime()
                      .isAfter(firstRenew.plusNanos(500_000_000)));
      assertThat(lease(api.admin()).getSpec().getAcquireTime())
          .isEqualTo(first.getSpec().getAcquireTime());
    }
  }

  @Test
  void takesOverALeaseRecordedForAnotherHolder() throws Exception {
    KubeApi api = RealApi.shared();
    try (KubernetesClient client = RealApi.agentClient(api, "node-a")) {
      api.admin()
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName("virtualip-agent-node-a")
                  .withNamespace("virtualip-system")
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity("someone-else")
                  .withLeaseDurationSeconds(15)
                  .withLeaseTransitions(2)
                  .endSpec()
                  .build())
          .create();
      new LeaseHeartbeat(
              client,
              "virtualip-system",
              "node-a",
              Duration.ofSeconds(4),
              Duration.ofSeconds(1),
              Clock.systemUTC())
          .renew();
      Lease lease = lease(api.admin());
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");
      assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(4);
      assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(3);
      assertThat(lease.getSpec().getAcquireTime()).isNotNull();
    }
  }
}
