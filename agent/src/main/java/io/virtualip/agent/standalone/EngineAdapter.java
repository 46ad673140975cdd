package io.virtualip.agent.standalone;

import io.virtualip.agent.config.AddressPrefix;
import io.virtualip.agent.config.VipDefinition;
import io.virtualip.agent.kubernetes.InstanceEngine;
import io.virtualip.agent.kubernetes.InstanceSnapshot;
import io.virtualip.agent.kubernetes.ResolvedInstance;
import io.virtualip.agent.kubernetes.ResolvedTrack;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeState;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Agent} as the Kubernetes glue's {@link InstanceEngine}: maps each {@link ResolvedInstance} onto a
 * {@link VipDefinition} and each {@link InstanceReport} onto an {@link InstanceSnapshot}. Interface tracks are the
 * agent's own (netlink); httpGet and pods tracks become external tracks named {@code tracks[i] ...}, whose health
 * the glue reports by index.
 */
public final class EngineAdapter implements InstanceEngine {

    private final Agent agent;
    /** The external track name of each track index, per instance, for {@link #trackChanged}. */
    private final Map<String, List<String>> trackNames = new ConcurrentHashMap<>();

    public EngineAdapter(Agent agent) {
        this.agent = agent;
    }

    @Override
    public void apply(String name, ResolvedInstance config) {
        VipDefinition definition = definition(name, config);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < config.tracks().size(); i++) {
            names.add(trackName(i, config.tracks().get(i)));
        }
        trackNames.put(name, names);
        agent.apply(definition);
    }

    @Override
    public void remove(String name) {
        trackNames.remove(name);
        agent.remove(name);
    }

    @Override
    public void stepDown(String name, boolean stepDown) {
        agent.stepDown(name, stepDown);
    }

    @Override
    public void trackChanged(String name, int trackIndex, boolean healthy) {
        List<String> names = trackNames.get(name);
        if (names != null && trackIndex >= 0 && trackIndex < names.size()) {
            agent.trackChanged(name, names.get(trackIndex), healthy);
        }
    }

    @Override
    public Optional<InstanceSnapshot> snapshot(String name) {
        return agent.snapshot(name).map(EngineAdapter::snapshot);
    }

    @Override
    public void addListener(Listener listener) {
        agent.addListener((name, from, to, reason, report) -> listener.updated(name, snapshot(report)));
    }

    static VipDefinition definition(String name, ResolvedInstance c) {
        List<AddressPrefix> addresses = new ArrayList<>();
        for (String a : c.addresses()) {
            addresses.add(AddressPrefix.parse(a));
        }
        List<InetAddress> peers = new ArrayList<>();
        if (c.mode() == Mode.Unicast) {
            for (String p : c.unicastPeers()) {
                peers.add(AddressPrefix.parseAddress(p));
            }
        }
        List<VipDefinition.InterfaceTrack> interfaceTracks = new ArrayList<>();
        List<VipDefinition.ExternalTrack> external = new ArrayList<>();
        for (int i = 0; i < c.tracks().size(); i++) {
            ResolvedTrack t = c.tracks().get(i);
            if (t instanceof ResolvedTrack.InterfaceTrack it) {
                interfaceTracks.add(new VipDefinition.InterfaceTrack(it.interfaceName(), it.weight()));
            } else {
                // The glue probes these and reports by index, so the agent must not run its own httpGet check.
                external.add(new VipDefinition.ExternalTrack(trackName(i, t), t.weight(), null));
            }
        }
        return new VipDefinition("VirtualIP " + name, name, c.interfaceName(), addresses, c.virtualRouterId(),
                c.version(), c.priority(), (int) (c.advertisementInterval().toMillis() / 10), c.preempt(),
                c.preemptDelay(), c.password(), peers, interfaceTracks, external);
    }

    private static String trackName(int index, ResolvedTrack t) {
        if (t instanceof ResolvedTrack.HttpGetTrack h) {
            return "tracks[" + index + "] httpGet " + h.host() + ":" + h.port() + h.path();
        }
        if (t instanceof ResolvedTrack.PodsTrack) {
            return "tracks[" + index + "] pods";
        }
        return "tracks[" + index + "] interface " + ((ResolvedTrack.InterfaceTrack) t).interfaceName();
    }

    static InstanceSnapshot snapshot(InstanceReport report) {
        InstanceStatus s = report.status();
        // The core keeps monotonic nanoseconds; the API wants wall-clock instants.
        Instant now = Instant.now();
        if (s == null) {
            return new InstanceSnapshot(NodeState.Fault, report.definition().priority(), 0, null, null, now,
                    report.reason(), 0, 0, Map.of(), List.of());
        }
        List<InstanceSnapshot.Peer> peers = new ArrayList<>();
        for (PeerTable.PeerStatus p : s.peers()) {
            if (p.lastPriority() >= 0) {
                peers.add(new InstanceSnapshot.Peer(p.address().getHostAddress(), p.lastPriority(),
                        now.minusNanos(report.nowNanos() - p.lastHeardNanos())));
            }
        }
        return new InstanceSnapshot(state(s), s.configuredPriority(), s.effectivePriority(),
                s.masterAddress() == null ? null : s.masterAddress().getHostAddress(), report.ownAddress(),
                now.minusNanos(report.nowNanos() - s.lastTransitionNanos()), report.reason(),
                s.counters().advertsSent(), s.counters().advertsReceived(), s.counters().rejected(), peers);
    }

    private static NodeState state(InstanceStatus s) {
        return switch (s.state()) {
            case INITIALIZE -> NodeState.Init;
            case BACKUP -> NodeState.Backup;
            case MASTER -> NodeState.Master;
            case FAULT -> NodeState.Fault;
        };
    }
}
