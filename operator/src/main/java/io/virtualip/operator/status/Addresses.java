package io.virtualip.operator.status;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;

/**
 * Numeric order of IP address literals, the VRRP tie-breaker (RFC 5798 section 6.4.3: higher
 * primary address wins).
 */
final class Addresses {
  private Addresses() {}

  static final Comparator<String> NUMERIC =
      Comparator.nullsFirst(
          Comparator.comparing(Addresses::bytes, Comparator.nullsFirst(Addresses::compareBytes)));

  static boolean isIpv6(String address) {
    return address != null && address.contains(":");
  }

  private static byte[] bytes(String literal) {
    // Only literals reach here (agents report addresses, never names), so no DNS lookup can happen.
    if (literal.isEmpty() || !(Character.isDigit(literal.charAt(0)) || literal.contains(":"))) {
      return null;
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static int compareBytes(byte[] a, byte[] b) {
    if (a.length != b.length) {
      return Integer.compare(a.length, b.length);
    }
    for (int i = 0; i < a.length; i++) {
      int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
