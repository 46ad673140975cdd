package io.virtualip.operator.status;

import static io.virtualip.api.v1.Conditions.DEGRADED;
import static io.virtualip.api.v1.Conditions.FALSE;
import static io.virtualip.api.v1.Conditions.READY;
import static io.virtualip.api.v1.Conditions.SPLIT_BRAIN;
import static io.virtualip.api.v1.Conditions.TRUE;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.operator.status.SplitBrainDetector.SplitBrain;
import io.virtualip.operator.vrid.VridDecision;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Derives status.master, status.stepDown and the Ready, SplitBrain and Degraded conditions from the
 * agents' entries, their Leases and the time. Pure: equal facts give an equal aggregate.
 *
 * <p>An entry counts only while its agent's Lease is live: a master whose agent died is shown
 * Unknown and is neither the master nor half of a split brain. Agents write their entries only when
 * something in them changes; a Master entry is a confirmed claim while its agent's Lease was
 * renewed within {@link #CLAIM_RENEWAL_TIMEOUT}. A silent master (a crashed node, which keeps the
 * address until a backup takes over) still names the master, unconfirmed, until another node claims
 * or Master_Down_Interval has passed ({@link Facts#unconfirmedUntil}): a crash shows as one change
 * of master, not as NoMaster followed by MasterElected.
 */
public final class StatusAggregator {
  /**
   * Two live masters for less than this are a handover, not a split brain: on preemption the old
   * master leaves Master on the new one's first advertisement (RFC 5798 section 6.4.3), but the two
   * agents' status writes reach the API server a moment apart.
   */
  public static final Duration HANDOVER_GRACE = Duration.ofMillis(500);

  /**
   * A Master entry is a confirmed claim while its agent renewed its Lease less than this ago.
   * Agents renew their Lease every 1 s ({@link #LEASE_RENEW_INTERVAL}, operator/CONTRACT.md); twice
   * that tolerates one late or lost renewal. It stays below Master_Down_Interval (about 3
   * advertisement intervals, 3.6 s at 1 s; RFC 5798 section 6.1): a silent claim is never half of a
   * split brain, so a backup taking over a killed master is a failover. Compared with the
   * operator's clock, like the Lease: node clocks must be synchronised.
   */
  public static final Duration CLAIM_RENEWAL_TIMEOUT = Duration.ofSeconds(2);

  /** How often agents renew their Lease (operator/CONTRACT.md). */
  public static final Duration LEASE_RENEW_INTERVAL = Duration.ofSeconds(1);

  private StatusAggregator() {}

  public static Aggregate aggregate(Facts f) {
    List<NodeStatus> entries = f.entries() == null ? List.of() : f.entries();
    Set<String> agentDown = names(entries.stream().filter(e -> !f.live(e)));
    // Only renewed claims: a stale one ends a handover or a split brain as if its node had left
    // Master.
    List<NodeStatus> liveMasters =
        entries.stream().filter(e -> f.live(e) && f.claimsMaster(e)).toList();
    // A silent master still names the master while no other node claims and a backup may not have
    // taken over yet.
    List<NodeStatus> silent =
        entries.stream()
            .filter(f::silentClaim)
            .filter(e -> f.unconfirmedUntil(e).map(f.now()::isBefore).orElse(false))
            .toList();
    NodeStatus unconfirmed = liveMasters.isEmpty() && silent.size() == 1 ? silent.get(0) : null;
    Set<String> staleClaims =
        names(entries.stream().filter(e -> f.live(e) && f.silentClaim(e) && e != unconfirmed));
    Set<String> interfaceMissing =
        names(entries.stream().filter(e -> f.live(e) && Reasons.interfaceMissing(e)));

    Instant since =
        liveMasters.size() < 2
            ? null
            : f.multiMasterSince() != null ? f.multiMasterSince() : f.now();
    boolean handover = since != null && f.now().isBefore(since.plus(HANDOVER_GRACE));
    Optional<SplitBrain> splitBrain =
        handover
            ? Optional.empty()
            : SplitBrainDetector.detect(
                liveMasters, f.previousRejected(), f.interval(), f.mode(), f.now());
    String master =
        liveMasters.size() == 1
            ? liveMasters.get(0).name()
            : handover
                ? handoverMaster(liveMasters, f.previousMaster())
                : unconfirmed != null ? unconfirmed.name() : null;
    StepDown stepDown = stepDown(f, entries, liveMasters, splitBrain);

    List<Condition> conditions =
        List.of(
            ready(f, entries, liveMasters, splitBrain, master, staleClaims, unconfirmed),
            splitBrainCondition(f, splitBrain, stepDown.action(), staleClaims),
            degraded(f, entries, agentDown, interfaceMissing, liveMasters));
    // Only what time alone changes while an agent is silent or two masters hand over; a renewing
    // Lease never asks for a look (the reconciler's Lease watch reports a node falling silent,
    // expiring or coming back).
    Optional<Instant> recheckAt =
        Stream.of(
                entries.stream()
                    .filter(e -> f.live(e) && isSilent(f, e.name()))
                    .map(e -> f.leases().get(e.name()).expiry()),
                Stream.ofNullable(unconfirmed).flatMap(u -> f.unconfirmedUntil(u).stream()),
                handover ? Stream.of(since.plus(HANDOVER_GRACE)) : Stream.<Instant>empty())
            .flatMap(x -> x)
            .min(Comparator.naturalOrder());
    return new Aggregate(
        f.vrid().vrid(),
        master,
        stepDown.nodes(),
        conditions,
        agentDown,
        interfaceMissing,
        splitBrain,
        stepDown.action(),
        recheckAt,
        Optional.ofNullable(since));
  }

  private static boolean isSilent(Facts f, String node) {
    Duration silentFor = f.silentFor(node);
    return silentFor != null && silentFor.compareTo(CLAIM_RENEWAL_TIMEOUT) >= 0;
  }

  /**
   * During a handover the status keeps its master if it is still a claimant, else names the likely
   * winner.
   */
  private static String handoverMaster(List<NodeStatus> liveMasters, String previousMaster) {
    return liveMasters.stream().anyMatch(m -> m.name().equals(previousMaster))
        ? previousMaster
        : liveMasters.stream().max(VRRP_ELECTION_ORDER).orElseThrow().name();
  }

  private record StepDown(List<String> nodes, String action) {}

  /**
   * Resolve: every claimant but the one VRRP itself would elect (highest effective priority, then
   * highest address, RFC 5798 section 6.4.3) is told to step down. A listed node stays listed while
   * another live master exists that it cannot hear, so a firewall that still drops the adverts does
   * not bring the split brain straight back; it is cleared as soon as no other live master exists
   * (a real failover is never blocked) or it hears the master again (then VRRP itself decides).
   */
  private static StepDown stepDown(
      Facts f,
      List<NodeStatus> entries,
      List<NodeStatus> liveMasters,
      Optional<SplitBrain> splitBrain) {
    if (f.policy() != SplitBrainPolicy.Resolve) {
      return new StepDown(List.of(), "");
    }
    TreeSet<String> listed = new TreeSet<>();
    String action = "";
    if (splitBrain.isPresent()) {
      NodeStatus winner = liveMasters.stream().max(VRRP_ELECTION_ORDER).orElseThrow();
      liveMasters.stream()
          .map(NodeStatus::name)
          .filter(n -> !n.equals(winner.name()))
          .forEach(listed::add);
      action =
          "Resolve: told "
              + String.join(", ", listed)
              + " to step down; "
              + winner.name()
              + " (priority "
              + priority(winner)
              + ", address "
              + winner.address()
              + ") stays master.";
    }
    for (String previous :
        f.previousStepDown() == null ? List.<String>of() : f.previousStepDown()) {
      Optional<NodeStatus> otherMaster =
          liveMasters.stream()
              .filter(m -> !m.name().equals(previous) && !listed.contains(m.name()))
              .findFirst();
      Optional<NodeStatus> self =
          entries.stream().filter(e -> e.name().equals(previous)).findFirst();
      boolean hearsMaster =
          otherMaster.isPresent()
              && self.isPresent()
              && SplitBrainDetector.diagnose(
                          self.get(), otherMaster.get(), null, f.interval(), f.now())
                      .kind()
                  == SplitBrainDetector.Kind.CROSSING;
      if (otherMaster.isPresent() && !hearsMaster) {
        listed.add(previous);
      }
    }
    return new StepDown(List.copyOf(listed), action);
  }

  static final Comparator<NodeStatus> VRRP_ELECTION_ORDER =
      Comparator.comparingInt(StatusAggregator::priority)
          .thenComparing(NodeStatus::address, Addresses.NUMERIC);

  private static int priority(NodeStatus e) {
    return e.effectivePriority() != null
        ? e.effectivePriority()
        : e.priority() != null ? e.priority() : 0;
  }

  private static Condition ready(
      Facts f,
      List<NodeStatus> entries,
      List<NodeStatus> liveMasters,
      Optional<SplitBrain> splitBrain,
      String master,
      Set<String> staleClaims,
      NodeStatus unconfirmed) {
    if (!f.violations().isEmpty()) {
      return condition(
          f,
          READY,
          FALSE,
          Reasons.INVALID_SPEC,
          "The spec breaks the CRD's rules: " + String.join("; ", f.violations()));
    }
    VridDecision vrid = f.vrid();
    if (vrid.outcome() == VridDecision.Outcome.CONFLICT) {
      String why =
          vrid.other() == null
              ? "is reserved for other VRRP routers on the network (operator setting virtualip.vrid.reserved)"
              : "is already used by VirtualIP "
                  + vrid.other()
                  + " on the same nodes, which had it first and keeps it";
      return condition(
          f,
          READY,
          FALSE,
          Reasons.VRID_CONFLICT,
          "virtualRouterId "
              + vrid.contested()
              + " "
              + why
              + "; choose another or remove it to get one allocated.");
    }
    if (vrid.outcome() == VridDecision.Outcome.EXHAUSTED) {
      return condition(
          f,
          READY,
          FALSE,
          Reasons.NO_FREE_VRID,
          "Every VRID from 1 to 255 is reserved or used by another VirtualIP on these nodes.");
    }
    if (splitBrain.isPresent()) {
      return condition(
          f,
          READY,
          FALSE,
          Reasons.SPLIT_BRAIN,
          String.join(", ", splitBrain.get().names()) + " all claim Master.");
    }
    if (f.selectedNodes().isEmpty()) {
      return condition(f, READY, FALSE, Reasons.NO_NODES, "No node matches spec.nodeSelector.");
    }
    if (master == null) {
      return condition(
          f,
          READY,
          FALSE,
          Reasons.NO_MASTER,
          "No node with a live agent claims Master." + staleNote(staleClaims));
    }
    Set<String> reporting =
        names(entries.stream().filter(e -> f.live(e) && e.state() != NodeState.Unknown));
    Set<String> silent = new TreeSet<>(f.selectedNodes());
    silent.removeAll(reporting);
    if (unconfirmed != null) {
      silent.remove(unconfirmed.name()); // the unconfirmed note below says it
    }
    if (!silent.isEmpty()) {
      return condition(
          f,
          READY,
          FALSE,
          Reasons.NODES_NOT_REPORTING,
          "Master is "
              + master
              + ", but "
              + String.join(", ", silent)
              + " have no live report (no entry yet, or the agent's Lease has expired).");
    }
    String unconfirmedNote =
        unconfirmed == null
            ? ""
            // The time of the last renewal, not a silence that grows: a message that changes
            // every second is a status write every second for each such VirtualIP, right when a
            // dead node's backups are about to take over (issue 14).
            : " (unconfirmed: its agent last renewed its Lease at "
                + f.now().minus(f.silentFor(master)).truncatedTo(ChronoUnit.MILLIS)
                + "; if the node is down a backup takes over within Master_Down_Interval)";
    return condition(
        f,
        READY,
        TRUE,
        Reasons.MASTER_ELECTED,
        master
            + " holds "
            + String.join(", ", f.addresses())
            + unconfirmedNote
            + "."
            + staleNote(staleClaims));
  }

  private static Condition splitBrainCondition(
      Facts f, Optional<SplitBrain> splitBrain, String action, Set<String> staleClaims) {
    return splitBrain
        .map(
            sb ->
                condition(
                    f,
                    SPLIT_BRAIN,
                    TRUE,
                    Reasons.MULTIPLE_MASTERS,
                    action.isEmpty() ? sb.explanation() : sb.explanation() + " " + action))
        .orElseGet(
            () ->
                condition(
                    f,
                    SPLIT_BRAIN,
                    FALSE,
                    Reasons.AT_MOST_ONE_MASTER,
                    "No two nodes with live agents claim Master." + staleNote(staleClaims)));
  }

  /**
   * Names the nodes whose entries still say Master but are not counted, so the status does not look
   * contradictory.
   */
  private static String staleNote(Set<String> staleClaims) {
    return staleClaims.isEmpty()
        ? ""
        : " Claim not renewed within "
            + CLAIM_RENEWAL_TIMEOUT.toSeconds()
            + " s (agent's Lease silent), not counted as Master: "
            + String.join(", ", staleClaims)
            + ".";
  }

  private static Condition degraded(
      Facts f,
      List<NodeStatus> entries,
      Set<String> agentDown,
      Set<String> interfaceMissing,
      List<NodeStatus> liveMasters) {
    record Problem(String reason, String text) {}
    List<Problem> problems = new ArrayList<>();
    if (!agentDown.isEmpty()) {
      problems.add(
          new Problem(
              Reasons.AGENT_DOWN,
              "agent Lease expired on "
                  + String.join(", ", agentDown)
                  + " (their entries are shown as Unknown)"));
    }
    if (!interfaceMissing.isEmpty()) {
      problems.add(
          new Problem(
              Reasons.INTERFACE_MISSING,
              "interface missing on "
                  + String.join(", ", interfaceMissing)
                  + detail(entries, interfaceMissing)));
    }
    Set<String> fault =
        names(
            entries.stream()
                .filter(
                    e ->
                        f.live(e)
                            && e.state() == NodeState.Fault
                            && !interfaceMissing.contains(e.name())));
    if (!fault.isEmpty()) {
      problems.add(
          new Problem(
              Reasons.NODES_IN_FAULT,
              "in Fault: " + String.join(", ", fault) + detail(entries, fault)));
    }
    boolean anyBackup = entries.stream().anyMatch(e -> f.live(e) && e.state() == NodeState.Backup);
    if (liveMasters.size() == 1 && !anyBackup) {
      problems.add(
          new Problem(
              Reasons.NO_BACKUP,
              "no node is left in Backup to take over from " + liveMasters.get(0).name()));
    }
    if (problems.isEmpty()) {
      return condition(
          f, DEGRADED, FALSE, Reasons.HEALTHY, "Every reporting node is Master or Backup.");
    }
    return condition(
        f,
        DEGRADED,
        TRUE,
        problems.get(0).reason(),
        problems.stream().map(Problem::text).collect(Collectors.joining("; ")) + ".");
  }

  private static String detail(List<NodeStatus> entries, Set<String> nodes) {
    String reasons =
        entries.stream()
            .filter(e -> nodes.contains(e.name()) && e.reason() != null)
            .map(e -> e.name() + ": " + e.reason())
            .collect(Collectors.joining(", "));
    return reasons.isEmpty() ? "" : " (" + reasons + ")";
  }

  /** A condition that keeps the stored lastTransitionTime unless its status changed. */
  private static Condition condition(
      Facts f, String type, String status, String reason, String message) {
    String since =
        f.previousConditions() == null
            ? null
            : f.previousConditions().stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(withinBound(message))
        .withObservedGeneration(f.generation())
        .withLastTransitionTime(
            since != null ? since : f.now().truncatedTo(ChronoUnit.SECONDS).toString())
        .build();
  }

  /**
   * The CRD bounds a condition's message (as metav1.Condition does) and the API server refuses the
   * whole status write beyond it; a split brain among many nodes explains every pair, so a long
   * story is cut.
   */
  static String withinBound(String message) {
    int max = VirtualIPStatus.MAX_CONDITION_MESSAGE_LENGTH;
    return message == null || message.length() <= max
        ? message
        : message.substring(0, max - 1) + "\u2026";
  }

  private static Set<String> names(Stream<NodeStatus> entries) {
    return entries.map(NodeStatus::name).collect(Collectors.toCollection(TreeSet::new));
  }
}
