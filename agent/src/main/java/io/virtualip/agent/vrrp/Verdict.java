package io.virtualip.agent.vrrp;

/**
 * The outcome of checking one received packet, in the order {@link AdvertisementValidator} checks
 * them. Every packet gets exactly one verdict and every verdict has its own counter, so a peer that
 * "goes silent" can be told apart from a peer whose adverts we throw away (and why): that is the
 * split-brain diagnosis.
 */
public enum Verdict {
  /** Valid; the checksum is the RFC 5798 one (or v2's). */
  ACCEPTED(true, true),
  /**
   * Valid, v3/IPv4 unicast with keepalived's old checksum (pseudo-header destination 224.0.0.18).
   */
  ACCEPTED_OLD_UNICAST_CHECKSUM(true, true),
  /** Valid, v3/IPv4 with the RFC 9568 §5.2.8 message-only checksum (no pseudo-header). */
  ACCEPTED_MESSAGE_ONLY_CHECKSUM(true, true),

  /** Delivered on a socket of the other address family: a data-plane wiring error. */
  FAMILY_MISMATCH(false, false),
  /** Fewer bytes than the fixed 8-byte header (or than an IPv4 header, for a full packet). */
  TOO_SHORT(false, false),
  /** IPv4 header unusable: not version 4, IHL below 5, or lengths beyond the received bytes. */
  BAD_IP_HEADER(false, false),
  /** IPv4 Protocol is not 112. */
  NOT_VRRP(false, false),
  /** TTL / Hop Limit is not 255 (RFC 5798 §7.1), so the packet may come from off-link. */
  BAD_TTL(false, false),
  /**
   * Unicast mode: the source is not a configured (or derived) unicast peer, as keepalived's {@code
   * check_unicast_src}. Not from a peer by definition, so it stays out of the peer table: forged
   * sources cannot fill it. A growing count means someone else sends adverts to us, or a node's
   * address is missing from the peer list.
   */
  SOURCE_NOT_PEER(false, false),
  /** Version field is not the configured version. */
  BAD_VERSION(false, false),
  /** Type field is not ADVERTISEMENT. */
  BAD_TYPE(false, false),
  /** Another virtual router's advert (RFC 5798 §7.1: MUST verify the VRID is configured). */
  VRID_MISMATCH(false, false),
  /** Count IPvX Addr says more addresses than the packet carries. */
  LENGTH_MISMATCH(false, true),
  /** Checksum wrong in every accepted form. */
  BAD_CHECKSUM(false, true),
  /** v2 Auth Type differs from ours (RFC 3768 §7.1). */
  AUTH_TYPE_MISMATCH(false, true),
  /** v2 simple text password differs from ours. */
  AUTH_MISMATCH(false, true),
  /** Advertisement interval zero: no timer can be derived from it. */
  BAD_INTERVAL(false, true),
  /** v2 Adver Int differs from ours (RFC 3768 §7.1: MUST drop). v3 learns the master's instead. */
  INTERVAL_MISMATCH(false, true),
  /** Our own advert looped back (source is our primary address). */
  OWN_ADVERTISEMENT(false, false),
  /** A non-owner's address count differs from our configuration (RFC 5798 §7.1). */
  ADDRESS_COUNT_MISMATCH(false, true),
  /** A non-owner's address list differs from our configuration (RFC 5798 §7.1). */
  ADDRESS_MISMATCH(false, true);

  private final boolean accepted;
  private final boolean fromPeer;

  Verdict(boolean accepted, boolean fromPeer) {
    this.accepted = accepted;
    this.fromPeer = fromPeer;
  }

  public boolean accepted() {
    return accepted;
  }

  /**
   * Whether the packet is known to be an advert of our virtual router from another router, so that
   * it belongs in the peer table: false for other VRIDs, unparseable headers and our own echoes.
   */
  public boolean fromPeer() {
    return fromPeer;
  }
}
