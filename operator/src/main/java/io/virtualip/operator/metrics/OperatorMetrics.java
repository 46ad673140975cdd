package io.virtualip.operator.metrics;

import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.virtualip.api.v1.Conditions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics: {@code virtualip_reconciles_total{result}}, {@code virtualip_resources{condition,status}},
 * {@code virtualip_split_brain_total} (split brains begun) and {@code virtualip_split_brain_seconds{virtualip}} (how
 * long the current split brain of each VirtualIP has lasted; the series disappears when it ends).
 */
@ApplicationScoped
public class OperatorMetrics {
  private static final List<String> TYPES = List.of(Conditions.READY, Conditions.SPLIT_BRAIN, Conditions.DEGRADED);
  private static final List<String> STATUSES = List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN);

  private final MeterRegistry registry;
  private final Clock clock = Clock.systemUTC();
  private final Counter splitBrains;
  private final MultiGauge splitBrainSeconds;
  /** Conditions by VirtualIP name, the source of virtualip_resources. */
  private final Map<String, Map<String, String>> conditions = new ConcurrentHashMap<>();
  private final Map<String, Instant> splitBrainSince = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.splitBrains = Counter.builder("virtualip.split.brain")
        .description("Split brains begun: two or more live nodes claimed Master of one VirtualIP")
        .register(registry);
    this.splitBrainSeconds = MultiGauge.builder("virtualip.split.brain.seconds")
        .description("How long the current split brain of a VirtualIP has lasted")
        .register(registry);
    // A registry can outlive this bean (Quarkus restarts the application between test profiles, and Micrometer
    // returns an existing gauge of the same name and tags, still bound to the earlier bean's map). Registering anew
    // binds these gauges to this bean; the strong reference keeps them from reading a collected map as NaN.
    registry.find("virtualip.resources").meters().forEach(registry::remove);
    for (String type : TYPES) {
      for (String status : STATUSES) {
        Gauge.builder("virtualip.resources", conditions, c -> count(c, type, status))
            .description("VirtualIPs by condition and status")
            .tags("condition", type, "status", status)
            .strongReference(true)
            .register(registry);
      }
    }
  }

  public void reconciled(boolean success) {
    registry.counter("virtualip.reconciles", "result", success ? "success" : "error").increment();
  }

  public void observed(String vip, List<Condition> current, boolean splitBrain) {
    Map<String, String> byType = new ConcurrentHashMap<>();
    current.forEach(c -> byType.put(c.getType(), c.getStatus()));
    conditions.put(vip, byType);
    boolean changed;
    if (splitBrain) {
      changed = splitBrainSince.putIfAbsent(vip, Instant.now(clock)) == null;
      if (changed) {
        splitBrains.increment();
      }
    } else {
      changed = splitBrainSince.remove(vip) != null;
    }
    if (changed) {
      publishSplitBrainDurations();
    }
  }

  public void forget(String vip) {
    conditions.remove(vip);
    if (splitBrainSince.remove(vip) != null) {
      publishSplitBrainDurations();
    }
  }

  private void publishSplitBrainDurations() {
    splitBrainSeconds.register(splitBrainSince.entrySet().stream()
        .map(e -> MultiGauge.Row.of(Tags.of("virtualip", e.getKey()), e.getValue(),
            since -> Duration.between(since, Instant.now(clock)).toMillis() / 1000.0))
        .toList(), true);
  }

  private static double count(Map<String, Map<String, String>> conditions, String type, String status) {
    return conditions.values().stream().filter(c -> status.equals(c.get(type))).count();
  }
}
