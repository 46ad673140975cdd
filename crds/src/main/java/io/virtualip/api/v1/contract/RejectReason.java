package io.virtualip.api.v1.contract;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why an agent rejected received VRRP packets: the keys of {@code status.nodes[].rejected}. The
 * agent's validator verdicts name the reason they are counted under, and the code is the verdict's
 * name too (so the metric's reason label and the status key agree: an agent test checks it); {@link
 * #disagreement()} marks the reasons that mean a peer's adverts arrive but disagree with this
 * node's settings, which is how the operator explains a split brain.
 *
 * <p>To add a reason: add a constant (the code is its name) with the words an operator acts on.
 */
public enum RejectReason {
  FAMILY_MISMATCH(false, "delivered on a socket of the other address family"),
  TOO_SHORT(false, "packet too short"),
  BAD_IP_HEADER(false, "unusable IP header"),
  NOT_VRRP(false, "not a VRRP packet"),
  BAD_TTL(true, "TTL/hop limit not 255 (the adverts crossed a router)"),
  BAD_VERSION(true, "VRRP version mismatch (2 against 3)"),
  BAD_TYPE(false, "not an advertisement"),
  /**
   * Counted for every other virtual router on the segment: a cause only when the other claimant is
   * not heard.
   */
  VRID_MISMATCH(false, "adverts of another VRID (do the nodes agree on virtualRouterId?)"),
  LENGTH_MISMATCH(false, "address count beyond the packet's length"),
  BAD_CHECKSUM(true, "checksum mismatch (a VRRPv3 checksum variant the nodes do not share)"),
  AUTH_TYPE_MISMATCH(
      true, "authentication type mismatch (one node uses a password, the other does not)"),
  AUTH_MISMATCH(true, "authentication mismatch (the nodes use different passwords)"),
  BAD_INTERVAL(false, "advertisement interval zero"),
  INTERVAL_MISMATCH(true, "advertisement interval mismatch"),
  OWN_ADVERTISEMENT(false, "own advertisement looped back"),
  ADDRESS_COUNT_MISMATCH(true, "virtual address count mismatch"),
  ADDRESS_MISMATCH(true, "virtual address mismatch (the nodes advertise different addresses)"),
  /**
   * Unicast mode only: adverts are accepted only from the peer list (keepalived's
   * check_unicast_src).
   */
  SOURCE_NOT_PEER(
      true,
      "adverts arrive but from an address that is not a configured peer (is every node's sending address in"
          + " spec.unicastPeers, or the node's InternalIP when the list is derived? If it is, another host sends"
          + " VRRP to this node)");

  private static final Map<String, RejectReason> BY_CODE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(RejectReason::code, Function.identity()));

  private final boolean disagreement;
  private final String meaning;

  RejectReason(boolean disagreement, String meaning) {
    this.disagreement = disagreement;
    this.meaning = meaning;
  }

  /** The key in {@code status.nodes[].rejected}. */
  public String code() {
    return name();
  }

  /**
   * Whether the adverts arrive but disagree with this node's settings (a misconfiguration to fix).
   */
  public boolean disagreement() {
    return disagreement;
  }

  /** What it means, in words for the SplitBrain condition. */
  public String meaning() {
    return meaning;
  }

  /** The reason with this code; empty for a code this build does not know (a newer agent). */
  public static Optional<RejectReason> fromCode(String code) {
    return Optional.ofNullable(code == null ? null : BY_CODE.get(code));
  }
}
