package io.virtualip.agent.vrrp;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The state machine driven directly, event by event, with exact times and action sequences. */
class VrrpInstanceTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000 * MS;
  static final InetAddress VIP = ip("203.0.113.10");

  static InstanceConfig.Builder router(String primary) {
    return InstanceConfig.builder(7, ip(primary), VIP);
  }

  /** Feeds the instance an advert as {@code sender} would send it. */
  static final class Peer {
    final InstanceConfig config;
    final AdvertisementEncoder encoder;
    final ByteBuffer buf;
    final ReceivedAdvertisement rx = new ReceivedAdvertisement();

    Peer(InstanceConfig config) {
      this.config = config;
      this.encoder = new AdvertisementEncoder(config);
      this.buf = ByteBuffer.allocate(encoder.messageLength());
    }

    Verdict advertise(VrrpInstance to, int priority, long now, Actions actions) {
      buf.clear();
      encoder.encode(priority, 0, buf);
      rx.wrapPayload(
          buf,
          0,
          encoder.messageLength(),
          config.family(),
          config.primaryAddress().getAddress(),
          encoder.destination(0),
          255);
      return to.receive(rx, now, actions);
    }
  }

  @Test
  void timersFollowRfc5798Section6Point1() {
    VrrpInstance v3 = new VrrpInstance(router("192.0.2.1").build());
    assertThat(v3.skewTime()).isEqualTo(Duration.ofNanos(609_375_000)); // (256-100)*100cs/256
    assertThat(v3.masterDownInterval()).isEqualTo(Duration.ofNanos(3_609_375_000L));
    VrrpInstance fast =
        new VrrpInstance(router("192.0.2.1").priority(200).advertIntervalCentis(50).build());
    assertThat(fast.skewTime()).isEqualTo(Duration.ofNanos(109_375_000)); // 56*50cs/256
    assertThat(fast.masterDownInterval()).isEqualTo(Duration.ofNanos(1_609_375_000L));
    VrrpInstance v2 =
        new VrrpInstance(
            router("192.0.2.1")
                .version(VrrpVersion.V2)
                .priority(200)
                .advertIntervalCentis(300)
                .build());
    assertThat(v2.skewTime()).isEqualTo(Duration.ofNanos(218_750_000)); // (256-200)/256 s
    assertThat(v2.masterDownInterval()).isEqualTo(Duration.ofNanos(9_218_750_000L));
  }

  @Test
  void backupBecomesMasterExactlyAtMasterDownInterval() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(10 * S, a);
    assertThat(a.drain()).containsExactly("INITIALIZE->BACKUP: startup");
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(10 * S + 3_609_375_000L);
    vrrp.timerFired(vrrp.nextDeadlineNanos() - 1, a);
    assertThat(vrrp.state()).isEqualTo(State.BACKUP);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(a.drain())
        .as("address, advert and announcement before the (slower) bookkeeping")
        .containsExactly(
            "add",
            "send 100",
            "announce",
            "BACKUP->MASTER: master down interval expired (no advert heard for 3.61s)");
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(10 * S + 3_609_375_000L + S);
    assertThat(vrrp.masterAddress()).isEqualTo(ip("192.0.2.1"));
  }

  /**
   * A master answers a lower-priority (or priority-0) advert at once, but at most once per
   * Advertisement_Interval: a stream of forged adverts must not be multiplied into ours.
   */
  @Test
  void lowerPriorityAdvertsGetAtMostOneImmediateAnswerPerInterval() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.12").priority(200).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(vrrp.state()).isEqualTo(State.MASTER);
    long tookOver = vrrp.nextDeadlineNanos() - S;
    a.drain();
    Peer lower = new Peer(router("192.0.2.11").priority(100).build());

    for (int i = 0; i < 50; i++) { // 50 adverts within 0.5 s, half of one interval
      assertThat(
              lower
                  .advertise(vrrp, i % 2 == 0 ? 100 : 0, tookOver + 10 * MS + i * 10 * MS, a)
                  .accepted())
          .isTrue();
    }
    assertThat(a.drain()).containsExactly("send 200");
    assertThat(vrrp.state()).isEqualTo(State.MASTER);

    // One interval after the answer the next lower advert is answered at once again.
    lower.advertise(vrrp, 100, tookOver + 10 * MS + S, a);
    assertThat(a.drain()).containsExactly("send 200");
  }

  @Test
  void reasonNamesTheSilentMaster() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.12").build());
    Peer master = new Peer(router("192.0.2.11").priority(150).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    assertThat(master.advertise(vrrp, 150, S, a)).isEqualTo(Verdict.ACCEPTED);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(a.log)
        .contains(
            "BACKUP->MASTER: master down interval expired (no advert from 192.0.2.11 for 3.61s)");
    assertThat(vrrp.status().peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.address()).isEqualTo(ip("192.0.2.11"));
              assertThat(p.lastPriority()).isEqualTo(150);
              assertThat(p.lastHeardNanos()).isEqualTo(S);
            });
  }

  @Test
  void ownerBecomesMasterAtStartup() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").priority(255).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    assertThat(a.drain())
        .containsExactly(
            "add",
            "send 255",
            "announce",
            "INITIALIZE->MASTER: startup as address owner (priority 255)");
  }

  @Test
  void masterAnswersPriorityZeroAndLowerAdvertsAndYieldsToHigher() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.12").priority(100).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    a.drain();
    new Peer(router("192.0.2.11").build()).advertise(vrrp, 0, 5 * S, a);
    assertThat(a.drain()).containsExactly("send 100");
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(6 * S);
    // One interval later: immediate answers are limited to one per interval.
    new Peer(router("192.0.2.11").build()).advertise(vrrp, 100, 6 * S, a);
    assertThat(a.drain())
        .as("equal priority, lower address: we stay and assert")
        .containsExactly("send 100");
    new Peer(router("192.0.2.13").build()).advertise(vrrp, 100, 6 * S, a);
    assertThat(a.drain())
        .containsExactly(
            "MASTER->BACKUP: master 192.0.2.13 has equal priority 100 and a higher address",
            "remove");
    assertThat(vrrp.masterAddress()).isEqualTo(ip("192.0.2.13"));
  }

  @Test
  void backupTakesOverWithinSkewTimeWhenMasterSendsPriorityZero() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.12").build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    new Peer(router("192.0.2.11").build()).advertise(vrrp, 0, S, a);
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(S + 609_375_000L);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(a.log)
        .contains("BACKUP->MASTER: master 192.0.2.11 gave up (priority 0), skew time expired");
  }

  @Test
  void shutdownOfAMasterSendsPriorityZeroThenRemovesAddresses() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").priority(255).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    a.drain();
    vrrp.shutdown(S, a);
    assertThat(a.drain()).containsExactly("send 0", "remove", "MASTER->INITIALIZE: shutdown");
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
  }

  /**
   * A master whose configured priority is lowered keeps MASTER and its addresses and advertises it
   * at once.
   */
  @Test
  void reconfiguredMasterKeepsItsStateAndAdvertisesTheNewPriorityAtOnce() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").priority(150).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(vrrp.state()).isEqualTo(State.MASTER);
    a.drain();
    long t = vrrp.nextDeadlineNanos() - S / 2;
    vrrp.reconfigure(vrrp.config().toBuilder().priority(100).build(), track -> true, t, a);
    assertThat(a.drain()).containsExactly("send 100");
    assertThat(vrrp.state()).isEqualTo(State.MASTER);
    assertThat(vrrp.effectivePriority()).isEqualTo(100);
    assertThat(vrrp.status().configuredPriority()).isEqualTo(100);
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(t + S);
    // The interval too: the next advert is due one new interval after the one sent now.
    vrrp.reconfigure(
        vrrp.config().toBuilder().priority(100).advertIntervalCentis(50).build(),
        track -> true,
        t + MS,
        a);
    assertThat(a.drain()).containsExactly("send 100");
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(t + MS + S / 2);
    // Preempt alone changes nothing a master sends.
    vrrp.reconfigure(
        vrrp.config().toBuilder().preempt(false).build(), track -> true, t + 2 * MS, a);
    assertThat(a.drain()).isEmpty();
    assertThat(vrrp.state()).isEqualTo(State.MASTER);
  }

  /**
   * Master lowered below a preempting backup: the backup discards its next advert and takes over.
   */
  @Test
  void masterLoweredBelowAPreemptingBackupIsPreemptedAtTheBackupsNextCheck() {
    VrrpInstance backup = new VrrpInstance(router("192.0.2.2").priority(120).build());
    Peer master = new Peer(router("192.0.2.1").priority(150).build());
    RecordingActions a = new RecordingActions();
    backup.startup(0, a);
    master.advertise(backup, 150, S, a);
    master.advertise(backup, 150, 2 * S, a);
    a.drain();
    // The master's configuration is edited to 100 (it advertises that at once, see the test above).
    master.advertise(backup, 100, 2 * S + S / 2, a);
    master.advertise(backup, 100, 3 * S, a);
    assertThat(backup.state()).isEqualTo(State.BACKUP);
    assertThat(backup.nextDeadlineNanos())
        .as("discarded: the timer runs from the last 150 advert")
        .isEqualTo(2 * S + backup.masterDownInterval().toNanos());
    backup.timerFired(backup.nextDeadlineNanos(), a);
    assertThat(a.drain())
        .containsExactly(
            "add",
            "send 120",
            "announce",
            "BACKUP->MASTER: preempting lower priority master 192.0.2.1 (priority 100 < our 120)");
  }

  /**
   * A backup raised above the master (preempt on) keeps BACKUP until the master's next advert, then
   * preempts.
   */
  @Test
  void backupRaisedAboveTheMasterTakesOver() {
    VrrpInstance backup = new VrrpInstance(router("192.0.2.2").priority(120).build());
    Peer master = new Peer(router("192.0.2.1").priority(150).build());
    RecordingActions a = new RecordingActions();
    backup.startup(0, a);
    master.advertise(backup, 150, S, a);
    a.drain();
    backup.reconfigure(
        backup.config().toBuilder().priority(200).build(), track -> true, S + S / 2, a);
    assertThat(a.drain()).as("no transition, no advert from a backup").isEmpty();
    assertThat(backup.state()).isEqualTo(State.BACKUP);
    assertThat(backup.masterAddress()).isEqualTo(ip("192.0.2.1"));
    master.advertise(backup, 150, 2 * S, a);
    assertThat(backup.nextDeadlineNanos())
        .as("the master's advert is now discarded")
        .isLessThan(2 * S + backup.masterDownInterval().toNanos());
    backup.timerFired(backup.nextDeadlineNanos(), a);
    assertThat(a.drain())
        .containsExactly(
            "add",
            "send 200",
            "announce",
            "BACKUP->MASTER: preempting lower priority master 192.0.2.1 (priority 150 < our 200)");
  }

  /**
   * Tracks keep their health by name across a reconfigure; a new failing weight-0 track faults the
   * instance.
   */
  @Test
  void reconfiguredTracksKeepTheirHealthAndANewFailingFaultTrackFaults() {
    VrrpInstance vrrp =
        new VrrpInstance(router("192.0.2.1").priority(150).track("uplink", -60).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    vrrp.trackChanged("uplink", false, 4 * S, a);
    assertThat(vrrp.effectivePriority()).isEqualTo(90);
    a.drain();
    // Weight -60 -> -30: still failing, 150 - 30 = 120.
    vrrp.reconfigure(
        router("192.0.2.1").priority(150).track("uplink", -30).build(), track -> true, 5 * S, a);
    assertThat(vrrp.effectivePriority()).isEqualTo(120);
    assertThat(a.drain()).containsExactly("send 120");
    vrrp.reconfigure(
        router("192.0.2.1").priority(150).track("uplink", -30).track("kubelet", 0).build(),
        track -> !track.equals("kubelet"),
        6 * S,
        a);
    assertThat(a.drain())
        .containsExactly(
            "send 0", "remove", "MASTER->FAULT: reconfigured: track kubelet is failing (weight 0)");
    vrrp.reconfigure(
        router("192.0.2.1").priority(150).track("uplink", -30).build(), track -> true, 7 * S, a);
    assertThat(a.drain()).containsExactly("FAULT->BACKUP: reconfigured");
  }

  /** What identifies the router on the wire cannot change in place. */
  @Test
  void reconfigureRefusesAnotherRouter() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").build());
    RecordingActions a = new RecordingActions();
    assertThatThrownBy(
            () ->
                vrrp.reconfigure(
                    InstanceConfig.builder(8, ip("192.0.2.1"), VIP).build(), track -> true, 0, a))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                vrrp.reconfigure(
                    InstanceConfig.builder(7, ip("192.0.2.1"), ip("203.0.113.11")).build(),
                    track -> true,
                    0,
                    a))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(vrrp.config().vrid()).isEqualTo(7);
  }

  @Test
  void cancelledStepDownLetsTheDeferredTimerRunAtOnce() {
    VrrpInstance vrrp = new VrrpInstance(router("192.0.2.1").priority(255).build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    a.drain();
    vrrp.stepDown(Duration.ofSeconds(600), "test", S, a);
    // No priority 0: the operator keeps another master, and priority 0 would make backups take over
    // (issue 11).
    assertThat(a.drain()).containsExactly("MASTER->BACKUP: step down requested: test", "remove");
    assertThat(vrrp.masterAddress()).isNull();
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(vrrp.state()).isEqualTo(State.BACKUP);
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(601 * S);
    vrrp.cancelStepDown(10 * S, a);
    assertThat(vrrp.steppedDown(10 * S)).isFalse();
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(10 * S + vrrp.masterDownInterval().toNanos());
    vrrp.timerFired(vrrp.nextDeadlineNanos(), a);
    assertThat(vrrp.state()).isEqualTo(State.MASTER);
  }

  @Test
  void trackWeightsFollowKeepalivedAndAreClamped() {
    InstanceConfig c =
        router("192.0.2.1")
            .priority(200)
            .track("uplink", 100)
            .track("disk", -30)
            .track("kubelet", 0)
            .build();
    VrrpInstance vrrp = new VrrpInstance(c);
    RecordingActions a = new RecordingActions();
    assertThat(vrrp.effectivePriority()).isEqualTo(254); // 200 + 100 clamped below owner priority
    vrrp.trackChanged("uplink", false, 0, a);
    assertThat(vrrp.effectivePriority()).isEqualTo(200);
    vrrp.trackChanged("disk", false, 0, a);
    assertThat(vrrp.effectivePriority()).isEqualTo(170);
    vrrp.startup(0, a);
    vrrp.trackChanged("kubelet", false, S, a);
    assertThat(vrrp.state()).isEqualTo(State.FAULT);
    assertThat(vrrp.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
    vrrp.trackChanged("kubelet", true, 2 * S, a);
    assertThat(vrrp.state()).isEqualTo(State.BACKUP);
    assertThat(a.log)
        .contains(
            "BACKUP->FAULT: track kubelet failed (weight 0)",
            "FAULT->BACKUP: track kubelet recovered");
    assertThatThrownBy(() -> vrrp.trackChanged("nope", true, 0, a))
        .isInstanceOf(IllegalArgumentException.class);
    VrrpInstance low = new VrrpInstance(router("192.0.2.1").priority(10).track("t", -50).build());
    low.trackChanged("t", false, 0, a);
    assertThat(low.effectivePriority()).isEqualTo(1);
  }

  @Test
  void rejectedAdvertsAreCountedByReasonAndShownPerPeer() {
    InstanceConfig mine =
        router("192.0.2.12")
            .version(VrrpVersion.V2)
            .authentication(Authentication.simplePassword("right"))
            .build();
    VrrpInstance vrrp = new VrrpInstance(mine);
    Peer wrong =
        new Peer(
            router("192.0.2.11")
                .version(VrrpVersion.V2)
                .authentication(Authentication.simplePassword("wrong"))
                .build());
    RecordingActions a = new RecordingActions();
    vrrp.startup(0, a);
    for (int i = 0; i < 3; i++) {
      assertThat(wrong.advertise(vrrp, 150, i * S, a)).isEqualTo(Verdict.AUTH_MISMATCH);
    }
    InstanceStatus status = vrrp.status();
    assertThat(status.counters().rejected())
        .containsExactly(java.util.Map.entry("AUTH_MISMATCH", 3L));
    assertThat(status.counters().advertsReceived()).isZero();
    assertThat(status.peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.lastVerdict()).isEqualTo(Verdict.AUTH_MISMATCH);
              assertThat(p.packetsRejected()).isEqualTo(3);
              assertThat(p.lastPriority()).isEqualTo(-1);
            });
  }

  /**
   * The two steady states must not allocate: a master advertising every interval (with encoding)
   * and a backup receiving the master's adverts. Measured with the JVM's per-thread allocation
   * counter.
   */
  @Test
  void steadyStateAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();

    InstanceConfig masterConfig = router("192.0.2.11").priority(150).build();
    VrrpInstance master = new VrrpInstance(masterConfig);
    VrrpInstance backup = new VrrpInstance(router("192.0.2.12").build());
    AdvertisementEncoder encoder = new AdvertisementEncoder(masterConfig);
    ByteBuffer wire = ByteBuffer.allocate(encoder.messageLength());
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    byte[] source = masterConfig.primaryAddress().getAddress();
    Actions quiet =
        new Actions() {
          @Override
          public void sendAdvertisement(int priority) {
            wire.clear();
            encoder.encode(priority, 0, wire);
          }

          @Override
          public void addAddresses() {}

          @Override
          public void removeAddresses() {}

          @Override
          public void announceAddresses() {}

          @Override
          public void stateChanged(State from, State to, String reason) {}
        };
    master.startup(0, quiet);
    master.timerFired(master.nextDeadlineNanos(), quiet);
    backup.startup(0, quiet);
    long[] now = {0};
    Runnable round =
        () -> {
          now[0] = master.nextDeadlineNanos();
          master.timerFired(now[0], quiet);
          rx.wrapPayload(
              wire,
              0,
              encoder.messageLength(),
              AddressFamily.IPV4,
              source,
              encoder.destination(0),
              255);
          backup.receive(rx, now[0], quiet);
        };
    for (int i = 0; i < 20_000; i++) {
      round.run(); // warm up: JIT compilation and the peer table's first entry
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      round.run();
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(master.state()).isEqualTo(State.MASTER);
    assertThat(backup.state()).isEqualTo(State.BACKUP);
    assertThat(backup.counters().snapshot().advertsReceived()).isEqualTo(120_000);
    // One allocation per round would be at least 16 bytes x 100k; a few hundred bytes are the JVM's
    // own bookkeeping (deoptimisation, the counter itself), not ours.
    assertThat(allocated).as("bytes allocated by 100k advert rounds").isLessThan(100_000);
  }
}
