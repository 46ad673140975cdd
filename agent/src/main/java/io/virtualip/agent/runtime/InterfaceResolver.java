package io.virtualip.agent.runtime;

import io.virtualip.agent.dataplane.AddressOwnership;
import io.virtualip.agent.dataplane.InterfaceAddress;
import io.virtualip.agent.dataplane.Link;
import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.VipDefinition;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from what rtnetlink reports, which interface a virtual IP lives on and which of our own
 * addresses advertisements come from. Pure functions of the link and address lists, so they are
 * unit-tested without a network.
 */
final class InterfaceResolver {

  private InterfaceResolver() {}

  /**
   * The interface for {@code vip}: {@code spec.interface} if given, else the interface with an
   * address (not one of ours) whose connected subnet contains the first virtual address.
   */
  static Optional<Link> resolve(
      VipDefinition vip, List<Link> links, List<InterfaceAddress> addresses) {
    if (vip.interfaceName() != null) {
      return byName(vip.interfaceName(), links);
    }
    InetAddress first = vip.addresses().get(0).address();
    for (InterfaceAddress address : addresses) {
      if (!AddressOwnership.ownedByAgent(address)
          && new AddressPrefix(address.address(), address.prefixLength()).contains(first)) {
        for (Link link : links) {
          if (link.index() == address.interfaceIndex()) {
            return Optional.of(link);
          }
        }
      }
    }
    return Optional.empty();
  }

  static Optional<Link> byName(String name, List<Link> links) {
    for (Link link : links) {
      if (link.name().equals(name)) {
        return Optional.of(link);
      }
    }
    return Optional.empty();
  }

  /**
   * Our own address on {@code link} to advertise from: for IPv4 an address of the administrator
   * (not a VIP), preferring one whose subnet contains the first virtual address; for IPv6 the
   * link-local address (RFC 5798 §5.1.2.1), once it has passed DAD.
   */
  static Optional<InetAddress> primaryAddress(
      VipDefinition vip, Link link, List<InterfaceAddress> addresses) {
    InetAddress first = vip.addresses().get(0).address();
    InetAddress fallback = null;
    for (InterfaceAddress address : addresses) {
      if (address.interfaceIndex() != link.index()
          || AddressOwnership.ownedByAgent(address)
          || address.tentative()
          || isVirtual(vip, address.address())) {
        continue;
      }
      if (vip.ipv6()) {
        if (address.address() instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
          return Optional.of(address.address());
        }
      } else if (address.address() instanceof Inet4Address) {
        if (new AddressPrefix(address.address(), address.prefixLength()).contains(first)) {
          return Optional.of(address.address());
        }
        if (fallback == null) {
          fallback = address.address();
        }
      }
    }
    return Optional.ofNullable(fallback);
  }

  private static boolean isVirtual(VipDefinition vip, InetAddress address) {
    for (AddressPrefix p : vip.addresses()) {
      if (p.address().equals(address)) {
        return true;
      }
    }
    return false;
  }
}
