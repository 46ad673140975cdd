package io.virtualip.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.virtualip.api.v1.Conditions;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  /**
   * Quarkus restarts the application between test profiles while a registry may live on; the gauges must then count
   * the new bean's VirtualIPs, not the earlier bean's (whose map, held weakly, could also be collected: a flaky
   * missing virtualip_resources series in AgentReportsTest).
   */
  @Test
  void resourcesGaugeCountsTheLatestBeansVirtualIps() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics earlier = new OperatorMetrics(registry);
    earlier.observed("old", List.of(condition(Conditions.READY, Conditions.FALSE)), false);

    OperatorMetrics current = new OperatorMetrics(registry);
    current.observed("a", List.of(condition(Conditions.READY, Conditions.TRUE)), false);
    current.observed("b", List.of(condition(Conditions.READY, Conditions.TRUE)), false);

    assertThat(gauge(registry, Conditions.READY, Conditions.TRUE)).isEqualTo(2.0);
    assertThat(gauge(registry, Conditions.READY, Conditions.FALSE)).isZero();
    assertThat(registry.find("virtualip.resources").gauges()).hasSize(9); // 3 conditions x 3 statuses, once each
  }

  private static double gauge(SimpleMeterRegistry registry, String condition, String status) {
    return registry.get("virtualip.resources").tags("condition", condition, "status", status).gauge().value();
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(String type, String status) {
    return new ConditionBuilder().withType(type).withStatus(status).build();
  }
}
