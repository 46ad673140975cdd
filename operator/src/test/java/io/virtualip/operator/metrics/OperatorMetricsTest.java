package io.virtualip.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  /**
   * Quarkus restarts the application between test profiles while a registry may live on; the gauges
   * must then count the new bean's VirtualIPs, not the earlier bean's (whose map, held weakly,
   * could also be collected: a flaky missing virtualip_resources series in AgentReportsTest).
   */
  @Test
  void resourcesGaugeCountsTheLatestBeansVirtualIps() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics earlier = new OperatorMetrics(registry);
    earlier.observed(
        "old", observation(null, condition(Conditions.READY, Conditions.FALSE, "NoMaster")), false);

    OperatorMetrics current = new OperatorMetrics(registry);
    current.observed(
        "a",
        observation(null, condition(Conditions.READY, Conditions.TRUE, "MasterElected")),
        false);
    current.observed(
        "b",
        observation(null, condition(Conditions.READY, Conditions.TRUE, "MasterElected")),
        false);

    assertThat(gauge(registry, Conditions.READY, Conditions.TRUE)).isEqualTo(2.0);
    assertThat(gauge(registry, Conditions.READY, Conditions.FALSE)).isZero();
    assertThat(registry.find("virtualip.resources").gauges())
        .hasSize(9); // 3 conditions x 3 statuses, once each
  }

  /** The per-VirtualIP series as Prometheus scrapes them, following a failover and a deletion. */
  @Test
  void perVirtualIpSeriesFollowTheMasterAndConditions() {
    MutableClock clock = new MutableClock();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry, clock);

    metrics.observed(
        "vi-1",
        new OperatorMetrics.Observation(
            "n1",
            List.of(
                condition(Conditions.READY, Conditions.TRUE, "MasterElected"),
                condition(Conditions.SPLIT_BRAIN, Conditions.FALSE, "AtMostOneMaster")),
            Map.of("n1", NodeState.Master, "n2", NodeState.Backup),
            Set.of()),
        false);
    clock.advance(Duration.ofSeconds(30));
    metrics.observed(
        "vi-1",
        new OperatorMetrics.Observation(
            "n1",
            List.of(
                condition(Conditions.READY, Conditions.TRUE, "MasterElected"),
                condition(Conditions.SPLIT_BRAIN, Conditions.FALSE, "AtMostOneMaster")),
            Map.of("n1", NodeState.Master, "n2", NodeState.Backup),
            Set.of()),
        false);
    metrics.reconciled(true, Duration.ofMillis(7));
    String s = scrape(registry);
    assertThat(s)
        .contains("virtualip_master{node=\"n1\",virtualip=\"vi-1\"} 1.0")
        .contains(
            "virtualip_condition{condition=\"Ready\",reason=\"MasterElected\",status=\"True\",virtualip=\"vi-1\"} 1.0")
        .contains("virtualip_node_state{node=\"n2\",state=\"Backup\",virtualip=\"vi-1\"} 1.0")
        .contains("virtualip_master_age_seconds{virtualip=\"vi-1\"} 30.0")
        .contains("virtualip_reconcile_seconds_bucket{le=\"0.005\"} 0")
        .contains("virtualip_reconcile_seconds_bucket{le=\"0.01\"} 1")
        .doesNotContain("virtualip_node_agent_down{");

    // n1's agent dies; no master for a moment: the master series goes, the age restarts, n1 shows
    // Unknown.
    clock.advance(Duration.ofSeconds(5));
    metrics.observed(
        "vi-1",
        new OperatorMetrics.Observation(
            null,
            List.of(
                condition(Conditions.READY, Conditions.FALSE, "NoMaster"),
                condition(Conditions.DEGRADED, Conditions.TRUE, "AgentDown")),
            Map.of("n1", NodeState.Unknown, "n2", NodeState.Backup),
            Set.of("n1")),
        false);
    clock.advance(Duration.ofSeconds(2));
    s = scrape(registry);
    assertThat(s)
        .doesNotContain("virtualip_master{")
        .contains(
            "virtualip_condition{condition=\"Ready\",reason=\"NoMaster\",status=\"False\",virtualip=\"vi-1\"} 1.0")
        .doesNotContain("reason=\"MasterElected\"")
        .contains("virtualip_node_agent_down{node=\"n1\",virtualip=\"vi-1\"} 1.0")
        .contains("virtualip_node_state{node=\"n1\",state=\"Unknown\",virtualip=\"vi-1\"} 1.0")
        .contains("virtualip_master_age_seconds{virtualip=\"vi-1\"} 2.0");

    metrics.forget("vi-1");
    assertThat(scrape(registry)).doesNotContain("virtualip=\"vi-1\"");
  }

  /**
   * Each VirtualIP's series are replaced on their own (issue 14): a change of one leaves the
   * others' as they were, and so does a deletion.
   */
  @Test
  void oneVirtualIpsChangeReplacesOnlyItsOwnSeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry, new MutableClock());
    for (String vip : List.of("vi-a", "vi-b")) {
      metrics.observed(
          vip,
          new OperatorMetrics.Observation(
              "n1",
              List.of(condition(Conditions.READY, Conditions.TRUE, "MasterElected")),
              Map.of("n1", NodeState.Master, "n2", NodeState.Backup),
              Set.of()),
          false);
    }

    metrics.observed(
        "vi-a",
        new OperatorMetrics.Observation(
            "n2",
            List.of(condition(Conditions.READY, Conditions.TRUE, "MasterElected")),
            Map.of("n1", NodeState.Unknown, "n2", NodeState.Master),
            Set.of("n1")),
        false);
    String s = scrape(registry);
    assertThat(s)
        .contains("virtualip_master{node=\"n2\",virtualip=\"vi-a\"} 1.0")
        .doesNotContain("virtualip_master{node=\"n1\",virtualip=\"vi-a\"}")
        .contains("virtualip_node_agent_down{node=\"n1\",virtualip=\"vi-a\"} 1.0")
        .contains("virtualip_master{node=\"n1\",virtualip=\"vi-b\"} 1.0")
        .contains("virtualip_node_state{node=\"n1\",state=\"Master\",virtualip=\"vi-b\"} 1.0")
        .doesNotContain("virtualip_node_agent_down{node=\"n1\",virtualip=\"vi-b\"}");

    metrics.forget("vi-a");
    s = scrape(registry);
    assertThat(s)
        .doesNotContain("virtualip=\"vi-a\"")
        .contains("virtualip_master{node=\"n1\",virtualip=\"vi-b\"} 1.0")
        .contains("virtualip_master_age_seconds{virtualip=\"vi-b\"}");
  }

  /**
   * The text format of the simpleclient registry ends label sets with a comma; Prometheus reads
   * both.
   */
  private static String scrape(PrometheusMeterRegistry registry) {
    return registry.scrape().replace(",}", "}");
  }

  private static OperatorMetrics.Observation observation(
      String master, io.fabric8.kubernetes.api.model.Condition c) {
    return new OperatorMetrics.Observation(master, List.of(c), Map.of(), Set.of());
  }

  private static double gauge(SimpleMeterRegistry registry, String condition, String status) {
    return registry
        .get("virtualip.resources")
        .tags("condition", condition, "status", status)
        .gauge()
        .value();
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      String type, String status, String reason) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).build();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
