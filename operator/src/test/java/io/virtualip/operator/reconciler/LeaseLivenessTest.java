package io.virtualip.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Which VirtualIPs a change of a node's Lease liveness reconciles (issue 14: a dead node's every
 * VirtualIP was reconciled when it fell silent and again when its Lease expired, and the takeovers
 * queued behind them).
 */
class LeaseLivenessTest {
  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  private final List<Lease> leases = new ArrayList<>();
  private final List<VirtualIP> vips =
      List.of(
          vip("held-by-a", entry("node-a", NodeState.Master), entry("node-b", NodeState.Backup)),
          vip("backed-by-a", entry("node-b", NodeState.Master), entry("node-a", NodeState.Backup)),
          vip("without-a", entry("node-b", NodeState.Master), entry("node-c", NodeState.Backup)));
  private final List<String> reconciled = new ArrayList<>();
  private final LeaseLiveness liveness =
      new LeaseLiveness(() -> leases, () -> vips, Duration.ofSeconds(4), clock);

  LeaseLivenessTest() {
    liveness.setEventHandler((Event e) -> reconciled.add(e.getRelatedCustomResourceID().getName()));
  }

  @Test
  void fallingSilentReconcilesOnlyWhereTheNodeClaimsMasterAndExpiryEveryEntryClaimsFirst() {
    lease("node-a", T0);
    lease("node-b", T0);
    liveness.tick(); // first look: nothing to compare with
    assertThat(reconciled).isEmpty();

    at(Duration.ofMillis(1000));
    liveness.tick(); // renewing: nothing changes
    assertThat(reconciled).isEmpty();

    renew("node-b", Duration.ofMillis(2000));
    at(Duration.ofMillis(2100)); // node-a silent (no renewal for 2 s), not expired
    liveness.tick();
    assertThat(reconciled).containsExactly("held-by-a");

    reconciled.clear();
    renew("node-b", Duration.ofMillis(4000));
    at(Duration.ofMillis(4100)); // node-a's 4 s Lease expired: AgentDown on every entry
    liveness.tick();
    assertThat(reconciled).as("its claims at once").containsExactly("held-by-a");

    reconciled.clear();
    renew("node-b", Duration.ofMillis(6000));
    at(Duration.ofMillis(6000));
    liveness.tick();
    assertThat(reconciled).as("its Backup entries not yet").isEmpty();
    at(Duration.ofMillis(6100)); // BACKUP_ENTRIES_DEFERRAL after the expiry was seen
    liveness.tick();
    assertThat(reconciled).as("its Backup entries now").containsExactly("backed-by-a");
    at(Duration.ofMillis(6300));
    liveness.tick();
    assertThat(reconciled).as("once").containsExactly("backed-by-a");
  }

  @Test
  void renewingAgainAfterSilenceReconcilesItsClaimsAndAfterExpiryEveryEntry() {
    lease("node-a", T0);
    liveness.tick();
    at(Duration.ofMillis(2500));
    liveness.tick();
    reconciled.clear();

    renew("node-a", Duration.ofMillis(2600)); // back before expiry: its claims count again
    at(Duration.ofMillis(2700));
    liveness.tick();
    assertThat(reconciled).containsExactly("held-by-a");

    reconciled.clear();
    at(Duration.ofMillis(7000)); // silent and expired in one look
    liveness.tick();
    at(Duration.ofMillis(9000));
    liveness.tick();
    assertThat(reconciled).containsExactly("held-by-a", "backed-by-a");

    reconciled.clear();
    renew("node-a", Duration.ofMillis(9100)); // back from expiry: every entry shows again
    at(Duration.ofMillis(9200));
    liveness.tick();
    renew("node-a", Duration.ofMillis(11000));
    at(Duration.ofMillis(11200));
    liveness.tick();
    assertThat(reconciled).containsExactly("held-by-a", "backed-by-a");
  }

  private void at(Duration since) {
    now.set(T0.plus(since));
  }

  private void lease(String node, Instant renewed) {
    leases.add(
        new LeaseBuilder()
            .withNewMetadata()
            .withName("virtualip-agent-" + node)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(node)
            .withLeaseDurationSeconds(4)
            .withRenewTime(renewed.atZone(ZoneOffset.UTC))
            .endSpec()
            .build());
  }

  private void renew(String node, Duration since) {
    leases.removeIf(l -> node.equals(l.getSpec().getHolderIdentity()));
    lease(node, T0.plus(since));
  }

  private static NodeStatus entry(String node, NodeState state) {
    return NodeStatus.builder().name(node).state(state).build();
  }

  private static VirtualIP vip(String name, NodeStatus... entries) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName(name);
    vip.setStatus(VirtualIPStatus.EMPTY.withNodes(List.of(entries)));
    return vip;
  }
}
