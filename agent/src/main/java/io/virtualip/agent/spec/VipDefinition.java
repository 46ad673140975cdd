package io.virtualip.agent.spec;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * One VirtualIP, validated and resolved for this node by {@link
 * io.virtualip.agent.spec.SpecCompiler}: what the agent needs to run its VRRP instance, in file
 * mode and cluster mode alike.
 *
 * @param origin where it was defined, for error messages ({@code vips.yaml document 1 (VI_1)})
 * @param name metadata.name, used in logs and status (e.g. VI_1)
 * @param interfaceName spec.interface, or null to use the interface whose subnet holds the first
 *     address
 * @param addresses spec.addresses, all of one family
 * @param vrid spec.virtualRouterId (or status.virtualRouterId, where the operator put it)
 * @param version 2 or 3
 * @param priority spec.priorities[node], else spec.defaultPriority
 * @param advertIntervalCentis spec.advertisementInterval in centiseconds
 * @param preempt spec.preempt
 * @param preemptDelay spec.preemptDelay
 * @param password the VRRPv2 simple text password (1..8 bytes), or null for none
 * @param unicastPeers peers for mode Unicast, empty for Multicast
 * @param tracks interface tracks
 * @param externalTracks tracks not about interfaces: httpGet checks the agent runs itself, or
 *     tracks whose health someone else reports ({@code Agent#trackChanged}, e.g. Kubernetes pods);
 *     failing until first reported
 */
public record VipDefinition(
    String origin,
    String name,
    String interfaceName,
    List<AddressPrefix> addresses,
    int vrid,
    int version,
    int priority,
    int advertIntervalCentis,
    boolean preempt,
    Duration preemptDelay,
    byte[] password,
    List<InetAddress> unicastPeers,
    List<InterfaceTrack> tracks,
    List<ExternalTrack> externalTracks) {

  /**
   * Healthy while {@code interfaceName} is up with carrier; keepalived's track_interface with a
   * weight.
   */
  public record InterfaceTrack(String interfaceName, int weight) {}

  /**
   * A health input with keepalived weight semantics like every track.
   *
   * @param httpGet the check the agent runs for it, or null when its health is reported from
   *     outside
   * @param pods in a cluster, the pods whose readiness on this node the Kubernetes glue reports for
   *     it; else null
   */
  public record ExternalTrack(String name, int weight, HttpGetCheck httpGet, PodsCheck pods) {
    public ExternalTrack(String name, int weight, HttpGetCheck httpGet) {
      this(name, weight, httpGet, null);
    }
  }

  /**
   * {@code pods} track: healthy while a ready pod of {@code selector} in {@code namespace} runs on
   * this node.
   */
  public record PodsCheck(
      String namespace, io.fabric8.kubernetes.api.model.LabelSelector selector) {}

  /**
   * {@code httpGet} track: healthy after {@code successThreshold} consecutive 2xx/3xx answers,
   * failing after {@code failureThreshold} consecutive other answers or errors, checked every
   * {@code intervalSeconds}.
   */
  public record HttpGetCheck(
      String host,
      int port,
      String path,
      int intervalSeconds,
      int failureThreshold,
      int successThreshold) {}

  public VipDefinition {
    addresses = List.copyOf(addresses);
    unicastPeers = List.copyOf(unicastPeers);
    tracks = List.copyOf(tracks);
    externalTracks = List.copyOf(externalTracks);
    password = password == null ? null : password.clone();
  }

  public boolean ipv6() {
    return addresses.get(0).ipv6();
  }

  @Override
  public byte[] password() {
    return password == null ? null : password.clone();
  }

  /**
   * Value equality, the password compared by content, so "nothing changed" is detectable on
   * re-apply.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof VipDefinition d
        && origin.equals(d.origin)
        && name.equals(d.name)
        && java.util.Objects.equals(interfaceName, d.interfaceName)
        && addresses.equals(d.addresses)
        && vrid == d.vrid
        && version == d.version
        && priority == d.priority
        && advertIntervalCentis == d.advertIntervalCentis
        && preempt == d.preempt
        && preemptDelay.equals(d.preemptDelay)
        && java.util.Arrays.equals(password, d.password)
        && unicastPeers.equals(d.unicastPeers)
        && tracks.equals(d.tracks)
        && externalTracks.equals(d.externalTracks);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(
        origin,
        name,
        interfaceName,
        addresses,
        vrid,
        version,
        priority,
        advertIntervalCentis,
        preempt,
        preemptDelay,
        java.util.Arrays.hashCode(password),
        unicastPeers,
        tracks,
        externalTracks);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "VipDefinition[" + name + ", vrid " + vrid + ", v" + version + ", " + addresses + "]";
  }
}
