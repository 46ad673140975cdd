package io.virtualip.agent.vrrp.sim;

import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A deterministic LAN segment on a virtual clock: routers running real {@link
 * io.virtualip.agent.vrrp.VrrpInstance}s exchange adverts as bytes produced by the real encoder and
 * parsed by the real decoder (IPv4 as full IP packets with Ethernet padding, IPv6 as payload plus
 * ancillary facts). Loss, delay and directional drops (partitions) come from one seeded {@link
 * Random}, so a seed replays the same run exactly.
 *
 * <p>Not thread-safe; everything happens inside {@link #runFor} / {@link #runUntil}.
 */
public final class SimulatedNetwork {
  private final Random random;
  private final List<SimRouter> routers = new ArrayList<>();
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final Set<Long> blocked = new HashSet<>();
  private final List<Transition> transitions = new ArrayList<>();
  private final List<Consumer<Transition>> listeners = new ArrayList<>();
  private long now;
  private long sequence;
  private double loss;
  private long minDelayNanos = 100_000;
  private long maxDelayNanos = 100_000;
  private long deliveries;
  private long drops;

  /** One state change anywhere on the segment, for scenario assertions and printed demos. */
  public record Transition(long atNanos, SimRouter router, State from, State to, String reason) {
    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "%10.3fs %-16s %-10s -> %-7s %s",
          atNanos / 1e9,
          router.name(),
          from,
          to,
          reason);
    }
  }

  public SimulatedNetwork(long seed) {
    this.random = new Random(seed);
  }

  /** Adds a router; it stays in INITIALIZE until {@link SimRouter#startup()}. */
  public SimRouter addRouter(InstanceConfig config) {
    SimRouter r = new SimRouter(this, routers.size(), config);
    routers.add(r);
    return r;
  }

  public List<SimRouter> routers() {
    return List.copyOf(routers);
  }

  /** Virtual time in nanoseconds since the start of the simulation. */
  public long now() {
    return now;
  }

  public void onTransition(Consumer<Transition> listener) {
    listeners.add(listener);
  }

  public List<Transition> transitions() {
    return List.copyOf(transitions);
  }

  /** Probability in [0, 1) that any one delivery is lost. */
  public void setLoss(double probability) {
    if (probability < 0 || probability >= 1) {
      throw new IllegalArgumentException("loss must be in [0, 1): " + probability);
    }
    this.loss = probability;
  }

  /** Each delivery takes a uniformly random delay in [min, max]. */
  public void setDelay(Duration min, Duration max) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 <= min <= max");
    }
    this.minDelayNanos = min.toNanos();
    this.maxDelayNanos = max.toNanos();
  }

  /**
   * Drops everything {@code from} sends to {@code to} (one direction) until {@link #unblock}/{@link
   * #heal}.
   */
  public void block(SimRouter from, SimRouter to) {
    blocked.add(pair(from, to));
  }

  public void unblock(SimRouter from, SimRouter to) {
    blocked.remove(pair(from, to));
  }

  /**
   * Cuts the segment in two: nothing crosses between {@code side} and everyone else, either way.
   */
  public void partition(Collection<SimRouter> side) {
    for (SimRouter a : side) {
      for (SimRouter b : routers) {
        if (!side.contains(b)) {
          block(a, b);
          block(b, a);
        }
      }
    }
  }

  /** Removes every block. */
  public void heal() {
    blocked.clear();
  }

  private static long pair(SimRouter from, SimRouter to) {
    return ((long) from.index() << 32) | to.index();
  }

  /**
   * Runs {@code action} at virtual time {@code atNanos} (in order with everything else at that
   * time).
   */
  public void schedule(long atNanos, Runnable action) {
    push(new Event(Math.max(atNanos, now), sequence++, null, null, action));
  }

  public void runFor(Duration d) {
    runUntil(now + d.toNanos());
  }

  /**
   * Processes events in time order until the queue is empty or the next one is after {@code
   * endNanos}.
   */
  public void runUntil(long endNanos) {
    while (!queue.isEmpty() && queue.peek().at <= endNanos) {
      Event e = queue.poll();
      now = e.at;
      if (e.script != null) {
        e.script.run();
      } else if (e.packet != null) {
        e.to.deliver(e.packet);
      } else if (e.to.timerDue(e.at)) {
        e.to.fireTimer();
      }
    }
    now = Math.max(now, endNanos);
  }

  /** Routers currently in MASTER. */
  public List<SimRouter> masters() {
    List<SimRouter> out = new ArrayList<>();
    for (SimRouter r : routers) {
      if (r.state() == State.MASTER) {
        out.add(r);
      }
    }
    return out;
  }

  public long deliveries() {
    return deliveries;
  }

  public long drops() {
    return drops;
  }

  // ------------------------------------------------------------ used by SimRouter

  void scheduleTimer(SimRouter r, long at) {
    push(new Event(at, sequence++, r, null, null));
  }

  /**
   * Sends {@code packet} to every router it is addressed to (the segment's multicast, or one
   * unicast peer).
   */
  void transmit(SimRouter from, SimPacket packet) {
    for (SimRouter to : routers) {
      if (to == from || !packet.isFor(to)) {
        continue;
      }
      if (blocked.contains(pair(from, to)) || (loss > 0 && random.nextDouble() < loss)) {
        drops++;
        continue;
      }
      long delay =
          minDelayNanos == maxDelayNanos
              ? minDelayNanos
              : minDelayNanos + (long) (random.nextDouble() * (maxDelayNanos - minDelayNanos));
      deliveries++;
      push(new Event(now + delay, sequence++, to, packet, null));
    }
  }

  void transitioned(SimRouter r, State from, State to, String reason) {
    Transition t = new Transition(now, r, from, to, reason);
    transitions.add(t);
    for (Consumer<Transition> l : listeners) {
      l.accept(t);
    }
  }

  private void push(Event e) {
    queue.add(e);
  }

  private record Event(long at, long seq, SimRouter to, SimPacket packet, Runnable script)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
