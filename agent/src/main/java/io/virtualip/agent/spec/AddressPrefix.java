package io.virtualip.agent.spec;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with a prefix length, as in {@code 192.0.2.100/24}: the virtual address and the subnet
 * it is added with.
 */
public record AddressPrefix(InetAddress address, int prefixLength) {

  public AddressPrefix {
    int max = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length must be 0.." + max);
    }
  }

  /**
   * Parses {@code address/prefix}, numeric addresses only (never a name lookup).
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  public static AddressPrefix parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' needs a prefix length, for example 192.0.2.100/24");
    }
    InetAddress address = parseAddress(text.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
    }
    try {
      return new AddressPrefix(address, prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
    }
  }

  /** Parses a literal IPv4 or IPv6 address; rejects host names so that nothing triggers DNS. */
  public static InetAddress parseAddress(String text) {
    boolean ipv4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = text.contains(":") && text.matches("[0-9a-fA-F:.]+");
    if (!ipv4 && !ipv6) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
    try {
      InetAddress address = InetAddress.getByName(text);
      if (ipv4) {
        for (String part : text.split("\\.")) {
          if (Integer.parseInt(part) > 255) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
          }
        }
      }
      return address;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
  }

  public boolean ipv6() {
    return address instanceof Inet6Address;
  }

  /** Whether {@code other} lies in this prefix's subnet. */
  public boolean contains(InetAddress other) {
    byte[] a = address.getAddress();
    byte[] b = other.getAddress();
    if (a.length != b.length) {
      return false;
    }
    int bits = prefixLength;
    for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((a[i] & mask) != (b[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + prefixLength;
  }
}
