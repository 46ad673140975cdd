package io.virtualip.agent.kubernetes;

import io.virtualip.api.v1.Mode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything one node's engine needs to run one VirtualIP, resolved from the resource, this node, the other nodes and
 * the Secrets. A record with value equality: the glue applies a VirtualIP again only when this changes, so an edit of
 * one VirtualIP (or of something another VirtualIP depends on) never restarts an unrelated election.
 *
 * @param virtualRouterId       VRID: the operator's status.virtualRouterId (never spec.virtualRouterId directly)
 * @param version               2 (RFC 3768) or 3 (RFC 5798)
 * @param addresses             virtual addresses with prefix length, one family
 * @param interfaceName         the interface from the spec, or null: the engine picks the one whose subnet holds the
 *                              first address
 * @param advertisementInterval Advertisement_Interval
 * @param priority              this node's priority: spec.priorities[node], else spec.defaultPriority
 * @param preempt               Preempt_Mode
 * @param preemptDelay          keepalived's preempt_delay
 * @param mode                  Multicast or Unicast
 * @param unicastPeers          Unicast only: spec.unicastPeers, else the InternalIPs of the other selected nodes of the
 *                              same family (sorted); empty for Multicast
 * @param password              VRRPv2 simple text password bytes, or null for no authentication
 * @param tracks                health inputs in spec order (their index is the track index of the engine's API)
 */
public record ResolvedInstance(int virtualRouterId, int version, List<String> addresses, String interfaceName,
    Duration advertisementInterval, int priority, boolean preempt, Duration preemptDelay, Mode mode,
    List<String> unicastPeers, byte[] password, List<ResolvedTrack> tracks) {

  public ResolvedInstance {
    addresses = List.copyOf(addresses);
    unicastPeers = List.copyOf(unicastPeers);
    tracks = List.copyOf(tracks);
    password = password == null ? null : password.clone();
  }

  @Override
  public byte[] password() {
    return password == null ? null : password.clone();
  }

  // A record compares arrays by identity; the password must compare by content for "nothing changed" to hold.
  @Override
  public boolean equals(Object o) {
    return o instanceof ResolvedInstance r
        && virtualRouterId == r.virtualRouterId && version == r.version && priority == r.priority
        && preempt == r.preempt && addresses.equals(r.addresses)
        && Objects.equals(interfaceName, r.interfaceName)
        && advertisementInterval.equals(r.advertisementInterval) && preemptDelay.equals(r.preemptDelay)
        && mode == r.mode && unicastPeers.equals(r.unicastPeers) && Arrays.equals(password, r.password)
        && tracks.equals(r.tracks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(virtualRouterId, version, addresses, interfaceName, advertisementInterval, priority,
        preempt, preemptDelay, mode, unicastPeers, Arrays.hashCode(password), tracks);
  }

  /** Never prints the password: this record ends up in logs. */
  @Override
  public String toString() {
    return "ResolvedInstance[vrid=" + virtualRouterId + ", version=" + version + ", addresses=" + addresses
        + ", interface=" + interfaceName + ", advertisementInterval=" + advertisementInterval + ", priority=" + priority
        + ", preempt=" + preempt + ", preemptDelay=" + preemptDelay + ", mode=" + mode + ", unicastPeers="
        + unicastPeers + ", password=" + (password == null ? "none" : "***") + ", tracks=" + tracks + "]";
  }
}
