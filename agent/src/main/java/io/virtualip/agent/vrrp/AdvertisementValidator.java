package io.virtualip.agent.vrrp;

import java.net.InetAddress;

/**
 * The receive checks of RFC 5798 §7.1 / RFC 3768 §7.1 as one ordered function, after keepalived's
 * {@code vrrp_check_packet}: cheap structural checks first, then integrity (checksum), then the
 * checks that compare the sender's configuration with ours. The first failing check is the verdict;
 * malformed input never throws. Allocation-free: the configuration is flattened into arrays once.
 *
 * <p><b>TTL and source.</b> RFC 5798 §7.1 says a packet whose TTL / Hop Limit is not 255 MUST be
 * discarded, which guarantees the sender is on-link. keepalived skips this check for unicast peers,
 * because unicast adverts may legitimately cross a router; we do the same: in multicast mode only
 * TTL 255 is accepted. In unicast mode the TTL check is replaced by a source check (keepalived's
 * {@code check_unicast_src}): only a configured peer may send, otherwise anyone who can route IP
 * protocol 112 to us could take the address with priority 254, or stretch our Master_Down_Interval
 * with a forged interval. IPv6 unicast adverts are sent from the link-local address (RFC 5798
 * §5.1.2.1), which is never a configured peer: there a link-local source with Hop Limit 255 is
 * accepted too, which proves the sender is on-link (routers never forward link-local sources), the
 * same guarantee multicast mode has.
 *
 * <p><b>v3/IPv4 checksum forms accepted.</b> The RFC 5798 form (pseudo-header with the actual
 * destination) is the normal case. When it fails we also try, and count separately: keepalived's
 * old unicast form (pseudo-header destination 224.0.0.18, only in unicast mode, where it can
 * differ) and the RFC 9568 message-only form. Each costs one more sum over a few dozen bytes, only
 * for packets that failed.
 *
 * <p><b>Order.</b> Unlike keepalived we check the checksum before authentication and interval, so
 * that a corrupted packet is counted as corrupted, not as a configuration mismatch.
 */
public final class AdvertisementValidator {
  /**
   * RFC 5798 §5.1.1.3 (and §5.1.2.3 for the IPv6 Hop Limit): "The TTL MUST be set to 255. A VRRP
   * router receiving a packet with the TTL not equal to 255 MUST discard the packet".
   */
  public static final int REQUIRED_TTL = 255;

  private final InstanceConfig config;
  private final int addressLength;
  private final byte[] primary;
  private final byte[][] virtualAddresses;
  private final byte[] password;

  /** Unicast mode: the peers' addresses, the only accepted sources; empty in multicast mode. */
  private final byte[][] peers;

