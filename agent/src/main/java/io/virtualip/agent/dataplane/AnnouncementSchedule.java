package io.virtualip.agent.dataplane;

import java.net.InetAddress;
import java.util.List;

/**
 * Runs the {@link AnnouncePolicy} for one instance on the event loop: a burst of {@code repeat}
 * rounds now, each round announcing every address, rounds {@code interval} apart, then the same
 * again after {@code secondBurstDelay}. {@link #start} restarts the schedule (a master that wins a
 * split brain announces again); {@link #cancel} stops it when the instance leaves Master. Loop
 * thread only.
 */
public final class AnnouncementSchedule {

  private static final System.Logger LOG = System.getLogger(AnnouncementSchedule.class.getName());

  private final AddressAnnouncer announcer;
  private final AnnouncePolicy policy;
  private final EventLoop loop;
  private final EventLoop.Timer timer;
  private List<InetAddress> addresses = List.of();
  private int roundsLeftInBurst;
  private boolean secondBurstPending;
  private long sent;

  public AnnouncementSchedule(EventLoop loop, AddressAnnouncer announcer, AnnouncePolicy policy) {
    this.loop = loop;
    this.announcer = announcer;
    this.policy = policy;
    this.timer = loop.newTimer(this::round);
  }

  public void start(List<InetAddress> addresses) {
    this.addresses = List.copyOf(addresses);
    this.roundsLeftInBurst = policy.repeat();
    this.secondBurstPending = !policy.secondBurstDelay().isZero();
    round();
  }

  public void cancel() {
    timer.cancel();
    roundsLeftInBurst = 0;
    secondBurstPending = false;
  }

  /** Cancels and releases the loop timer; the schedule is unusable afterwards. */
  public void close() {
    cancel();
    loop.removeTimer(timer);
  }

  /** Announcements sent so far (each address counts once per round). */
  public long sent() {
    return sent;
  }

  private void round() {
    long intervalNanos = policy.interval().toNanos();
    // With no interval a whole burst goes out at once, as keepalived does by default.
    do {
      for (int i = 0; i < addresses.size(); i++) {
        try {
          announcer.announce(addresses.get(i));
          sent++;
        } catch (NativeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "announcing " + addresses.get(i).getHostAddress() + " failed: " + e.getMessage());
        }
      }
      roundsLeftInBurst--;
    } while (roundsLeftInBurst > 0 && intervalNanos == 0);
    if (roundsLeftInBurst > 0) {
      timer.armAfter(intervalNanos);
    } else if (secondBurstPending) {
      secondBurstPending = false;
      roundsLeftInBurst = policy.repeat();
      timer.armAt(loop.nowNanos() + policy.secondBurstDelay().toNanos());
    }
  }
}
