package io.virtualip.agent.dataplane;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An address on an interface as rtnetlink reports it ({@code ifaddrmsg} + IFA_* attributes).
 *
 * @param interfaceIndex ifindex of the link holding it
 * @param address IFA_LOCAL for IPv4 (the interface's own address), IFA_ADDRESS for IPv6
 * @param prefixLength ifa_prefixlen
 * @param label IFA_LABEL (IPv4 only), or empty
 * @param flags IFA_F_* flags (IFA_FLAGS attribute when present, it carries the bits above 8)
 * @param protocol IFA_PROTO: who added it (0 unspecified, 1-3 kernel, {@link
 *     AddressOwnership#PROTOCOL} us)
 */
public record InterfaceAddress(
    int interfaceIndex,
    InetAddress address,
    int prefixLength,
    String label,
    int flags,
    int protocol) {

  public static final int IFA_F_NODAD = 0x02;
  public static final int IFA_F_DADFAILED = 0x08;
  public static final int IFA_F_TENTATIVE = 0x40;

  public boolean ipv6() {
    return address instanceof Inet6Address;
  }

  /** Still running duplicate address detection: not yet usable as a source. */
  public boolean tentative() {
    return (flags & IFA_F_TENTATIVE) != 0;
  }

  @Override
  public String toString() {
    return address.getHostAddress()
        + "/"
        + prefixLength
        + (label.isEmpty() ? "" : " label " + label)
        + " if "
        + interfaceIndex;
  }
}
