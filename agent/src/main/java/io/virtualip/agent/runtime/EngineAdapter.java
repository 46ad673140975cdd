package io.virtualip.agent.runtime;

import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.contract.FaultReason;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The glue's {@link InstanceEngine} on the standalone {@link Agent}: the spec compiler's {@link
 * VipDefinition} runs as it is (the same definition file mode runs), and the agent's {@link
 * InstanceReport} becomes an {@link InstanceSnapshot}.
 *
 * <p>Interface tracks are the agent's own (netlink); httpGet and pods tracks become external tracks
 * named {@code tracks[i] ...}. The agent probes the httpGet ones itself ({@link HttpGetChecks}, as
 * in standalone mode); the glue reports the pods ones by name. The agent already keeps the
 * step-down flag and the reported health of unchanged external tracks across a replacement, and
 * counts an unreported track as failing; that holds here because an external track's name is
 * derived from its index and content only, so equal tracks give equal definitions.
 *
 * <p>A VirtualIP the spec compiler refuses ({@link #refuse}) stops the instance, and the instance
 * is reported in Fault (reason code InvalidSpec) with the problem as its reason rather than
 * silently kept on the old configuration.
 */
public final class EngineAdapter implements InstanceEngine {

  private final Agent agent;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** Instances whose configuration could not be converted, reported as Fault with the problem. */
  private final Map<String, InstanceSnapshot> invalid = new ConcurrentHashMap<>();

  /**
   * Wall-clock time of each instance's last transition, so that renewals report the same {@code
   * since}.
   */
  private final Map<String, Since> since = new ConcurrentHashMap<>();

  private record Since(long loopNanos, Instant wall) {}

  /**
   * @param agent a started agent; this adapter is its only user besides the control socket
   */
  public EngineAdapter(Agent agent) {
    this(agent, Clock.systemUTC());
  }

  EngineAdapter(Agent agent, Clock clock) {
    this.agent = agent;
    this.clock = clock;
    agent.addListener(
        (name, from, to, reason, report) -> {
          InstanceSnapshot snapshot = toSnapshot(name, report);
          for (Listener l : listeners) {
            l.updated(name, snapshot);
          }
        });
  }

  @Override
  public void apply(String name, VipDefinition config) {
    invalid.remove(name);
    agent.apply(config);
  }

  @Override
  public void refuse(String name, String problem) {
    agent.remove(name);
    since.remove(name);
    InstanceSnapshot fault =
        new InstanceSnapshot(
            NodeState.Fault,
            0,
            0,
            null,
            null,
            clock.instant(),
            "invalid configuration: " + problem,
            0,
            0,
            Map.of(),
            List.of(),
            FaultReason.INVALID_SPEC);
    invalid.put(name, fault);
    listeners.forEach(l -> l.updated(name, fault));
  }

  @Override
  public void remove(String name) {
    invalid.remove(name);
    since.remove(name);
    agent.remove(name);
  }

  @Override
  public void stepDown(String name, boolean stepDown) {
    agent.stepDown(name, stepDown);
  }

  @Override
  public void trackChanged(String name, String trackName, boolean healthy) {
    agent.trackChanged(name, trackName, healthy);
  }

  @Override
  public Optional<InstanceSnapshot> snapshot(String name) {
    InstanceSnapshot fault = invalid.get(name);
    if (fault != null) {
      return Optional.of(fault);
    }
    return agent.snapshot(name).map(report -> toSnapshot(name, report));
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  // ------------------------------------------------------------------ conversions

  InstanceSnapshot toSnapshot(String name, InstanceReport report) {
    InstanceStatus s = report.status();
    Instant now = clock.instant();
    Instant entered =
        report.sinceNanos() == Long.MIN_VALUE
            ? null
            : since
                .compute(
                    name,
                    (k, known) ->
                        known != null && known.loopNanos() == report.sinceNanos()
                            ? known
                            : new Since(
                                report.sinceNanos(),
                                now.minusNanos(report.nowNanos() - report.sinceNanos())))
                .wall();
    if (s == null) {
      return new InstanceSnapshot(
          NodeState.Fault,
          report.definition().priority(),
          0,
          null,
          null,
          entered,
          report.reason(),
          0,
          0,
          Map.of(),
          List.of(),
          report.detachedCode());
    }
    List<InstanceSnapshot.Peer> peers = new ArrayList<>();
    for (PeerTable.PeerStatus p : s.peers()) {
      // A peer whose packets were all rejected was never heard as a router; the rejected counters
      // explain it.
      if (p.lastPriority() >= 0) {
        peers.add(
            new InstanceSnapshot.Peer(
                p.address().getHostAddress(),
                p.lastPriority(),
                now.minusNanos(report.nowNanos() - p.lastHeardNanos())));
      }
    }
    return new InstanceSnapshot(
        state(s.state()),
        report.definition().priority(),
        s.effectivePriority(),
        s.masterAddress() == null ? null : s.masterAddress().getHostAddress(),
        report.ownAddress(),
        entered,
        report.reason(),
        s.counters().advertsSent(),
        s.counters().advertsReceived(),
        s.counters().rejected(),
        peers,
        s.state() == io.virtualip.agent.vrrp.State.FAULT ? FaultReason.TRACK_FAILING : null);
  }

  static NodeState state(io.virtualip.agent.vrrp.State state) {
    return switch (state) {
      case INITIALIZE -> NodeState.Init;
      case BACKUP -> NodeState.Backup;
      case MASTER -> NodeState.Master;
      case FAULT -> NodeState.Fault;
    };
  }
}
