package io.virtualip.operator.status;

import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.PeerStatus;
import io.virtualip.api.v1.contract.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a split brain (two or more nodes whose agents are alive claim Master) and explains it from
 * the agents' counters: either the advertisements do not cross (nobody hears the other), or they
 * cross and are rejected, and then for which reason. Pure; the caller keeps the previous counter
 * snapshot so growth can be told from history.
 */
public final class SplitBrainDetector {
  private SplitBrainDetector() {}

  /**
   * Adverts of another VRID: counted for every other virtual router on the segment, so they name a
   * cause only when the other claimant is not heard at all (then the claimants likely run different
   * VRIDs).
   */
  static final String VRID_MISMATCH = RejectReason.VRID_MISMATCH.code();

  public enum Kind {
    /** Adverts arrive and are counted as rejected. */
    REJECTED,
    /** The receiver has not heard the sender within 3 advertisement intervals. */
    NOT_REACHING,
    /** Adverts arrive and are accepted: the nodes are still converging. */
    CROSSING
  }

  /** What {@code receiver} observes of {@code sender}'s advertisements. */
  public record Diagnosis(String receiver, String sender, Kind kind, List<String> rejectReasons) {}

  /**
   * @param claimants the live nodes in state Master, by name
   * @param diagnoses one per ordered pair of claimants
   * @param explanation the whole story in words, for the SplitBrain condition and event
   */
  public record SplitBrain(
      List<NodeStatus> claimants, List<Diagnosis> diagnoses, String explanation) {
    public List<String> names() {
      return claimants.stream().map(NodeStatus::name).toList();
    }
  }

  /**
   * @param previousRejected each node's rejected counters as seen at the previous reconcile
   *     (absent: none seen)
   * @param interval the VirtualIP's advertisement interval
   */
  public static Optional<SplitBrain> detect(
      List<NodeStatus> liveMasters,
      Map<String, Map<String, Long>> previousRejected,
      Duration interval,
      Mode mode,
      Instant now) {
    if (liveMasters.size() < 2) {
      return Optional.empty();
    }
    List<NodeStatus> claimants =
        liveMasters.stream().sorted(Comparator.comparing(NodeStatus::name)).toList();
    List<Diagnosis> diagnoses = new ArrayList<>();
    for (NodeStatus receiver : claimants) {
      for (NodeStatus sender : claimants) {
        if (receiver != sender) {
          diagnoses.add(
              diagnose(receiver, sender, previousRejected.get(receiver.name()), interval, now));
        }
      }
    }
    return Optional.of(
        new SplitBrain(claimants, List.copyOf(diagnoses), explain(claimants, diagnoses, mode)));
  }

  static Diagnosis diagnose(
      NodeStatus receiver,
      NodeStatus sender,
      Map<String, Long> previous,
      Duration interval,
      Instant now) {
    List<String> growing = growingRejections(receiver.rejected(), previous);
    List<String> mismatches =
        growing.stream()
            .filter(r -> RejectReason.fromCode(r).filter(RejectReason::disagreement).isPresent())
            .toList();
    if (!mismatches.isEmpty()) {
      return new Diagnosis(receiver.name(), sender.name(), Kind.REJECTED, mismatches);
    }
    Optional<Instant> heard = lastHeard(receiver, sender.address());
    // RFC 5798 section 6.1: Master_Down_Interval is about 3 advertisement intervals; older means
    // not hearing. As of the receiver's report: agents write their entry when a peer appears or
    // goes silent, not on every advert, so a listed peer's lastHeard is only as fresh as the
    // entry's updated stamp.
    Instant asOf =
        Optional.ofNullable(receiver.updated())
            .flatMap(SplitBrainDetector::parse)
            .filter(t -> t.isBefore(now))
            .orElse(now);
    if (heard.isPresent() && !heard.get().isBefore(asOf.minus(interval.multipliedBy(3)))) {
      return new Diagnosis(receiver.name(), sender.name(), Kind.CROSSING, List.of());
    }
    if (growing.contains(VRID_MISMATCH)) {
      return new Diagnosis(receiver.name(), sender.name(), Kind.REJECTED, List.of(VRID_MISMATCH));
    }
    return new Diagnosis(receiver.name(), sender.name(), Kind.NOT_REACHING, List.of());
  }

