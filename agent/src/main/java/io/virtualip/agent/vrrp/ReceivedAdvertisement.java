package io.virtualip.agent.vrrp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A reusable view of one received VRRP message plus the IP facts that came with it (source,
 * destination, TTL / Hop Limit). The data plane keeps one per socket, wraps each received datagram,
 * and hands it to {@link VrrpInstance#receive}; nothing is copied except the two addresses, nothing
 * is allocated.
 *
 * <p>The accessors read the wrapped bytes as they are; only after {@link AdvertisementValidator}
 * accepted the view are they known to be consistent and within bounds ({@link #vrid()} is safe at
 * any time). The view is valid until the buffer is reused.
 */
public final class ReceivedAdvertisement {
  /** Minimum IPv4 header: IHL 5 (RFC 791). */
  private static final int IPV4_MIN_HEADER = 20;

  private ByteBuffer buffer;
  private int offset;
  private int length;
  private AddressFamily family = AddressFamily.IPV4;
  private int ttl;
  private final byte[] source = new byte[16];
  private final byte[] destination = new byte[16];

  /**
   * Wraps a VRRP message without IP header, as an IPv6 raw socket delivers it; source, destination
   * and hop limit come from the socket's ancillary data (IPV6_PKTINFO, IPV6_HOPLIMIT) or the
   * simulator. Trailing bytes (Ethernet padding) may be included in {@code length}.
   */
  public ReceivedAdvertisement wrapPayload(
      ByteBuffer buf,
      int offset,
      int length,
      AddressFamily family,
      byte[] source,
      byte[] destination,
      int ttlOrHopLimit) {
    this.buffer = buf;
    this.offset = offset;
    this.length = length;
    this.family = family;
    this.ttl = ttlOrHopLimit;
    System.arraycopy(source, 0, this.source, 0, family.addressLength());
    System.arraycopy(destination, 0, this.destination, 0, family.addressLength());
    return this;
  }

  /**
   * Wraps a full IPv4 packet as a raw IPv4 socket delivers it: TTL, source and destination are read
   * from the IP header, the VRRP message follows the header. Bytes beyond the IP Total Length
   * (Ethernet padding) are ignored.
   *
   * @return {@link Verdict#ACCEPTED} when the view now holds the VRRP message, otherwise why not
   *     ({@link Verdict#TOO_SHORT}, {@link Verdict#BAD_IP_HEADER}, {@link Verdict#NOT_VRRP})
   */
  public Verdict wrapIpv4Packet(ByteBuffer buf, int offset, int length) {
    this.buffer = buf;
    this.family = AddressFamily.IPV4;
    this.offset = offset;
    this.length = 0;
    if (length < IPV4_MIN_HEADER) {
      return Verdict.TOO_SHORT;
    }
    int versionIhl = buf.get(offset) & 0xff;
    int headerLength = (versionIhl & 0x0f) * 4;
    int totalLength = buf.getShort(offset + 2) & 0xffff;
    if ((versionIhl >>> 4) != 4
        || headerLength < IPV4_MIN_HEADER
        || totalLength < headerLength
        || totalLength > length) {
      return Verdict.BAD_IP_HEADER;
    }
    if ((buf.get(offset + 9) & 0xff) != AdvertisementFormat.IP_PROTOCOL_VRRP) {
      return Verdict.NOT_VRRP;
    }
    this.ttl = buf.get(offset + 8) & 0xff;
    for (int i = 0; i < 4; i++) {
      source[i] = buf.get(offset + 12 + i);
      destination[i] = buf.get(offset + 16 + i);
    }
    this.offset = offset + headerLength;
    this.length = totalLength - headerLength;
    return Verdict.ACCEPTED;
  }

  private int u8(int at) {
    return buffer.get(offset + at) & 0xff;
  }

  /** Bytes available from the start of the VRRP message, padding included. */
  public int length() {
    return length;
  }

  public AddressFamily family() {
    return family;
  }

  /** IPv4 TTL or IPv6 Hop Limit. */
  public int ttl() {
    return ttl;
  }

  public int version() {
    return u8(AdvertisementFormat.OFF_VERSION_TYPE) >>> 4;
  }

  public int type() {
    return u8(AdvertisementFormat.OFF_VERSION_TYPE) & 0x0f;
  }

  /**
   * The VRID, safe to call before validation so a data plane can dispatch a packet to its instance:
   * 0 (never a valid VRID) when the packet is too short to have one.
   */
  public int vrid() {
    return length > AdvertisementFormat.OFF_VRID ? u8(AdvertisementFormat.OFF_VRID) : 0;
  }

  public int priority() {
    return u8(AdvertisementFormat.OFF_PRIORITY);
  }

  public int addressCount() {
    return u8(AdvertisementFormat.OFF_COUNT);
  }

  /** v2 only. */
  public int authType() {
    return u8(AdvertisementFormat.OFF_AUTH_TYPE);
  }

  /** The advertised interval in centiseconds: v2 Adver Int (seconds) x 100, or v3 Max Adver Int. */
  public int intervalCentis() {
    if (version() == VrrpVersion.V2.number()) {
      return u8(AdvertisementFormat.OFF_V2_ADVER_INT) * 100;
    }
    return (buffer.getShort(offset + AdvertisementFormat.OFF_INTERVAL) & 0x0fff);
  }

  public int checksum() {
    return buffer.getShort(offset + AdvertisementFormat.OFF_CHECKSUM) & 0xffff;
  }

  /** Byte {@code i} of virtual address {@code index}. */
  byte addressByte(int index, int i) {
    return buffer.get(
        offset + AdvertisementFormat.OFF_ADDRESSES + index * family.addressLength() + i);
  }

  /**
   * v2: byte {@code i} of the Authentication Data trailer that follows {@code addressCount()}
   * addresses.
   */
  byte authDataByte(int i) {
    return buffer.get(
        offset + AdvertisementFormat.OFF_ADDRESSES + addressCount() * family.addressLength() + i);
  }

  ByteBuffer buffer() {
    return buffer;
  }

  int offset() {
    return offset;
  }

  /**
   * Shared, only the first {@code family().addressLength()} bytes are meaningful; do not modify.
   */
  byte[] sourceShared() {
    return source;
  }

  byte[] destinationShared() {
    return destination;
  }

  /** The source address; allocates, so for tests and logs rather than the receive path. */
  public InetAddress sourceAddress() {
    return toInet(source, family);
  }

  public InetAddress destinationAddress() {
    return toInet(destination, family);
  }

  /** Virtual address {@code index}; allocates. */
  public InetAddress virtualAddress(int index) {
    byte[] raw = new byte[family.addressLength()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = addressByte(index, i);
    }
    return toInet(raw, family);
  }

  static InetAddress toInet(byte[] bytes, AddressFamily family) {
    try {
      return InetAddress.getByAddress(java.util.Arrays.copyOf(bytes, family.addressLength()));
    } catch (UnknownHostException e) {
      throw new AssertionError("address length is always 4 or 16", e);
    }
  }
}
