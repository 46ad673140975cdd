package io.virtualip.agent.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.virtualip.agent.runtime.InstanceMetrics;
import io.virtualip.agent.runtime.InstanceReport;
import io.virtualip.agent.vrrp.Counters;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-VirtualIP metrics of one agent, built from the instances' snapshots when Prometheus scrapes:
 * nothing is counted here, so the per-advert path keeps its plain {@code long} increments.
 *
 * <p>Every series carries {@code virtualip}, {@code vrid}, {@code node} and {@code interface}. The
 * other labels are closed sets: {@code state} (the four states, one series each, 0 or 1), {@code
 * from}/{@code to}/{@code reason} of transitions ({@link io.virtualip.agent.vrrp.TransitionCause}
 * names), rejection {@code reason} (the validator's verdict names, every one exported from 0 so
 * that an alert's {@code increase()} sees the first rejection). No per-packet or per-peer labels.
 */
public final class AgentCollector implements MultiCollector {

  static final String STATE = "virtualip_agent_state";
  static final String PRIORITY = "virtualip_agent_priority";
  static final String EFFECTIVE_PRIORITY = "virtualip_agent_effective_priority";
  static final String TRANSITIONS = "virtualip_agent_transitions";
  static final String ADVERTS_SENT = "virtualip_agent_adverts_sent";
  static final String ADVERTS_RECEIVED = "virtualip_agent_adverts_received";
  static final String ADVERTS_REJECTED = "virtualip_agent_adverts_rejected";
  static final String MASTER_DOWN_EXPIRIES = "virtualip_agent_master_down_timer_expiries";
  static final String MASTER_ADVERT_AGE = "virtualip_agent_master_advert_age_seconds";
  static final String PEERS_HEARD = "virtualip_agent_peers_heard";

  private static final long NANOS_PER_CENTI = 10_000_000L;

  /**
   * A peer counts as heard when its last accepted advert is younger than this many of its
   * intervals.
   */
  private static final int HEARD_INTERVALS = 4;

  private final String node;
  private final Supplier<List<InstanceMetrics>> source;

  /**
   * @param source the instances' snapshots, e.g. {@link io.virtualip.agent.runtime.Agent#metrics}
   */
  public AgentCollector(String node, Supplier<List<InstanceMetrics>> source) {
    this.node = node;
    this.source = source;
  }

  @Override
  public MetricSnapshots collect() {
    List<InstanceMetrics> instances;
    try {
      instances = source.get();
    } catch (IllegalStateException e) {
      instances = List.of(); // the agent is stopping: the process metrics are still worth a scrape
    }
    Family state = new Family();
    Family priority = new Family();
    Family effective = new Family();
    Family transitions = new Family();
    Family sent = new Family();
    Family received = new Family();
    Family rejected = new Family();
    Family expiries = new Family();
    Family masterAge = new Family();
    Family peersHeard = new Family();
    for (InstanceMetrics m : instances) {
      InstanceReport r = m.report();
      InstanceStatus s = r.status();
      Labels base =
          Labels.of(
              "virtualip",
              r.definition().name(),
              "vrid",
              Integer.toString(r.definition().vrid()),
              "node",
              node,
              "interface",
              r.interfaceName() == null ? "" : r.interfaceName());
      State current = s == null ? State.FAULT : s.state(); // detached: FAULT, as status reports it
      for (State st : State.values()) {
        state.add(base.add("state", st.name()), st == current ? 1 : 0);
      }
      priority.add(base, r.definition().priority());
      effective.add(base, s == null ? 0 : s.effectivePriority());
      for (Map.Entry<InstanceMetrics.Transition, Long> t : m.transitions().entrySet()) {
        InstanceMetrics.Transition k = t.getKey();
        transitions.add(
            base.add("from", k.from())
                .add("to", k.to())
                .add("reason", k.cause() == null ? "" : k.cause().name()),
            t.getValue());
      }
      Counters.CounterSnapshot c = s == null ? null : s.counters();
      sent.add(base, c == null ? 0 : c.advertsSent());
      received.add(base, c == null ? 0 : c.advertsReceived());
      for (Verdict v : Verdict.values()) {
        if (!v.accepted()) {
          rejected.add(base.add("reason", v.name()), c == null ? 0 : c.rejected(v));
        }
      }
      expiries.add(base, m.masterDownExpiries());
      if (s != null) {
        peersHeard.add(base, peersHeard(s, r.nowNanos()));
        masterAdvertAge(s, r.nowNanos()).ifPresent(age -> masterAge.add(base, age));
      }
    }
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(
        state.gauge(
            STATE,
            "1 for the state the VRRP instance is in (INITIALIZE, BACKUP, MASTER, FAULT), else 0"));
    out.add(priority.gauge(PRIORITY, "Configured VRRP priority of this node"));
    out.add(
        effective.gauge(
            EFFECTIVE_PRIORITY,
            "Priority after track weights, the one advertised (0 when not running)"));
    out.add(transitions.counter(TRANSITIONS, "State changes by from, to and reason"));
    out.add(
        sent.counter(ADVERTS_SENT, "VRRP advertisements sent (per advert, not per unicast copy)"));
    out.add(received.counter(ADVERTS_RECEIVED, "VRRP advertisements received and accepted"));
    out.add(
        rejected.counter(
            ADVERTS_REJECTED, "Received packets rejected, by reason (the validator's verdict)"));
    out.add(
        expiries.counter(
            MASTER_DOWN_EXPIRIES, "Expiries of the Master_Down_Timer (RFC 5798 6.4.2)"));
    out.add(
        masterAge.gauge(
            MASTER_ADVERT_AGE,
            "Seconds since the last advertisement from the current master (absent while this node is master)"));
    out.add(
        peersHeard.gauge(
            PEERS_HEARD,
            "Routers whose advertisements were accepted within the last "
                + HEARD_INTERVALS
                + " intervals"));
    return new MetricSnapshots(out);
  }

  private static int peersHeard(InstanceStatus s, long nowNanos) {
    int n = 0;
    for (PeerTable.PeerStatus p : s.peers()) {
      if (p.lastPriority() >= 0
          && nowNanos - p.lastHeardNanos()
              < (long) HEARD_INTERVALS * Math.max(1, p.lastIntervalCentis()) * NANOS_PER_CENTI) {
        n++;
      }
    }
    return n;
  }

  private static java.util.Optional<Double> masterAdvertAge(InstanceStatus s, long nowNanos) {
    if (s.state() != State.BACKUP || s.masterAddress() == null) {
      return java.util.Optional.empty();
    }
    for (PeerTable.PeerStatus p : s.peers()) {
      if (p.address().equals(s.masterAddress()) && p.lastPriority() >= 0) {
        return java.util.Optional.of((nowNanos - p.lastHeardNanos()) / 1e9);
      }
    }
    return java.util.Optional.empty();
  }

  /** The data points of one metric family, collected before its snapshot is built. */
  private static final class Family {
    private final List<Labels> labels = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();

    void add(Labels l, double value) {
      labels.add(l);
      values.add(value);
    }

    GaugeSnapshot gauge(String name, String help) {
      GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
      for (int i = 0; i < labels.size(); i++) {
        b.dataPoint(
            GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
      }
      return b.build();
    }

    CounterSnapshot counter(String name, String help) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
      for (int i = 0; i < labels.size(); i++) {
        b.dataPoint(
            CounterDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
      }
      return b.build();
    }
  }
}
