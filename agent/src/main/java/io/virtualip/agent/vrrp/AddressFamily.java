package io.virtualip.agent.vrrp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** IPv4 or IPv6: the address length in advertisements and the multicast group adverts go to. */
public enum AddressFamily {
  /** RFC 5798 §5.1.1.2: the IPv4 multicast address assigned by the IANA for VRRP is 224.0.0.18. */
  IPV4(4, new byte[] {(byte) 224, 0, 0, 18}),
  /**
   * RFC 5798 §5.1.2.2: the IPv6 multicast address assigned by the IANA for VRRP is
   * FF02:0:0:0:0:0:0:12.
   */
  IPV6(16, new byte[] {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});

  private final int addressLength;
  private final byte[] multicastGroup;

  AddressFamily(int addressLength, byte[] multicastGroup) {
    this.addressLength = addressLength;
    this.multicastGroup = multicastGroup;
  }

  public int addressLength() {
    return addressLength;
  }

  /** A fresh copy of the VRRP multicast group address of this family. */
  public byte[] multicastGroup() {
    return multicastGroup.clone();
  }

  /** The shared group bytes, for the hot path; callers must not modify them. */
  byte[] multicastGroupShared() {
    return multicastGroup;
  }

  public static AddressFamily of(InetAddress address) {
    if (address instanceof Inet4Address) {
      return IPV4;
    }
    if (address instanceof Inet6Address) {
      return IPV6;
    }
    throw new IllegalArgumentException("not an IP address: " + address);
  }
}
