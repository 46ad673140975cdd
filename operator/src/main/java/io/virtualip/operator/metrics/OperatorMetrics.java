package io.virtualip.operator.metrics;

import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics of the operator (names as Prometheus shows them):
 *
 * <ul>
 *   <li>{@code virtualip_reconciles_total{result}} and {@code virtualip_reconcile_seconds} (a
 *       histogram of reconcile durations);
 *   <li>{@code virtualip_resources{condition,status}}: VirtualIPs by condition;
 *   <li>{@code virtualip_split_brain_total} (split brains begun) and {@code
 *       virtualip_split_brain_seconds{virtualip}} (how long the current split brain has lasted; the
 *       series disappears when it ends);
 *   <li>per VirtualIP, info-style (value 1, one series for what holds now): {@code
 *       virtualip_master{virtualip,node}} (absent while there is no master), {@code
 *       virtualip_condition{virtualip,condition,status,reason}} (Ready, SplitBrain, Degraded),
 *       {@code virtualip_node_state{virtualip,node,state}} (each node's entry in status.nodes,
 *       Unknown when its agent is down) and {@code virtualip_node_agent_down{virtualip,node}}
 *       (selected nodes whose agent Lease expired);
 *   <li>{@code virtualip_master_age_seconds{virtualip}}: seconds since the master last changed (to
 *       the current one, or to none), counted from when this operator process first saw it.
 * </ul>
 *
 * Label values are node names, condition types/reasons and states: bounded by the cluster, never
 * per packet.
 */
