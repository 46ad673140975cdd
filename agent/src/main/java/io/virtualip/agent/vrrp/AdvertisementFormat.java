package io.virtualip.agent.vrrp;

import java.nio.ByteBuffer;

/**
 * Field offsets of the VRRP advertisement (RFC 3768 §5.1, RFC 5798 §5.1) and the checksum rules of
 * both versions, shared by {@link AdvertisementEncoder} and {@link AdvertisementValidator}.
 *
 * <pre>
 *  v2: |Version| Type | VRID | Priority | Count IP Addrs | Auth Type | Adver Int | Checksum | addrs | Auth Data(8)
 *  v3: |Version| Type | VRID | Priority | Count IPvX Addr | (rsvd:4) Max Adver Int:12 | Checksum | addrs
 * </pre>
 */
public final class AdvertisementFormat {
  /**
   * IANA protocol number of VRRP in the IPv4 Protocol / IPv6 Next Header field (RFC 5798 §5.1.1.4).
   */
  public static final int IP_PROTOCOL_VRRP = 112;

  /** RFC 5798 §5.2.2: the only defined type, ADVERTISEMENT. */
  public static final int TYPE_ADVERTISEMENT = 1;

  /** The fixed part of the header shared by v2 and v3, before the addresses. */
  public static final int HEADER_LENGTH = 8;

  /**
   * Largest advertisement: 255 IPv6 addresses (v2 is IPv4 only, so its trailer never adds to this).
   */
  public static final int MAX_LENGTH = HEADER_LENGTH + 255 * 16;

  static final int OFF_VERSION_TYPE = 0;
  static final int OFF_VRID = 1;
  static final int OFF_PRIORITY = 2;
  static final int OFF_COUNT = 3;

  /** v2 only. */
  static final int OFF_AUTH_TYPE = 4;

  /**
   * v2: one byte of seconds at offset 5; v3: 4 reserved bits and 12 bits of centiseconds at offsets
   * 4-5.
   */
  static final int OFF_INTERVAL = 4;

  static final int OFF_V2_ADVER_INT = 5;
  static final int OFF_CHECKSUM = 6;
  static final int OFF_ADDRESSES = 8;

  private AdvertisementFormat() {}

  /**
   * Length of the VRRP message with {@code count} addresses, including the v2 authentication
   * trailer.
   */
  public static int messageLength(VrrpVersion version, AddressFamily family, int count) {
    return HEADER_LENGTH
        + count * family.addressLength()
        + (version == VrrpVersion.V2 ? Authentication.DATA_LENGTH : 0);
  }

  /**
   * The one's complement sum (not yet complemented) of the message at {@code offset} with the
   * pseudo-header its version requires: v2 none (RFC 3768 §5.3.8); v3 the IPv4 pseudo-header (RFC
   * 5798 §5.2.8, RFC 768 style) or the IPv6 pseudo-header (RFC 8200 §8.1). A received message is
   * intact when {@code InternetChecksum.finish(sum) == 0}; a message with a zero checksum field
   * gets {@code finish(sum)} written into it.
   */
  static int sum(
      VrrpVersion version,
      AddressFamily family,
      ByteBuffer buf,
      int offset,
      int length,
      byte[] source,
      byte[] destination) {
    int sum = 0;
    if (version == VrrpVersion.V3) {
      sum = InternetChecksum.add(sum, source, family.addressLength());
      sum = InternetChecksum.add(sum, destination, family.addressLength());
      // Both pseudo-headers add up to: length (IPv6: 32-bit, high half zero) + protocol in a
      // zero-padded word.
      sum = InternetChecksum.addWord(sum, length);
      sum = InternetChecksum.addWord(sum, IP_PROTOCOL_VRRP);
    }
    return InternetChecksum.add(sum, buf, offset, length);
  }
}
