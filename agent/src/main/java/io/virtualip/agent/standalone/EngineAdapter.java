package io.virtualip.agent.standalone;

import io.virtualip.agent.config.AddressPrefix;
import io.virtualip.agent.config.VipDefinition;
import io.virtualip.agent.kubernetes.InstanceEngine;
import io.virtualip.agent.kubernetes.InstanceSnapshot;
import io.virtualip.agent.kubernetes.ResolvedInstance;
import io.virtualip.agent.kubernetes.ResolvedTrack;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.api.v1.NodeState;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The glue's {@link InstanceEngine} on the standalone {@link Agent}: a {@link ResolvedInstance} becomes a
 * {@link VipDefinition}, a track index becomes the name of an external track, and the agent's
 * {@link InstanceReport} becomes an {@link InstanceSnapshot}.
 *
 * <p>Interface tracks are the agent's own (netlink); httpGet and pods tracks become external tracks named
 * {@code tracks[i] ...}. The agent probes the httpGet ones itself ({@link HttpGetChecks}, as in standalone mode);
 * the glue reports the pods ones by index. The agent already keeps the step-down flag and the
 * reported health of unchanged external tracks across a replacement, and counts an unreported track as failing; that
 * holds here because an external track's name is derived from its index and content only, so equal tracks give
 * equal definitions.
 *
 * <p>A resolved configuration that cannot become a definition (an address that does not parse, an interval that is
 * not whole centiseconds; the CRD's rules normally keep those out) stops the instance, and the instance is reported
 * in Fault with the problem as its reason rather than silently kept on the old configuration.
 */
public final class EngineAdapter implements InstanceEngine {

    private final Agent agent;
    private final Clock clock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Per instance, the external track name of each track index (null for interface tracks, the agent's own). */
    private final Map<String, List<String>> trackNames = new ConcurrentHashMap<>();
    /** Instances whose configuration could not be converted, reported as Fault with the problem. */
    private final Map<String, InstanceSnapshot> invalid = new ConcurrentHashMap<>();
    /** Wall-clock time of each instance's last transition, so that renewals report the same {@code since}. */
    private final Map<String, Since> since = new ConcurrentHashMap<>();

    private record Since(long loopNanos, Instant wall) {
    }

    /** @param agent a started agent; this adapter is its only user besides the control socket */
    public EngineAdapter(Agent agent) {
        this(agent, Clock.systemUTC());
    }

    EngineAdapter(Agent agent, Clock clock) {
        this.agent = agent;
        this.clock = clock;
        agent.addListener((name, from, to, reason, report) -> {
            InstanceSnapshot snapshot = toSnapshot(name, report);
            for (Listener l : listeners) {
                l.updated(name, snapshot);
            }
        });
    }

    @Override
    public void apply(String name, ResolvedInstance config) {
        VipDefinition definition;
        try {
            definition = definition(name, config);
        } catch (IllegalArgumentException e) {
            agent.remove(name);
            trackNames.remove(name);
            InstanceSnapshot fault = new InstanceSnapshot(NodeState.Fault, config.priority(), 0, null, null,
                    clock.instant(), "invalid configuration: " + e.getMessage(), 0, 0, Map.of(), List.of());
            invalid.put(name, fault);
            listeners.forEach(l -> l.updated(name, fault));
            return;
        }
        invalid.remove(name);
        trackNames.put(name, externalTrackNames(config.tracks()));
        agent.apply(definition);
    }

    @Override
    public void remove(String name) {
        invalid.remove(name);
        trackNames.remove(name);
        since.remove(name);
        agent.remove(name);
    }

    @Override
    public void stepDown(String name, boolean stepDown) {
        agent.stepDown(name, stepDown);
    }

    @Override
    public void trackChanged(String name, int trackIndex, boolean healthy) {
        List<String> names = trackNames.get(name);
        if (names == null || trackIndex < 0 || trackIndex >= names.size() || names.get(trackIndex) == null) {
            // Not running, or an interface track: the glue has nothing to say about those.
            return;
        }
        agent.trackChanged(name, names.get(trackIndex), healthy);
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

    /**
     * The agent's definition of VirtualIP {@code name} on this node. The resolver has applied the defaults and picked
     * this node's priority, peers and password; what is left is changing representation.
     *
     * @throws IllegalArgumentException when a value cannot be represented (the message names the field)
     */
    static VipDefinition definition(String name, ResolvedInstance r) {
        List<AddressPrefix> addresses = new ArrayList<>();
        for (int i = 0; i < r.addresses().size(); i++) {
            try {
                addresses.add(AddressPrefix.parse(r.addresses().get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spec.addresses[" + i + "]: " + e.getMessage(), e);
            }
        }
        List<InetAddress> peers = new ArrayList<>();
        for (String peer : r.unicastPeers()) {
            try {
                peers.add(AddressPrefix.parseAddress(peer));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unicast peer: " + e.getMessage(), e);
            }
        }
        long millis = r.advertisementInterval().toMillis();
        if (millis % 10 != 0 || r.advertisementInterval().toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("spec.advertisementInterval: " + r.advertisementInterval()
                    + " is not a whole number of centiseconds (the advert's unit, RFC 5798 section 5.2.7)");
        }
        List<VipDefinition.InterfaceTrack> interfaceTracks = new ArrayList<>();
        List<VipDefinition.ExternalTrack> externalTracks = new ArrayList<>();
        List<String> names = externalTrackNames(r.tracks());
        for (int i = 0; i < r.tracks().size(); i++) {
            ResolvedTrack t = r.tracks().get(i);
            if (t instanceof ResolvedTrack.InterfaceTrack it) {
                interfaceTracks.add(new VipDefinition.InterfaceTrack(it.interfaceName(), it.weight()));
            } else if (t instanceof ResolvedTrack.HttpGetTrack h) {
                // The agent probes these itself (HttpGetChecks), the same check as in standalone mode.
                ResolvedTrack.Thresholds th = h.thresholds();
                VipDefinition.HttpGetCheck check = new VipDefinition.HttpGetCheck(h.host(), h.port(), h.path(),
                        th.intervalSeconds(), th.failureThreshold(), th.successThreshold());
                externalTracks.add(new VipDefinition.ExternalTrack(names.get(i), t.weight(), check));
            } else {
                // The glue evaluates these and reports them by index.
                externalTracks.add(new VipDefinition.ExternalTrack(names.get(i), t.weight(), null));
            }
        }
        return new VipDefinition("VirtualIP " + name, name, r.interfaceName(), addresses, r.virtualRouterId(),
                r.version(), r.priority(), (int) Math.min(Integer.MAX_VALUE, millis / 10), r.preempt(), r.preemptDelay(),
                r.password(), peers, interfaceTracks, externalTracks);
    }

    /**
     * Names that appear in the agent's log and transition reasons ({@code track tracks[1] httpGet ... failed}); the
     * index makes them unique, the content makes a changed track a different track.
     */
    static List<String> externalTrackNames(List<ResolvedTrack> tracks) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tracks.size(); i++) {
            ResolvedTrack t = tracks.get(i);
            String prefix = "tracks[" + i + "] ";
            if (t instanceof ResolvedTrack.HttpGetTrack h) {
                names.add(prefix + "httpGet " + h.host() + ":" + h.port() + h.path());
            } else if (t instanceof ResolvedTrack.PodsTrack p) {
                names.add(prefix + "pods in " + p.namespace() + " "
                        + (p.selector() == null ? "{}" : p.selector().getMatchLabels()));
            } else {
                names.add(null);
            }
        }
        return Collections.unmodifiableList(names);
    }

    InstanceSnapshot toSnapshot(String name, InstanceReport report) {
        InstanceStatus s = report.status();
        Instant now = clock.instant();
        Instant entered = report.sinceNanos() == Long.MIN_VALUE ? null : since.compute(name, (k, known) ->
                known != null && known.loopNanos() == report.sinceNanos() ? known
                        : new Since(report.sinceNanos(), now.minusNanos(report.nowNanos() - report.sinceNanos()))).wall();
        if (s == null) {
            return new InstanceSnapshot(NodeState.Fault, report.definition().priority(), 0, null, null, entered,
                    report.reason(), 0, 0, Map.of(), List.of());
        }
        List<InstanceSnapshot.Peer> peers = new ArrayList<>();
        for (PeerTable.PeerStatus p : s.peers()) {
            // A peer whose packets were all rejected was never heard as a router; the rejected counters explain it.
            if (p.lastPriority() >= 0) {
                peers.add(new InstanceSnapshot.Peer(p.address().getHostAddress(), p.lastPriority(),
                        now.minusNanos(report.nowNanos() - p.lastHeardNanos())));
            }
        }
        return new InstanceSnapshot(state(s.state()), report.definition().priority(), s.effectivePriority(),
                s.masterAddress() == null ? null : s.masterAddress().getHostAddress(),
                report.ownAddress(), entered, report.reason(),
                s.counters().advertsSent(), s.counters().advertsReceived(), s.counters().rejected(), peers);
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
