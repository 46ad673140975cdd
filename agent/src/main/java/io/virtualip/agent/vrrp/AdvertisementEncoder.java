package io.virtualip.agent.vrrp;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Builds the VRRP message (no IP header) for one instance into a caller's buffer. Everything that
 * does not change between adverts is laid out once at construction, so {@link #encode} only copies,
 * patches the priority and computes the checksum: no allocation per advert.
 *
 * <p>What goes where: for IPv4 the data plane sends this payload on a raw socket with protocol 112
 * and lets the kernel build the IP header (TTL 255 set on the socket); for IPv6 it is the raw
 * socket payload too.
 *
 * <p><b>Checksum.</b> v2: over the message including the auth trailer (RFC 3768 §5.3.8). v3: with
 * the IP pseudo-header of the actual source and destination (RFC 5798 §5.2.8), which is also what
 * keepalived sends by default, for multicast and unicast alike (checked against keepalived 2.2.7's
 * own packets in {@code KeepalivedFixturesTest}). keepalived's {@code old_unicast_checksum} option,
 * and keepalived releases before its 2017 fix (acassen/keepalived#642), put the multicast group
 * 224.0.0.18 in the pseudo-header even when the advert is unicast to a peer; {@link
 * InstanceConfig#oldUnicastChecksum()} makes us send that form to talk to such peers. (keepalived
 * additionally switches its own sending to the old form when it receives one; we only accept it,
 * counted as {@link Verdict#ACCEPTED_OLD_UNICAST_CHECKSUM}, and leave the choice to configuration.)
 * RFC 9568 later redefined the IPv4 checksum as message-only; neither keepalived nor we send that
 * form.
 *
 * <p>For IPv6 the kernel can fill the checksum itself ({@code IPV6_CHECKSUM} socket option, offset
 * 6); the value we write is the same, so a data plane may use either.
 */
public final class AdvertisementEncoder {
  private final InstanceConfig config;
  private final byte[] template;
  private final byte[] source;
  private final byte[][] destinations;
  private final boolean pseudoHeaderUsesGroup;

  public AdvertisementEncoder(InstanceConfig config) {
    this.config = config;
    AddressFamily family = config.family();
    int count = config.virtualAddresses().size();
    this.template = new byte[AdvertisementFormat.messageLength(config.version(), family, count)];
    template[AdvertisementFormat.OFF_VERSION_TYPE] =
        (byte) ((config.version().number() << 4) | AdvertisementFormat.TYPE_ADVERTISEMENT);
    template[AdvertisementFormat.OFF_VRID] = (byte) config.vrid();
    template[AdvertisementFormat.OFF_COUNT] = (byte) count;
    if (config.version() == VrrpVersion.V2) {
      template[AdvertisementFormat.OFF_AUTH_TYPE] =
          (byte) config.authentication().type().wireValue();
      template[AdvertisementFormat.OFF_V2_ADVER_INT] = (byte) (config.advertIntervalCentis() / 100);
      // RFC 3768 §5.3.10: with Auth Type 0 the data MUST be zero on transmit; NONE's password is
      // zeros.
      System.arraycopy(
          config.authentication().passwordShared(),
          0,
          template,
          template.length - Authentication.DATA_LENGTH,
          Authentication.DATA_LENGTH);
    } else {
      // The 4 reserved bits MUST be zero on transmit (RFC 5798 §5.2.6); the interval is < 4096.
      template[AdvertisementFormat.OFF_INTERVAL] = (byte) (config.advertIntervalCentis() >>> 8);
      template[AdvertisementFormat.OFF_INTERVAL + 1] = (byte) config.advertIntervalCentis();
    }
    int at = AdvertisementFormat.OFF_ADDRESSES;
    for (InetAddress a : config.virtualAddresses()) {
      byte[] raw = a.getAddress();
      System.arraycopy(raw, 0, template, at, raw.length);
      at += raw.length;
    }
    this.source = config.primaryAddress().getAddress();
    if (config.isUnicast()) {
      destinations = new byte[config.unicastPeers().size()][];
      for (int i = 0; i < destinations.length; i++) {
        destinations[i] = config.unicastPeers().get(i).getAddress();
      }
    } else {
      destinations = new byte[][] {family.multicastGroup()};
    }
    this.pseudoHeaderUsesGroup = config.oldUnicastChecksum() && family == AddressFamily.IPV4;
  }

  public InstanceConfig config() {
    return config;
  }

  /** Length in bytes of every message this encoder writes. */
  public int messageLength() {
    return template.length;
  }

  /** How many copies of each advert to send: 1 for multicast, one per peer for unicast. */
  public int destinationCount() {
    return destinations.length;
  }

  /** The destination address of copy {@code i}; shared bytes, callers must not modify them. */
  public byte[] destination(int i) {
    return destinations[i];
  }

  /**
   * Writes the advert for destination {@code i} at {@code out.position()} and advances the position
   * past it. The checksum depends on the destination for v3, so each unicast peer gets its own
   * encoding.
   *
   * @param priority the priority to advertise: effective priority, or 0 when giving up mastership
   * @return the number of bytes written
   * @throws java.nio.BufferOverflowException if {@code out} has less than {@link #messageLength()}
   *     left
   */
  public int encode(int priority, int destinationIndex, ByteBuffer out) {
    int start = out.position();
    out.put(template);
    out.put(start + AdvertisementFormat.OFF_PRIORITY, (byte) priority);
    byte[] pseudoDestination =
        pseudoHeaderUsesGroup
            ? config.family().multicastGroupShared()
            : destinations[destinationIndex];
    int sum =
        AdvertisementFormat.sum(
            config.version(),
            config.family(),
            out,
            start,
            template.length,
            source,
            pseudoDestination);
    out.putShort(start + AdvertisementFormat.OFF_CHECKSUM, (short) InternetChecksum.finish(sum));
    return template.length;
  }
}
