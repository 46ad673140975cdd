package io.virtualip.api.v1;

/**
 * Regular expressions (RE2, as the API server's CEL {@code matches} uses) for the address fields,
 * built from parts so they can be read. They contain no backslash, so they embed as-is in CEL
 * string literals of the CRD's rules. IPv6 is the RFC 4291 section 2.2 text form without an
 * embedded IPv4 part.
 */
public final class AddressPatterns {
  private AddressPatterns() {}

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final String HEXTET = "[0-9a-fA-F]{1,4}";

  public static final String IPV4 = "(" + OCTET + "[.]){3}" + OCTET;
  public static final String IPV6 =
      "("
          + "("
          + HEXTET
          + ":){7}"
          + HEXTET
          + "|("
          + HEXTET
          + ":){1,7}:"
          + "|("
          + HEXTET
          + ":){1,6}:"
          + HEXTET
          + "|("
          + HEXTET
          + ":){1,5}(:"
          + HEXTET
          + "){1,2}"
          + "|("
          + HEXTET
          + ":){1,4}(:"
          + HEXTET
          + "){1,3}"
          + "|("
          + HEXTET
          + ":){1,3}(:"
          + HEXTET
          + "){1,4}"
          + "|("
          + HEXTET
          + ":){1,2}(:"
          + HEXTET
          + "){1,5}"
          + "|"
          + HEXTET
          + ":(:"
          + HEXTET
          + "){1,6}"
          + "|:((:"
          + HEXTET
          + "){1,7}|:))";
  public static final String IPV4_PREFIX_LENGTH = "([0-9]|[12][0-9]|3[0-2])";
  public static final String IPV6_PREFIX_LENGTH = "([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])";

  /** An IPv4 address with prefix length, such as 192.0.2.100/24. */
  public static final String IPV4_WITH_PREFIX = "^" + IPV4 + "/" + IPV4_PREFIX_LENGTH + "$";

  /** An IPv6 address with prefix length, such as 2001:db8::100/64. */
  public static final String IPV6_WITH_PREFIX = "^" + IPV6 + "/" + IPV6_PREFIX_LENGTH + "$";

  /** A plain IPv4 or IPv6 address. */
  public static final String IP = "^(" + IPV4 + "|" + IPV6 + ")$";

  /**
   * Addresses (with prefix length) no node can hold as a virtual address: unspecified, "this
   * network", loopback, link-local, multicast, reserved and broadcast (IPv4 224.0.0.0 and above),
   * IPv6 multicast. Plain regular expressions, because CEL's ip() and cidr() exist only from
   * Kubernetes 1.31. Case-insensitive for IPv6 hex digits.
   */
  public static final String NOT_UNICAST =
      "^(0[.]|127[.]|169[.]254[.]|22[4-9][.]|2[3-5][0-9][.])"
          + "|(?i)^([0:]+1?/|fe[89ab][0-9a-f]:|ff[0-9a-f][0-9a-f]:)";
}
