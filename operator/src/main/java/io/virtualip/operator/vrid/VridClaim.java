package io.virtualip.operator.vrid;

import java.time.Instant;
import java.util.Set;

/**
 * What the allocator needs to know about one VirtualIP.
 *
 * @param name the VirtualIP's name
 * @param created its creationTimestamp: the older of two claimants keeps a contested VRID
 * @param ipv6 address family; IPv4 and IPv6 VRIDs are separate spaces (RFC 5798 section 7.3)
 * @param interfaceKey the spec's interface, or {@link #DEFAULT_INTERFACE} when the agent picks it
 * @param nodes the nodes it runs on (its selected nodes)
 * @param pinned spec.virtualRouterId, or null
 * @param recorded status.virtualRouterId, or null
 */
public record VridClaim(
    String name,
    Instant created,
    boolean ipv6,
    String interfaceKey,
    Set<String> nodes,
    Integer pinned,
    Integer recorded) {

  public static final String DEFAULT_INTERFACE = "default";

  /** The VRID this VirtualIP uses now: its pinned one, else the one recorded in status. */
  public Integer effective() {
    return pinned != null ? pinned : recorded;
  }

  /**
   * Same segment as far as the operator can tell: same family, same interface, at least one node in
   * common.
   */
  boolean sharesSegmentWith(VridClaim other) {
    return ipv6 == other.ipv6
        && interfaceKey.equals(other.interfaceKey)
        && nodes.stream().anyMatch(other.nodes::contains);
  }

  /**
   * Who keeps a contested VRID: the one already running with it (recorded in status), then the
   * older (creation time has only second precision), then the lower name; a total order, so both
   * sides agree.
   */
  boolean precedes(VridClaim other, int vrid) {
    boolean mine = recorded != null && recorded == vrid;
    boolean theirs = other.recorded != null && other.recorded == vrid;
    if (mine != theirs) {
      return mine;
    }
    int byTime = created.compareTo(other.created);
    return byTime != 0 ? byTime < 0 : name.compareTo(other.name) < 0;
  }
}
