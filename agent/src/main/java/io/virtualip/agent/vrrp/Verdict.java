package io.virtualip.agent.vrrp;

import io.virtualip.api.v1.contract.RejectReason;

/**
 * The outcome of checking one received packet, in the order {@link AdvertisementValidator} checks
 * them. Every packet gets exactly one verdict and every verdict has its own counter, so a peer that
 * "goes silent" can be told apart from a peer whose adverts we throw away (and why): that is the
 * split-brain diagnosis. A rejecting verdict names the contract's {@link RejectReason} it is
 * reported under (in {@code status.nodes[].rejected}), so the reasons' meanings live in one table.
 */
public enum Verdict {
  /** Valid; the checksum is the RFC 5798 one (or v2's). */
  ACCEPTED(null, true),
  /**
   * Valid, v3/IPv4 unicast with keepalived's old checksum (pseudo-header destination 224.0.0.18).
   */
  ACCEPTED_OLD_UNICAST_CHECKSUM(null, true),
  /** Valid, v3/IPv4 with the RFC 9568 §5.2.8 message-only checksum (no pseudo-header). */
  ACCEPTED_MESSAGE_ONLY_CHECKSUM(null, true),

  /** Delivered on a socket of the other address family: a data-plane wiring error. */
  FAMILY_MISMATCH(RejectReason.FAMILY_MISMATCH, false),
  /** Fewer bytes than the fixed 8-byte header (or than an IPv4 header, for a full packet). */
  TOO_SHORT(RejectReason.TOO_SHORT, false),
  /** IPv4 header unusable: not version 4, IHL below 5, or lengths beyond the received bytes. */
  BAD_IP_HEADER(RejectReason.BAD_IP_HEADER, false),
  /** IPv4 Protocol is not 112. */
  NOT_VRRP(RejectReason.NOT_VRRP, false),
  /** TTL / Hop Limit is not 255 (RFC 5798 §7.1), so the packet may come from off-link. */
  BAD_TTL(RejectReason.BAD_TTL, false),
  /**
   * Unicast mode: the source is not a configured (or derived) unicast peer, as keepalived's {@code
   * check_unicast_src}. Not from a peer by definition, so it stays out of the peer table: forged
   * sources cannot fill it. A growing count means someone else sends adverts to us, or a node's
   * address is missing from the peer list.
   */
  SOURCE_NOT_PEER(RejectReason.SOURCE_NOT_PEER, false),
  /** Version field is not the configured version. */
  BAD_VERSION(RejectReason.BAD_VERSION, false),
  /** Type field is not ADVERTISEMENT. */
  BAD_TYPE(RejectReason.BAD_TYPE, false),
  /** Another virtual router's advert (RFC 5798 §7.1: MUST verify the VRID is configured). */
  VRID_MISMATCH(RejectReason.VRID_MISMATCH, false),
  /** Count IPvX Addr says more addresses than the packet carries. */
  LENGTH_MISMATCH(RejectReason.LENGTH_MISMATCH, true),
  /** Checksum wrong in every accepted form. */
  BAD_CHECKSUM(RejectReason.BAD_CHECKSUM, true),
  /** v2 Auth Type differs from ours (RFC 3768 §7.1). */
  AUTH_TYPE_MISMATCH(RejectReason.AUTH_TYPE_MISMATCH, true),
  /** v2 simple text password differs from ours. */
  AUTH_MISMATCH(RejectReason.AUTH_MISMATCH, true),
  /** Advertisement interval zero: no timer can be derived from it. */
  BAD_INTERVAL(RejectReason.BAD_INTERVAL, true),
  /** v2 Adver Int differs from ours (RFC 3768 §7.1: MUST drop). v3 learns the master's instead. */
  INTERVAL_MISMATCH(RejectReason.INTERVAL_MISMATCH, true),
  /** Our own advert looped back (source is our primary address). */
  OWN_ADVERTISEMENT(RejectReason.OWN_ADVERTISEMENT, false),
  /** A non-owner's address count differs from our configuration (RFC 5798 §7.1). */
  ADDRESS_COUNT_MISMATCH(RejectReason.ADDRESS_COUNT_MISMATCH, true),
  /** A non-owner's address list differs from our configuration (RFC 5798 §7.1). */
  ADDRESS_MISMATCH(RejectReason.ADDRESS_MISMATCH, true);

  private final RejectReason rejectReason;
  private final boolean fromPeer;

  Verdict(RejectReason rejectReason, boolean fromPeer) {
    this.rejectReason = rejectReason;
    this.fromPeer = fromPeer;
  }

  public boolean accepted() {
    return rejectReason == null;
  }

  /** The contract's reason a rejected packet is counted under; null for an accepting verdict. */
  public RejectReason rejectReason() {
    return rejectReason;
  }

  /**
   * Whether the packet is known to be an advert of our virtual router from another router, so that
   * it belongs in the peer table: false for other VRIDs, unparseable headers and our own echoes.
   */
  public boolean fromPeer() {
    return fromPeer;
  }
}