  public AdvertisementValidator(InstanceConfig config) {
    this.config = config;
    this.addressLength = config.family().addressLength();
    this.primary = config.primaryAddress().getAddress();
    this.virtualAddresses = new byte[config.virtualAddresses().size()][];
    for (int i = 0; i < virtualAddresses.length; i++) {
      InetAddress a = config.virtualAddresses().get(i);
      virtualAddresses[i] = a.getAddress();
    }
    this.password = config.authentication().passwordShared();
    this.peers = new byte[config.unicastPeers().size()][];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = config.unicastPeers().get(i).getAddress();
    }
  }

  /** Checks {@code adv} against our configuration; see the class comment for the order. */
  public Verdict check(ReceivedAdvertisement adv) {
    if (adv.family() != config.family()) {
      return Verdict.FAMILY_MISMATCH;
    }
    if (adv.length() < AdvertisementFormat.HEADER_LENGTH) {
      return Verdict.TOO_SHORT;
    }
    if (!config.isUnicast() && adv.ttl() != REQUIRED_TTL) {
      return Verdict.BAD_TTL;
    }
    if (config.isUnicast() && !fromConfiguredPeer(adv)) {
      return Verdict.SOURCE_NOT_PEER;
    }
    if (adv.version() != config.version().number()) {
      return Verdict.BAD_VERSION;
    }
    if (adv.type() != AdvertisementFormat.TYPE_ADVERTISEMENT) {
      return Verdict.BAD_TYPE;
    }
    if (adv.vrid() != config.vrid()) {
      return Verdict.VRID_MISMATCH;
    }
    int messageLength =
        AdvertisementFormat.messageLength(config.version(), config.family(), adv.addressCount());
    if (adv.length() < messageLength) {
      return Verdict.LENGTH_MISMATCH;
    }
    Verdict checksum = checkChecksum(adv, messageLength);
    if (!checksum.accepted()) {
      return checksum;
    }
    if (config.version() == VrrpVersion.V2) {
      Verdict auth = checkAuthentication(adv);
      if (auth != null) {
        return auth;
      }
    }
    int interval = adv.intervalCentis();
    if (interval == 0) {
      return Verdict.BAD_INTERVAL;
    }
    if (config.version() == VrrpVersion.V2 && interval != config.advertIntervalCentis()) {
      return Verdict.INTERVAL_MISMATCH;
    }
    if (equalsPrefix(adv.sourceShared(), primary, addressLength)) {
      return Verdict.OWN_ADVERTISEMENT;
    }
    // RFC 5798 §7.1: a mismatched address list is dropped unless the sender owns the addresses.
    if (adv.priority() != InstanceConfig.OWNER_PRIORITY) {
      if (adv.addressCount() != virtualAddresses.length) {
        return Verdict.ADDRESS_COUNT_MISMATCH;
      }
      if (!sameAddresses(adv)) {
        return Verdict.ADDRESS_MISMATCH;
      }
    }
    return checksum;
  }

  /**
   * Unicast mode: the source is a configured peer, or (IPv6) an on-link link-local sender; see the
   * class comment.
   */
  private boolean fromConfiguredPeer(ReceivedAdvertisement adv) {
    byte[] source = adv.sourceShared();
    for (byte[] peer : peers) {
      if (equalsPrefix(source, peer, addressLength)) {
        return true;
      }
    }
    // fe80::/10, as Inet6Address.isLinkLocalAddress, without allocating one.
    return addressLength == 16
        && adv.ttl() == REQUIRED_TTL
        && (source[0] & 0xff) == 0xfe
        && (source[1] & 0xc0) == 0x80;
  }

  /** Whether the checksum is right with {@code destination} in the IPvX pseudo-header. */
  private boolean checksumHolds(ReceivedAdvertisement adv, int messageLength, byte[] destination) {
    int sum =
        AdvertisementFormat.sum(
            config.version(),
            config.family(),
            adv.buffer(),
            adv.offset(),
            messageLength,
            adv.sourceShared(),
            destination);
    return InternetChecksum.finish(sum) == 0;
  }

  private Verdict checkChecksum(ReceivedAdvertisement adv, int messageLength) {
    VrrpVersion version = config.version();
    AddressFamily family = config.family();
    if (checksumHolds(adv, messageLength, adv.destinationShared())) {
      return Verdict.ACCEPTED;
    }
    if (version == VrrpVersion.V3 && family == AddressFamily.IPV4) {
      if (config.isUnicast()) {
        if (checksumHolds(adv, messageLength, family.multicastGroupShared())) {
          return Verdict.ACCEPTED_OLD_UNICAST_CHECKSUM;
        }
      }
      int sum = InternetChecksum.add(0, adv.buffer(), adv.offset(), messageLength);
      if (InternetChecksum.finish(sum) == 0) {
        return Verdict.ACCEPTED_MESSAGE_ONLY_CHECKSUM;
      }
    }
    return Verdict.BAD_CHECKSUM;
  }

  /** v2: null when authentication passes. */
  private Verdict checkAuthentication(ReceivedAdvertisement adv) {
    Authentication.AuthType ours = config.authentication().type();
    if (adv.authType() != ours.wireValue()) {
      return Verdict.AUTH_TYPE_MISMATCH;
    }
    if (ours == Authentication.AuthType.SIMPLE_TEXT_PASSWORD) {
      // Constant time: the loop never exits early, so timing does not reveal how many bytes
      // matched.
      int diff = 0;
      for (int i = 0; i < Authentication.DATA_LENGTH; i++) {
        diff |= adv.authDataByte(i) ^ password[i];
      }
      if (diff != 0) {
        return Verdict.AUTH_MISMATCH;
      }
    }
    return null;
  }

  /** Same set of addresses, in any order (counts are already equal and ours has no duplicates). */
  private boolean sameAddresses(ReceivedAdvertisement adv) {
    for (int i = 0; i < virtualAddresses.length; i++) {
      boolean found = false;
      for (int j = 0; j < virtualAddresses.length && !found; j++) {
        found = addressAt(adv, j, virtualAddresses[i]);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private boolean addressAt(ReceivedAdvertisement adv, int index, byte[] address) {
    for (int k = 0; k < addressLength; k++) {
      if (adv.addressByte(index, k) != address[k]) {
        return false;
      }
    }
    return true;
  }

  static boolean equalsPrefix(byte[] a, byte[] b, int length) {
    return java.util.Arrays.equals(a, 0, length, b, 0, length);
  }
}
