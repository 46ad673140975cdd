package io.virtualip.agent.vrrp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything one virtual router instance needs, validated on construction. The data plane maps the
 * VirtualIP custom resource onto this record; the core never sees Kubernetes types.
 *
 * @param vrid Virtual Router Identifier, 1..255 (RFC 5798 §5.2.3)
 * @param version protocol version
 * @param family address family of every address below
 * @param virtualAddresses the IPvX addresses carried in adverts and added by the master, 1..255 of
 *     them
 * @param primaryAddress our own address on the interface: the advert source, and the tie-break (RFC
 *     5798 §6.4.3: higher primary address wins at equal priority); for IPv6 the link-local address
 *     (RFC 5798 §5.1.2.1)
 * @param priority 1..255; 255 means we own the virtual addresses (RFC 5798 §5.2.4)
 * @param advertIntervalCentis Advertisement_Interval in centiseconds: v3 1..4095 (12 bits, RFC 5798
 *     §5.2.7), v2 whole seconds 1..255 (RFC 3768 §5.3.7), i.e. 100..25500
 * @param preempt Preempt_Mode (RFC 5798 §6.1)
 * @param preemptDelay keepalived's preempt_delay: how long a backup keeps accepting a lower
 *     priority master before it preempts it; zero for none
 * @param authentication v2 only; {@link Authentication#NONE} for v3
 * @param unicastPeers empty for multicast; otherwise adverts go to each peer (keepalived
 *     unicast_peer)
 * @param tracks health inputs with weights; names unique
 * @param oldUnicastChecksum v3/IPv4 unicast only: send the checksum keepalived computed before its
 *     2017 fix (acassen/keepalived#642, PR #929) and still computes with {@code
 *     old_unicast_checksum}: pseudo-header destination 224.0.0.18 instead of the peer; see {@link
 *     AdvertisementEncoder}
 */
public record InstanceConfig(
    int vrid,
    VrrpVersion version,
    AddressFamily family,
    List<InetAddress> virtualAddresses,
    InetAddress primaryAddress,
    int priority,
    int advertIntervalCentis,
    boolean preempt,
    Duration preemptDelay,
    Authentication authentication,
    List<InetAddress> unicastPeers,
    List<Track> tracks,
    boolean oldUnicastChecksum) {

  /** RFC 5798 §5.2.4: the priority value for the router that owns the addresses. */
  public static final int OWNER_PRIORITY = 255;

  /** RFC 5798 §5.2.4: the default priority for backup routers. */
  public static final int DEFAULT_PRIORITY = 100;

  /** RFC 5798 §5.2.7: default Advertisement_Interval is 100 centiseconds (1 second). */
  public static final int DEFAULT_ADVERT_INTERVAL_CENTIS = 100;

  public InstanceConfig {
    require(vrid >= 1 && vrid <= 255, "vrid must be 1..255: " + vrid);
    require(version != null && family != null, "version and family are required");
    require(
        version == VrrpVersion.V3 || family == AddressFamily.IPV4,
        "VRRPv2 is IPv4 only (RFC 3768)");
    require(priority >= 1 && priority <= OWNER_PRIORITY, "priority must be 1..255: " + priority);
    if (version == VrrpVersion.V3) {
      require(
          advertIntervalCentis >= 1 && advertIntervalCentis <= 4095,
          "v3 advert interval must be 1..4095 centiseconds: " + advertIntervalCentis);
    } else {
      require(
          advertIntervalCentis >= 100
              && advertIntervalCentis <= 25500
              && advertIntervalCentis % 100 == 0,
          "v2 advert interval must be whole seconds 1..255: " + advertIntervalCentis + "cs");
    }
    require(preemptDelay != null && !preemptDelay.isNegative(), "preemptDelay must be >= 0");
    authentication = authentication == null ? Authentication.NONE : authentication;
    require(
        version == VrrpVersion.V2 || authentication.type() == Authentication.AuthType.NONE,
        "VRRPv3 has no authentication (RFC 5798 §9)");
    virtualAddresses = List.copyOf(virtualAddresses);
    require(
        !virtualAddresses.isEmpty() && virtualAddresses.size() <= 255, "1..255 virtual addresses");
    for (InetAddress a : virtualAddresses) {
      require(AddressFamily.of(a) == family, "virtual address " + a + " is not " + family);
    }
    require(
        new HashSet<>(virtualAddresses).size() == virtualAddresses.size(),
        "duplicate virtual address");
    require(
        primaryAddress != null && AddressFamily.of(primaryAddress) == family,
        "primary address must be " + family);
    unicastPeers = List.copyOf(unicastPeers == null ? List.of() : unicastPeers);
    for (InetAddress a : unicastPeers) {
      require(AddressFamily.of(a) == family, "unicast peer " + a + " is not " + family);
      require(!a.equals(primaryAddress), "unicast peers must not include our own address " + a);
    }
    // Unicast adverts may be routed, so there (as in keepalived's unicast_src_ip) any address will
    // do.
    require(
        family == AddressFamily.IPV4
            || !unicastPeers.isEmpty()
            || ((Inet6Address) primaryAddress).isLinkLocalAddress(),
        "IPv6 multicast primary address must be link-local (RFC 5798 §5.1.2.1)");
    tracks = List.copyOf(tracks == null ? List.of() : tracks);
    Set<String> names = new HashSet<>();
    for (Track t : tracks) {
      require(names.add(t.name()), "duplicate track " + t.name());
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public boolean isAddressOwner() {
    return priority == OWNER_PRIORITY;
  }

  public boolean isUnicast() {
    return !unicastPeers.isEmpty();
  }

  public static Builder builder(
      int vrid, InetAddress primaryAddress, InetAddress... virtualAddresses) {
    return new Builder(vrid, primaryAddress, List.of(virtualAddresses));
  }

  public Builder toBuilder() {
    Builder b = new Builder(vrid, primaryAddress, virtualAddresses);
    b.version = version;
    b.priority = priority;
    b.advertIntervalCentis = advertIntervalCentis;
    b.preempt = preempt;
    b.preemptDelay = preemptDelay;
    b.authentication = authentication;
    b.unicastPeers = new ArrayList<>(unicastPeers);
    b.tracks = new ArrayList<>(tracks);
    b.oldUnicastChecksum = oldUnicastChecksum;
    return b;
  }

  /**
   * Defaults follow RFC 5798 (v3, priority 100, 1 s, preempt on) and keepalived (no delay,
   * multicast).
   */
  public static final class Builder {
    private final int vrid;
    private final InetAddress primaryAddress;
    private final List<InetAddress> virtualAddresses;
    private VrrpVersion version = VrrpVersion.V3;
    private int priority = DEFAULT_PRIORITY;
    private int advertIntervalCentis = DEFAULT_ADVERT_INTERVAL_CENTIS;
    private boolean preempt = true;
    private Duration preemptDelay = Duration.ZERO;
    private Authentication authentication = Authentication.NONE;
    private List<InetAddress> unicastPeers = new ArrayList<>();
    private List<Track> tracks = new ArrayList<>();
    private boolean oldUnicastChecksum;

    private Builder(int vrid, InetAddress primaryAddress, List<InetAddress> virtualAddresses) {
      this.vrid = vrid;
      this.primaryAddress = primaryAddress;
      this.virtualAddresses = virtualAddresses;
    }

    public Builder version(VrrpVersion v) {
      this.version = v;
      return this;
    }

    public Builder priority(int p) {
      this.priority = p;
      return this;
    }

    public Builder advertIntervalCentis(int centis) {
      this.advertIntervalCentis = centis;
      return this;
    }

    public Builder preempt(boolean p) {
      this.preempt = p;
      return this;
    }

    public Builder preemptDelay(Duration d) {
      this.preemptDelay = d;
      return this;
    }

    public Builder authentication(Authentication a) {
      this.authentication = a;
      return this;
    }

    public Builder unicastPeers(List<InetAddress> peers) {
      this.unicastPeers = new ArrayList<>(peers);
      return this;
    }

    public Builder track(String name, int weight) {
      this.tracks.add(new Track(name, weight));
      return this;
    }

    public Builder oldUnicastChecksum(boolean old) {
      this.oldUnicastChecksum = old;
      return this;
    }

    public InstanceConfig build() {
      return new InstanceConfig(
          vrid,
          version,
          AddressFamily.of(primaryAddress),
          virtualAddresses,
          primaryAddress,
          priority,
          advertIntervalCentis,
          preempt,
          preemptDelay,
          authentication,
          unicastPeers,
          tracks,
          oldUnicastChecksum);
    }
  }
}
