package io.virtualip.operator.reconciler;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.operator.status.AgentLease;
import io.virtualip.operator.status.StatusAggregator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns the agents' Lease renewals into reconciles only when a node's liveness changes: it falls
 * silent (no renewal within {@link StatusAggregator#CLAIM_RENEWAL_TIMEOUT}: its Master claims
 * become unconfirmed), its Lease expires (AgentDown), or it comes back. A routine renewal changes
 * nothing a status is derived from, so with every agent renewing every second the operator
 * reconciles nothing (issue 14; the Lease informer drops those updates). Looks at the Lease cache
 * every {@link #TICK}; a change reconciles the VirtualIPs the node has an entry in (a Master entry,
 * when it only fell silent or renews again: {@link #onlyClaimsConcerned}). When it expires or comes
 * back from expiry, the VirtualIPs where it claims Master are reconciled at once and the others
 * {@link #BACKUP_ENTRIES_DEFERRAL} later: a dead master's Lease expires about when its backups take
 * over, and dozens of AgentDown marks on its Backup entries, queued first, made the takeovers'
 * status wait for them (issue 14: failover status p99 3.2 s at 100 VirtualIPs x 10 nodes).
 */
final class LeaseLiveness extends AbstractEventSource<Lease, VirtualIP> {

  static final Duration TICK = Duration.ofMillis(200);

  /**
   * How much later a node's Backup entries are shown Unknown (AgentDown) than its claims: about one
   * round of the takeovers' status writes on a loaded API server. A Backup entry's state changes no
   * master, so only the AgentDown mark and its Event come this much later.
   */
  static final Duration BACKUP_ENTRIES_DEFERRAL = Duration.ofSeconds(2);

  enum Liveness {
    RENEWING,
    SILENT,
    EXPIRED
  }

  private final Supplier<List<Lease>> leases;
  private final Supplier<List<VirtualIP>> virtualIps;
  private final Duration defaultDuration;
  private final Clock clock;
  private final Map<String, Liveness> last = new HashMap<>();

  /** VirtualIPs to reconcile when their time comes, earliest kept. */
  private final Map<ResourceID, Instant> deferred = new HashMap<>();

  private ScheduledExecutorService ticker;

  LeaseLiveness(
      Supplier<List<Lease>> leases,
      Supplier<List<VirtualIP>> virtualIps,
      Duration defaultDuration,
      Clock clock) {
    super(Lease.class, "agent-lease-liveness");
    this.leases = leases;
    this.virtualIps = virtualIps;
    this.defaultDuration = defaultDuration;
    this.clock = clock;
  }

  /** A node's liveness at {@code now} from its Lease. */
  static Liveness liveness(AgentLease lease, Instant now) {
    if (!lease.liveAt(now)) {
      return Liveness.EXPIRED;
    }
    return now.isBefore(lease.renewTime().plus(StatusAggregator.CLAIM_RENEWAL_TIMEOUT))
        ? Liveness.RENEWING
        : Liveness.SILENT;
  }

  /** No secondary resources of its own: the Lease informer holds the Leases. */
  @Override
  public java.util.Set<Lease> getSecondaryResources(VirtualIP primary) {
    return java.util.Set.of();
  }

  @Override
  public void start() throws OperatorException {
    super.start();
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "virtualip-lease-liveness");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() throws OperatorException {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    super.stop();
  }

  synchronized void tick() {
    try {
      Instant now = clock.instant();
      Map<String, AgentLease> byNode =
          new Cluster(List.of(), List.of(), leases.get(), List.of()).agentLeases(defaultDuration);
      Map<String, Liveness> current = new HashMap<>();
      byNode.forEach((node, lease) -> current.put(node, liveness(lease, now)));
      for (String node : union(current, last)) {
        Liveness was = last.get(node);
        Liveness is = current.get(node);
        if (Objects.equals(is, was) || was == null) {
          continue;
        }
        boolean onlyClaims = onlyClaimsConcerned(was, is);
        for (VirtualIP vip : virtualIps.get()) {
          if (concerns(vip, node, true)) {
            reconcile(ResourceID.fromResource(vip));
          } else if (!onlyClaims && concerns(vip, node, false)) {
            deferred.merge(
                ResourceID.fromResource(vip),
                now.plus(BACKUP_ENTRIES_DEFERRAL),
                (a, b) -> a.isBefore(b) ? a : b);
          }
        }
      }
      deferred
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue().isAfter(now)) {
                  return false;
                }
                reconcile(e.getKey());
                return true;
              });
      last.clear();
      last.putAll(current);
    } catch (RuntimeException e) {
      // the next tick tries again
    }
  }

  private void reconcile(ResourceID vip) {
    getEventHandler().handleEvent(new Event(vip));
  }

  /**
   * Falling silent or renewing again, without expiring, changes only whether the node's Master
   * claims are confirmed: its Backup entries count alike either way (an entry counts until the
   * Lease expires), so only the VirtualIPs where it claims Master are worth a reconcile. Expiry and
   * coming back from it concern every entry of the node (AgentDown). Reconciling all of a dead
   * node's VirtualIPs at both moments queued the takeovers' reconciles behind twice as many others
   * (issue 14).
   */
  static boolean onlyClaimsConcerned(Liveness was, Liveness is) {
    return was != Liveness.EXPIRED && is != Liveness.EXPIRED && is != null;
  }

  /** Whether the VirtualIP has an entry of {@code node} (a Master entry, if {@code onlyClaims}). */
  static boolean concerns(VirtualIP vip, String node, boolean onlyClaims) {
    return vip.getStatus() != null
        && vip.getStatus().nodes() != null
        && vip.getStatus().nodes().stream()
            .anyMatch(e -> node.equals(e.name()) && (!onlyClaims || e.state() == NodeState.Master));
  }

  private static java.util.Set<String> union(Map<String, Liveness> a, Map<String, Liveness> b) {
    java.util.Set<String> all = new java.util.TreeSet<>(a.keySet());
    all.addAll(b.keySet());
    return all;
  }
}