@ApplicationScoped
public class OperatorMetrics {
  private static final List<String> TYPES =
      List.of(Conditions.READY, Conditions.SPLIT_BRAIN, Conditions.DEGRADED);
  private static final List<String> STATUSES =
      List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN);

  private final MeterRegistry registry;
  private final Clock clock;
  private final Counter splitBrains;
  private final Timer reconcileTimer;
  private final MultiGauge splitBrainSeconds;

  /**
   * The per-VirtualIP gauges registered for each VirtualIP's current view. Replaced one VirtualIP
   * at a time: rebuilding every VirtualIP's rows on each change, under one lock, made every
   * reconcile of a failover wait for the others (issue 14: seconds at 100 VirtualIPs).
   */
  private final Map<String, List<Meter>> perVirtualIp = new ConcurrentHashMap<>();

  /** Conditions by VirtualIP name, the source of virtualip_resources. */
  private final Map<String, Map<String, String>> conditions = new ConcurrentHashMap<>();

  private final Map<String, Instant> splitBrainSince = new ConcurrentHashMap<>();

  /** What the per-VirtualIP gauges show, by VirtualIP name. */
  private final Map<String, View> views = new ConcurrentHashMap<>();

  /**
   * What one VirtualIP looks like now, for the per-VirtualIP gauges.
   *
   * @param master the one live master, or null
   * @param conditions the conditions
   * @param nodes each reporting node's state (Unknown for a down agent)
   * @param agentDown selected nodes whose agent Lease expired
   */
  public record Observation(
      String master,
      List<Condition> conditions,
      Map<String, NodeState> nodes,
      Set<String> agentDown) {}

  private record View(Observation observation, Instant masterSince) {}

  @Inject
  public OperatorMetrics(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  OperatorMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.splitBrains =
        Counter.builder("virtualip.split.brain")
            .description(
                "Split brains begun: two or more live nodes claimed Master of one VirtualIP")
            .register(registry);
    this.reconcileTimer =
        Timer.builder("virtualip.reconcile")
            .description("Duration of one reconciliation of a VirtualIP")
            .serviceLevelObjectives(
                millis(5),
                millis(10),
                millis(25),
                millis(50),
                millis(100),
                millis(250),
                millis(500),
                millis(1000),
                millis(2500),
                millis(5000))
            .register(registry);
    this.splitBrainSeconds =
        MultiGauge.builder("virtualip.split.brain.seconds")
            .description("How long the current split brain of a VirtualIP has lasted")
            .register(registry);
    // A registry can outlive this bean (Quarkus restarts the application between test profiles, and
    // Micrometer returns an existing gauge of the same name and tags, still bound to the earlier
    // bean's map). Registering anew binds these gauges to this bean; the strong reference keeps
    // them from reading a collected map as NaN.
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

  /** How long one reconciliation took. */
  public void reconciled(boolean success, Duration took) {
    reconciled(success);
    reconcileTimer.record(took);
  }

  public void observed(String vip, Observation now, boolean splitBrain) {
    Map<String, String> byType = new ConcurrentHashMap<>();
    now.conditions().forEach(c -> byType.put(c.getType(), c.getStatus()));
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
    View before = views.get(vip);
    Instant since =
        before != null && Objects.equals(before.observation().master(), now.master())
            ? before.masterSince()
            : Instant.now(clock);
    View view = new View(now, since);
    if (!view.equals(before)) {
      views.put(vip, view);
      publish(vip);
    }
  }

  public void forget(String vip) {
    conditions.remove(vip);
    if (splitBrainSince.remove(vip) != null) {
      publishSplitBrainDurations();
    }
    if (views.remove(vip) != null) {
      publish(vip);
    }
  }

  private synchronized void publishSplitBrainDurations() {
    splitBrainSeconds.register(
        splitBrainSince.entrySet().stream()
            .map(
                e ->
                    MultiGauge.Row.of(
                        Tags.of("virtualip", e.getKey()),
                        e.getValue(),
                        since -> Duration.between(since, Instant.now(clock)).toMillis() / 1000.0))
            .toList(),
        true);
  }

  /** Replaces the gauges of one VirtualIP with those of its current view (none when gone). */
  private void publish(String vip) {
    perVirtualIp.compute(
        vip,
        (name, old) -> {
          if (old != null) {
            old.forEach(registry::remove);
          }
          View view = views.get(name);
          return view == null ? null : register(name, view);
        });
  }

  private List<Meter> register(String vip, View view) {
    List<Meter> meters = new ArrayList<>();
    Observation o = view.observation();
    if (o.master() != null) {
      meters.add(
          one("virtualip.master", MASTER_HELP, Tags.of("virtualip", vip, "node", o.master())));
    }
    for (Condition c : o.conditions()) {
      meters.add(
          one(
              "virtualip.condition",
              CONDITION_HELP,
              Tags.of(
                  "virtualip",
                  vip,
                  "condition",
                  c.getType(),
                  "status",
                  c.getStatus(),
                  "reason",
                  c.getReason() == null ? "" : c.getReason())));
    }
    new TreeMap<>(o.nodes())
        .forEach(
            (node, state) ->
                meters.add(
                    one(
                        "virtualip.node.state",
                        NODE_STATE_HELP,
                        Tags.of("virtualip", vip, "node", node, "state", state.name()))));
    o.agentDown()
        .forEach(
            node ->
                meters.add(
                    one(
                        "virtualip.node.agent.down",
                        AGENT_DOWN_HELP,
                        Tags.of("virtualip", vip, "node", node))));
    meters.add(
        Gauge.builder(
                "virtualip.master.age",
                view.masterSince(),
                since -> Duration.between(since, Instant.now(clock)).toMillis() / 1000.0)
            .description(MASTER_AGE_HELP)
            .baseUnit("seconds")
            .tags(Tags.of("virtualip", vip))
            .strongReference(true)
            .register(registry));
    return meters;
  }

  private Gauge one(String name, String help, Tags tags) {
    return Gauge.builder(name, () -> 1).description(help).tags(tags).register(registry);
  }

  private static final String MASTER_HELP =
      "1 for the node that is the one live master of a VirtualIP; no series while there is none";
  private static final String CONDITION_HELP =
      "1 for each condition of a VirtualIP with its current status and reason";
  private static final String NODE_STATE_HELP =
      "1 for each node's state in a VirtualIP's status.nodes (Unknown: its agent is down)";
  private static final String AGENT_DOWN_HELP =
      "1 for each selected node of a VirtualIP whose agent Lease has expired";
  private static final String MASTER_AGE_HELP =
      "Seconds since the master of a VirtualIP last changed (to the current one or to none)";

  private static Duration millis(long ms) {
    return Duration.ofMillis(ms);
  }

  private static double count(
      Map<String, Map<String, String>> conditions, String type, String status) {
    return conditions.values().stream().filter(c -> status.equals(c.get(type))).count();
  }
}