  /** Reasons whose counters grew since the previous report; without one, every non-zero counter. */
  static List<String> growingRejections(Map<String, Long> now, Map<String, Long> before) {
    if (now == null) {
      return List.of();
    }
    return now.entrySet().stream()
        .filter(
            e ->
                e.getValue() != null
                    && e.getValue() > (before == null ? 0L : before.getOrDefault(e.getKey(), 0L)))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  private static Optional<Instant> lastHeard(NodeStatus receiver, String address) {
    if (receiver.peers() == null || address == null) {
      return Optional.empty();
    }
    return receiver.peers().stream()
        .filter(p -> address.equals(p.address()))
        .map(PeerStatus::lastHeard)
        .filter(Objects::nonNull)
        .flatMap(t -> parse(t).stream())
        .max(Comparator.naturalOrder());
  }

  public static Optional<Instant> parse(String rfc3339) {
    try {
      return Optional.of(Instant.parse(rfc3339));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String explain(List<NodeStatus> claimants, List<Diagnosis> diagnoses, Mode mode) {
    StringBuilder text =
        new StringBuilder("Nodes ")
            .append(String.join(", ", claimants.stream().map(NodeStatus::name).toList()))
            .append(" claim Master at the same time.");
    // Several pairs often share a cause; say each sentence once.
    Set<String> sentences = new LinkedHashSet<>();
    // One direction heard while the other is blocked or rejected will not converge: the seed's
    // firewall drops adverts on one side only, and the master that still hears the other stays
    // master as RFC 5798 6.4.3 says.
    boolean blockedSomewhere = diagnoses.stream().anyMatch(d -> d.kind() != Kind.CROSSING);
    for (Diagnosis d : diagnoses) {
      String sentence =
          switch (d.kind()) {
            case REJECTED ->
                "Adverts reach "
                    + d.receiver()
                    + " but it rejects them: "
                    + describe(d.rejectReasons())
                    + "; make the VirtualIP's settings agree on every node.";
            case NOT_REACHING ->
                "Adverts from "
                    + d.sender()
                    + " do not reach "
                    + d.receiver()
                    + ": "
                    + firewallAdvice(mode, claimants.get(0).address());
            case CROSSING ->
                d.receiver()
                    + " hears and accepts "
                    + d.sender()
                    + "'s adverts"
                    + (blockedSomewhere
                        ? ", so the loss is one-way."
                        : "; the election should converge within 3 advertisement intervals.");
          };
      sentences.add(sentence);
    }
    sentences.forEach(s -> text.append(' ').append(s));
    return text.toString();
  }

  private static String describe(List<String> reasons) {
    return String.join(
        ", ",
        reasons.stream()
            .map(
                r ->
                    r.equals(VRID_MISMATCH)
                        ? "adverts of another VRID ["
                            + r
                            + "] (do the nodes agree on "
                            + "virtualRouterId?)"
                        : RejectReason.fromCode(r).map(RejectReason::meaning).orElse(r)
                            + " ["
                            + r
                            + "]")
            .toList());
  }

  private static String firewallAdvice(Mode mode, String address) {
    if (mode == Mode.Unicast) {
      return "a firewall dropping IP protocol 112 (VRRP) between the nodes is the usual cause; allow it.";
    }
    String group = Addresses.isIpv6(address) ? "ff02::12" : "224.0.0.18";
    return "a firewall dropping IP protocol 112 (VRRP) or traffic to "
        + group
        + " is the usual cause; allow it, or set mode: Unicast.";
  }
}
