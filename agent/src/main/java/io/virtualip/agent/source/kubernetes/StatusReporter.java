package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.PeerStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.SpecDefaults;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reports this node's view of each instance: its status.nodes entry and an Event per transition.
 *
 * <p>The engine tells it from its event loop; {@link #updated} only records the snapshot and wakes
 * the reporter's own thread, which does every API call. While the API is unreachable only the
 * latest snapshot per VirtualIP is kept (a newer one replaces an unwritten older one), transitions'
 * Events wait in a bounded queue, and writes are retried with backoff; when the API returns, the
 * entries catch up in one write each. Nothing here can block or slow the engine. Events go out on a
 * thread of their own, after the entries: a failover's dozens of transition Events, one request
 * each, must not hold up the entries of the VirtualIPs that change next (issue 14: the entries of
 * the last takeovers waited seconds behind the first ones' Events).
 *
 * <p>Write on change: an entry is written only when something its readers use changed
 * (operator/CONTRACT.md): state, priorities, the master heard, the reason, the observed generation,
 * a peer appearing or going silent (silent: not heard within 3 advertisement intervals; a silence
 * alone is written {@link #PEER_SILENCE_DELAY_INTERVALS} intervals late), and the rejection
 * counters, at most every {@link #REJECTED_EVERY} while they grow. Advert counters and lastHeard
 * stamps ride along but never cause a write. Transitions are written at once; what time alone
 * changes (a peer going silent) is checked every {@code checkInterval}. A quiet VirtualIP costs no
 * write at all: the liveness of every claim comes from the node's one Lease. An entry the API shows
 * differently from the last write (marked Unknown by the operator while this agent could not renew
 * its Lease, or lost) is rewritten {@code repairAfter} after that write.
 */
public final class StatusReporter implements InstanceEngine.Listener, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(StatusReporter.class.getName());
  static final int MAX_QUEUED_EVENTS = 64;
  static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * A write round starts this long after the change that wakes it. Routers of equal priority take
   * over in the same instant and all but one yield on each other's first advert, a millisecond
   * later: written at once, each yielder's short-lived Master entry cost two writes and made the
   * operator name it master and then move the master again (issue 14). Gathered, a yielder writes
   * once, as the Backup it ended as.
   */
  static final Duration GATHER = Duration.ofMillis(20);

  /**
   * Growing rejection counters are written at most this often (the split-brain diagnosis compares
   * two reports).
   */
  static final Duration REJECTED_EVERY = Duration.ofSeconds(5);

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /**
   * A peer that fell silent, with nothing else changed, is written this many advertisement
   * intervals after it was first seen silent. Silence comes after 3 intervals, a backup's takeover
   * after 3 intervals plus Skew_Time: when a node dies, every other node's entry of every VirtualIP
   * it was a peer in would otherwise change in the same second as the takeovers, and those writes
   * (hundreds at 100 VirtualIPs x 10 nodes) delayed the takeovers' status (issue 14). A takeover or
   * any other change writes at once, with the silent peer already left out.
   */
  static final int PEER_SILENCE_DELAY_INTERVALS = 2;

  /** The part of an entry whose change is worth a write. */
  record Reported(
      NodeState state,
      int priority,
      int effectivePriority,
      String masterAddress,
      String reason,
      Set<String> peers,
      Long generation) {}

  /**
   * What is still to be written for one VirtualIP: a snapshot, or (null) the removal of this node's
   * entry.
   */
  private record Pending(InstanceSnapshot snapshot) {}

  private record QueuedTransition(String virtualIp, NodeState from, InstanceSnapshot to) {}

  private final String node;
  private final NodeStatusWriter writer;
  private final TransitionEvents events;
  private final Function<String, VirtualIP> virtualIps;
  private final InstanceEngine engine;
  private final Clock clock;
  private final Duration checkInterval;
  private final Duration repairAfter;
  private final ScheduledExecutorService api =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("virtualip-status"));

  /** Sends the transitions' Events, in order, with a backoff of its own. */
  private final ScheduledExecutorService eventSender =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("virtualip-status-events"));

  static final int WRITERS = 4;

  /**
   * The API calls of one round of entry writes, in parallel; bookkeeping stays on {@link #api}'s
   * thread.
   */
  private final ExecutorService writers =
      Executors.newFixedThreadPool(WRITERS, DaemonThreads.named("virtualip-status-write"));

  /** Kept after a removal too, so that the engine's final transition still gets its Event. */
  private final Map<String, InstanceSnapshot> latest = new ConcurrentHashMap<>();

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Long> generations = new ConcurrentHashMap<>();

  /**
   * VirtualIPs that run here: an engine's last words after a removal must not bring the removed
   * entry back.
   */
  private final Set<String> active = ConcurrentHashMap.newKeySet();

  private final Deque<QueuedTransition> transitions = new ArrayDeque<>();
  private final RetryingDrain statusWrites =
      new RetryingDrain(api, this::writeEntriesThenEvents, MIN_BACKOFF, MAX_BACKOFF, GATHER);
  private final RetryingDrain eventSends =
      new RetryingDrain(
          eventSender, () -> sendEvents(true), MIN_BACKOFF, MAX_BACKOFF, Duration.ZERO);

  /** Only touched on the reporter's thread. */
  private final Map<String, Instant> lastWritten = new HashMap<>();

  /**
   * Only touched on the reporter's thread: what each entry's last write said, and its updated
   * stamp.
   */
  private final Map<String, Reported> lastReported = new HashMap<>();

  private final Map<String, Map<String, Long>> lastRejected = new HashMap<>();
  private final Map<String, String> lastStamp = new HashMap<>();

  /** When a VirtualIP's only change since its last write was first seen to be a silent peer. */
  private final Map<String, Instant> silentSince = new HashMap<>();

  StatusReporter(
      String node,
      NodeStatusWriter writer,
      TransitionEvents events,
      Function<String, VirtualIP> virtualIps,
      InstanceEngine engine,
      Clock clock,
      Duration checkInterval,
      Duration repairAfter) {
    this.node = node;
    this.writer = writer;
    this.events = events;
    this.virtualIps = virtualIps;
    this.engine = engine;
    this.clock = clock;
    this.checkInterval = checkInterval;
    this.repairAfter = repairAfter;
  }

  void start() {
    long tick = checkInterval.toMillis();
    api.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** From the engine's event loop: record and wake, nothing more. */
  @Override
  public void updated(String name, InstanceSnapshot snapshot) {
    InstanceSnapshot previous = latest.put(name, snapshot);
    NodeState from = previous == null ? NodeState.Init : previous.state();
    if (from != snapshot.state()) {
      synchronized (transitions) {
        if (transitions.size() == MAX_QUEUED_EVENTS) {
          transitions.removeFirst();
        }
        transitions.addLast(new QueuedTransition(name, from, snapshot));
      }
    }
    if (active.contains(name)) {
      pending.put(name, new Pending(snapshot));
    }
    wake();
  }

  /**
   * The generation of the VirtualIP whose configuration the engine runs (reported as
   * observedGeneration); called before the engine is told to apply it, which also marks the
   * instance as running here.
   */
  void observedGeneration(String name, long generation) {
    generations.put(name, generation);
    active.add(name);
  }

  /** The instance was removed from this node: drop its entry from the VirtualIP. */
  void removed(String name) {
    active.remove(name);
    generations.remove(name);
    pending.put(name, new Pending(null));
    wake();
  }

  private void wake() {
    statusWrites.wake();
  }

  /** On {@link #api}'s thread: writes the pending entries, then lets the Events follow. */
  private boolean writeEntriesThenEvents() {
    boolean written = writeEntries();
    eventSends.wake();
    return written;
  }

  /**
   * Writes every pending entry, {@link #WRITERS} at a time: a failover changes the entries of every
   * VirtualIP the node runs at once, and one API round trip after another would make the last of
   * them late by their sum.
   *
   * @return false when a write failed and must be retried (the others are still attempted)
   */
  private boolean writeEntries() {
    record Attempt(String name, Pending pending, NodeStatus entry, Future<?> write) {}
    List<Attempt> attempts = new ArrayList<>();
    for (var e : Map.copyOf(pending).entrySet()) {
      String name = e.getKey();
      Pending p = e.getValue();
      if (virtualIps.apply(name) == null) {
        // Gone from the informer (deleted, or no longer this placement's): there is no entry to
        // write or remove, and writing would only earn a 404 per report.
        pending.remove(name, p);
        forget(name);
        continue;
      }
      NodeStatus entry = p.snapshot() == null ? null : toNodeStatus(name, p.snapshot());
      attempts.add(
          new Attempt(
              name,
              p,
              entry,
              writers.submit(
                  () -> {
                    if (entry == null) {
                      writer.remove(name);
                    } else {
                      writer.write(name, entry);
                    }
                  })));
    }
    boolean allWritten = true;
    for (Attempt a : attempts) {
      String name = a.name();
      try {
        a.write().get();
        if (a.entry() == null) {
          forget(name);
        } else {
          lastWritten.put(name, clock.instant());
          lastReported.put(
              name, reported(name, a.pending().snapshot(), Instant.parse(a.entry().updated())));
          lastRejected.put(name, a.pending().snapshot().rejected());
          lastStamp.put(name, a.entry().updated());
          silentSince.remove(name);
        }
        // Only if nothing newer arrived meanwhile; a newer snapshot stays pending for the next
        // round.
        pending.remove(name, a.pending());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException ex) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot write status of VirtualIP "
                + name
                + " (will retry): "
                + ex.getCause().getMessage());
        allWritten = false;
      }
    }
    return allWritten;
  }

  private void forget(String name) {
    silentSince.remove(name);
    lastWritten.remove(name);
    lastReported.remove(name);
    lastRejected.remove(name);
    lastStamp.remove(name);
  }

  /**
   * Sends the queued Events in order. With {@code entriesFirst} it stops while entries wait to be
   * written (unless their writes are failing): an Event costs the API server as much as an entry,
   * and in a failover each node's transitions' Events, sent alongside, slowed the entries that name
   * the new master (issue 14). The round that writes those entries wakes this again.
   */
  private boolean sendEvents(boolean entriesFirst) {
    while (true) {
      if (entriesFirst && !pending.isEmpty() && !statusWrites.backingOff()) {
        return true;
      }
      QueuedTransition t;
      synchronized (transitions) {
        t = transitions.peekFirst();
      }
      if (t == null) {
        return true;
      }
      VirtualIP vip = virtualIps.apply(t.virtualIp());
      try {
        if (vip != null) {
          Event event = events.build(vip, t.from(), t.to());
          events.create(event);
        }
      } catch (RuntimeException ex) {
        if (retryable(ex)) {
          LOG.log(
              System.Logger.Level.WARNING,
              "cannot record event for VirtualIP "
                  + t.virtualIp()
                  + " (will retry): "
                  + ex.getMessage());
          return false;
        }
        // Already there (a retried create whose first attempt landed), or refused for good: do not
        // block the rest.
        if (!(ex instanceof KubernetesClientException k && k.getCode() == 409)) {
          LOG.log(
              System.Logger.Level.WARNING,
              "dropping event for VirtualIP " + t.virtualIp() + ": " + ex.getMessage());
        }
      }
      synchronized (transitions) {
        transitions.remove(t);
      }
    }
  }

  /**
   * No answer, a timeout, throttling or a server error may pass; any other client error will not.
   */
  private static boolean retryable(RuntimeException e) {
    if (!(e instanceof KubernetesClientException k)) {
      return false;
    }
    int code = k.getCode();
    return code <= 0 || code == 408 || code == 429 || code >= 500;
  }

  /**
   * On the reporter's thread: queue the entries whose readers' view changed (or that need repair),
   * then write.
   */
  private void check() {
    try {
      Instant now = clock.instant();
      for (String name : active) {
        InstanceSnapshot snapshot = engine.snapshot(name).orElse(latest.get(name));
        if (snapshot == null) {
          continue;
        }
        if (due(name, snapshot, now)) {
          pending.putIfAbsent(name, new Pending(snapshot));
        }
      }
      if (!pending.isEmpty() && !statusWrites.backingOff()) {
        statusWrites.run();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "status check failed: " + e.getMessage());
    }
  }

  private boolean due(String name, InstanceSnapshot snapshot, Instant now) {
    Reported last = lastReported.get(name);
    Instant written = lastWritten.get(name);
    if (last == null || written == null) {
      return true;
    }
    Reported current = reported(name, snapshot, now);
    if (!current.equals(last)) {
      if (!onlyPeersFellSilent(last, current)) {
        return true;
      }
      Instant since = silentSince.computeIfAbsent(name, k -> now);
      return !since.plus(interval(name).multipliedBy(PEER_SILENCE_DELAY_INTERVALS)).isAfter(now);
    }
    silentSince.remove(name); // heard again before the write

    if (!snapshot.rejected().equals(lastRejected.get(name))
        && !written.plus(REJECTED_EVERY).isAfter(now)) {
      return true;
    }
    return !written.plus(repairAfter).isAfter(now) && needsRepair(name);
  }

  private static boolean onlyPeersFellSilent(Reported last, Reported current) {
    return last.peers().containsAll(current.peers())
        && current.equals(
            new Reported(
                last.state(),
                last.priority(),
                last.effectivePriority(),
                last.masterAddress(),
                last.reason(),
                current.peers(),
                last.generation()));
  }

  /**
   * The API shows this node's entry otherwise than written: missing, marked Unknown, or
   * overwritten.
   */
  private boolean needsRepair(String name) {
    VirtualIP vip = virtualIps.apply(name);
    if (vip == null) {
      return false;
    }
    NodeStatus shown =
        vip.getStatus() == null || vip.getStatus().nodes() == null
            ? null
            : vip.getStatus().nodes().stream()
                .filter(e -> node.equals(e.name()))
                .findFirst()
                .orElse(null);
    return shown == null
        || shown.state() == NodeState.Unknown
        || !Objects.equals(shown.updated(), lastStamp.get(name));
  }

  Reported reported(String name, InstanceSnapshot s, Instant now) {
    return new Reported(
        s.state(),
        s.priority(),
        s.effectivePriority(),
        s.masterAddress(),
        s.reason(),
        heard(name, s, now).stream()
            .map(InstanceSnapshot.Peer::address)
            .collect(Collectors.toCollection(TreeSet::new)),
        generations.get(name));
  }

  /**
   * Peers heard within 3 advertisement intervals (RFC 5798 section 6.1: about
   * Master_Down_Interval).
   */
  private List<InstanceSnapshot.Peer> heard(String name, InstanceSnapshot s, Instant now) {
    Instant since = now.minus(interval(name).multipliedBy(3));
    return s.peers().stream()
        .filter(p -> p.lastHeard() == null || !p.lastHeard().isBefore(since))
        .toList();
  }

  private Duration interval(String name) {
    VirtualIP vip = virtualIps.apply(name);
    return vip == null || vip.getSpec() == null
        ? DEFAULT_INTERVAL
        : SpecDefaults.advertisementInterval(vip.getSpec());
  }

  /**
   * This node's entry, within the CRD's bounds ({@link NodeStatus#MAX_PEERS} and friends): the API
   * server refuses a whole write that exceeds one, so the reason is cut and only the most recently
   * heard peers are kept.
   */
  NodeStatus toNodeStatus(String name, InstanceSnapshot s) {
    Map<String, Long> rejected =
        s.rejected().size() <= NodeStatus.MAX_REJECTED_REASONS
            ? s.rejected()
            : s.rejected().entrySet().stream()
                .sorted(
                    Map.Entry.<String, Long>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(NodeStatus.MAX_REJECTED_REASONS)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    List<InstanceSnapshot.Peer> heard = heard(name, s, clock.instant());
    Stream<InstanceSnapshot.Peer> peers = heard.stream();
    if (heard.size() > NodeStatus.MAX_PEERS) {
      peers =
          peers
              .sorted(
                  Comparator.comparing(
                          InstanceSnapshot.Peer::lastHeard,
                          Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
                      .reversed())
              .limit(NodeStatus.MAX_PEERS);
    }
    return NodeStatus.builder()
        .name(node)
        .state(s.state())
        .address(cut(s.ownAddress(), NodeStatus.MAX_ADDRESS_LENGTH))
        .priority(s.priority())
        .effectivePriority(s.effectivePriority())
        .masterAddress(cut(s.masterAddress(), NodeStatus.MAX_ADDRESS_LENGTH))
        .since(s.since() == null ? null : Rfc3339.format(s.since()))
        .reason(cut(s.reason(), NodeStatus.MAX_REASON_LENGTH))
        .reasonCode(s.fault() == null ? null : s.fault().code())
        .advertsSent(s.advertsSent())
        .advertsReceived(s.advertsReceived())
        .rejected(rejected)
        .peers(
            peers
                .map(
                    p ->
                        new PeerStatus(
                            cut(p.address(), NodeStatus.MAX_ADDRESS_LENGTH),
                            p.priority(),
                            p.lastHeard() == null ? null : Rfc3339.formatMillis(p.lastHeard())))
                .toList())
        .observedGeneration(generations.get(name))
        .updated(Rfc3339.formatMillis(clock.instant()))
        .build();
  }

  /** {@code text} cut to {@code max} characters, the last one an ellipsis when cut. */
  static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
  }

  /** Whether everything recorded has been written (for tests and an orderly shutdown). */
  boolean idle() {
    synchronized (transitions) {
      return pending.isEmpty() && transitions.isEmpty();
    }
  }

  /** Gives pending writes up to {@code grace} (a master's final handover report), then stops. */
  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }

  /** Stops without writing what is pending (a crash, for the scale lab). */
  void halt() {
    api.shutdownNow();
    writers.shutdownNow();
    eventSender.shutdownNow();
  }

  void close(Duration grace) {
    try {
      long deadline = System.nanoTime() + grace.toNanos();
      api.submit(statusWrites::run).get(grace.toMillis(), TimeUnit.MILLISECONDS);
      eventSender
          .submit(() -> sendEvents(false))
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      // best effort: the Lease expiry tells the operator the rest
    }
    api.shutdownNow();
    writers.shutdownNow();
    eventSender.shutdownNow();
  }
}
