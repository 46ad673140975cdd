package io.virtualip.lab;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing and printing of literal addresses, never touching DNS. */
final class Addresses {

  private Addresses() {}

  static InetAddress parse(String literal) {
    try {
      // getByName does not resolve when given a literal; the check keeps host names out.
      if (!literal.contains(":") && !literal.matches("[0-9.]+")) {
        throw new IllegalArgumentException("not an address literal: " + literal);
      }
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal: " + literal, e);
    }
  }

  static Inet4Address ipv4(String literal) {
    if (parse(literal) instanceof Inet4Address address) {
      return address;
    }
    throw new IllegalArgumentException("not an IPv4 literal: " + literal);
  }

  static Inet6Address ipv6(String literal) {
    if (parse(literal) instanceof Inet6Address address) {
      return address;
    }
    throw new IllegalArgumentException("not an IPv6 literal: " + literal);
  }

  /**
   * The compressed form that iproute2 prints ({@code 2001:db8::11}), unlike Java's {@code
   * 2001:db8:0:0:0:0:0:11}.
   */
  static String text(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // RFC 5952 section 4.2: replace the longest run (of two or more) of zero groups, the first one
    // on a tie.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }
}
