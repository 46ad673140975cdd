package io.virtualip.lab;

import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * One lab node: a network namespace whose {@link #iface() interface} is a veth plugged into the
 * lab's bridge.
 *
 * @param name short name used in file names and messages ({@code n1}, {@code n2}, ...)
 * @param namespace the network namespace, unique per lab instance
 * @param iface the node's interface inside its namespace (always {@code eth0})
 * @param mac the interface's MAC address, fixed so IPv6 link-local addresses are predictable
 * @param ipv4 the node's address in 192.0.2.0/24 (prefix length {@link Lab#IPV4_PREFIX_LENGTH})
 * @param ipv6 the node's address in 2001:db8::/64 (prefix length {@link Lab#IPV6_PREFIX_LENGTH})
 */
public record Node(
    String name, String namespace, String iface, String mac, Inet4Address ipv4, Inet6Address ipv6) {

  /** The IPv4 address as text without a prefix length, e.g. {@code 192.0.2.11}. */
  public String ipv4Text() {
    return ipv4.getHostAddress();
  }

  /** The IPv6 address as text without a prefix length, e.g. {@code 2001:db8::11}. */
  public String ipv6Text() {
    return Addresses.text(ipv6);
  }
}
