package io.virtualip.agent.vrrp;

import java.net.InetAddress;
import java.util.List;

/**
 * An immutable picture of one instance for status reporting and the split-brain diagnosis.
 *
 * @param vrid the virtual router
 * @param state current state
 * @param configuredPriority priority from the configuration
 * @param effectivePriority priority after track weights, the one we advertise
 * @param masterAddress who we believe is master (ourselves when MASTER); null if nobody heard yet
 * @param masterPriority that master's last advertised priority, -1 if unknown
 * @param masterAdverIntervalCentis Master_Adver_Interval (v3: learned from the master)
 * @param lastTransitionReason the human reason of the last state change, "" before the first one
 * @param lastTransitionNanos clock value of the last state change
 * @param counters counters at the time of the snapshot
 * @param peers the peer table
 */
public record InstanceStatus(
    int vrid,
    State state,
    int configuredPriority,
    int effectivePriority,
    InetAddress masterAddress,
    int masterPriority,
    int masterAdverIntervalCentis,
    String lastTransitionReason,
    long lastTransitionNanos,
    Counters.CounterSnapshot counters,
    List<PeerTable.PeerStatus> peers) {}
