package io.virtualip.agent.vrrp.sim;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.agent.vrrp.Authentication;
import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.Verdict;
import io.virtualip.agent.vrrp.VrrpVersion;
import io.virtualip.agent.vrrp.sim.SimulatedNetwork.Transition;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * One scenario per RFC 5798 / keepalived rule, on the simulated LAN (real codec, virtual clock, 0.1
 * ms delivery delay unless a test says otherwise). Times are asserted against the RFC's timer
 * formulas.
 */
class ScenarioTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000 * MS;
  static final long DELAY = 100_000; // the network's default one-way delay: 0.1 ms

  final SimulatedNetwork net = new SimulatedNetwork(42);

  SimRouter router(int host, int priority) {
    return router(host, priority, b -> b);
  }

  SimRouter router(int host, int priority, UnaryOperator<InstanceConfig.Builder> tweak) {
    return net.addRouter(
        tweak
            .apply(
                InstanceConfig.builder(7, ip("192.0.2." + host), ip("203.0.113.10"))
                    .priority(priority))
            .build());
  }

  /** Exactly one router is MASTER and it is the only one holding the addresses. */
  void assertSingleMaster(SimRouter expected) {
    assertThat(net.masters()).containsExactly(expected);
    assertThat(net.routers()).filteredOn(SimRouter::holdsAddresses).containsExactly(expected);
  }

  Transition lastTransitionTo(SimRouter r, State to) {
    List<Transition> all = net.transitions();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).router() == r && all.get(i).to() == to) {
        return all.get(i);
      }
    }
    throw new AssertionError(r.name() + " never entered " + to);
  }

  void startAll() {
    for (SimRouter r : net.routers()) {
      r.startup();
    }
  }

  @Test
  void electionHighestPriorityWins() {
    SimRouter a = router(1, 100);
    SimRouter b = router(2, 150);
    SimRouter c = router(3, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    assertThat(a.state()).isEqualTo(State.BACKUP);
    assertThat(c.state()).isEqualTo(State.BACKUP);
    // b's Master_Down_Interval is the shortest (smallest skew), so it is the first and only master.
    assertThat(net.transitions()).filteredOn(t -> t.to() == State.MASTER).hasSize(1);
    assertThat(lastTransitionTo(b, State.MASTER).atNanos())
        .isEqualTo(b.instance().masterDownInterval().toNanos());
  }

  @Test
  void failoverAfterMasterDownInterval() {
    SimRouter master = router(1, 150);
    SimRouter backup = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(master);
    long lastAdvert =
        master.instance().nextDeadlineNanos() - S; // the master advertised at this time
    net.runUntil(lastAdvert + S / 2);
    master.crash();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(backup);
    Transition takeover = lastTransitionTo(backup, State.MASTER);
    // Master_Down_Interval for priority 120 at 1 s: 3 s + (256-120)/256 s = 3.53125 s after the
    // last advert.
    assertThat(takeover.atNanos()).isEqualTo(lastAdvert + DELAY + 3_531_250_000L);
    assertThat(takeover.reason())
        .isEqualTo("master down interval expired (no advert from 192.0.2.1 for 3.53s)");
    assertThat(backup.announcements()).isEqualTo(1);
  }

  @Test
  void higherPriorityPreemptsAfterMasterDownInterval() {
    SimRouter low = router(1, 100);
    startAll();
    net.runFor(Duration.ofSeconds(5));
    assertSingleMaster(low);
    SimRouter high = router(2, 200);
    long start = net.now();
    high.startup();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(high);
    // high discards low's adverts, so it takes over when its own Master_Down_Interval runs out.
    assertThat(lastTransitionTo(high, State.MASTER).atNanos() - start)
        .isEqualTo(high.instance().masterDownInterval().toNanos());
    assertThat(lastTransitionTo(high, State.MASTER).reason())
        .isEqualTo("preempting lower priority master 192.0.2.1 (priority 100 < our 200)");
    assertThat(lastTransitionTo(low, State.BACKUP).reason())
        .isEqualTo("higher priority master 192.0.2.2 (priority 200 > our 100)");
  }

  @Test
  void noPreemptKeepsTheLowerPriorityMaster() {
    SimRouter low = router(1, 100);
    startAll();
    net.runFor(Duration.ofSeconds(5));
    SimRouter high = router(2, 200, b -> b.preempt(false));
    high.startup();
    net.runFor(Duration.ofSeconds(60));
    assertSingleMaster(low);
    assertThat(high.state()).isEqualTo(State.BACKUP);
  }

  @Test
  void preemptDelayPostponesPreemption() {
    SimRouter low = router(1, 100);
    startAll();
    net.runFor(Duration.ofSeconds(5));
    SimRouter high = router(2, 200, b -> b.preemptDelay(Duration.ofSeconds(20)));
    long start = net.now();
    high.startup();
    net.runFor(Duration.ofSeconds(19));
    assertSingleMaster(low);
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(high);
    long tookOver = lastTransitionTo(high, State.MASTER).atNanos() - start;
    // First lower advert at ~0-1 s, delay 20 s, then a Master_Down_Interval (3.22 s) of discarded
    // adverts.
    assertThat(tookOver)
        .isBetween(
            20 * S + high.instance().masterDownInterval().toNanos() - S,
            21 * S + high.instance().masterDownInterval().toNanos() + S);
  }

  @Test
  void equalPrioritiesHigherAddressWins() {
    SimRouter a = router(1, 100);
    SimRouter b = router(2, 100);
    SimRouter c = router(3, 100);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    // All three time out together and advertise; the lower addresses yield (RFC 5798 §6.4.3).
    assertSingleMaster(c);
    assertThat(lastTransitionTo(a, State.BACKUP).reason())
        .startsWith("master 192.0.2.")
        .endsWith("has equal priority 100 and a higher address");
  }

  @Test
  void priorityZeroHandsOverWithinSkewTime() {
    SimRouter master = router(1, 200);
    SimRouter backup = router(2, 100);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(master);
    long shutdownAt = net.now();
    master.shutdown();
    net.runFor(Duration.ofSeconds(2));
    assertSingleMaster(backup);
    long handover = lastTransitionTo(backup, State.MASTER).atNanos() - shutdownAt;
    assertThat(handover)
        .isEqualTo(DELAY + backup.instance().skewTime().toNanos()); // 0.609 s, not 3.6 s
    assertThat(master.state()).isEqualTo(State.INITIALIZE);
  }

  @Test
  void addressOwnerTakesOverAtStartup() {
    SimRouter backup = router(1, 200);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    SimRouter owner = router(2, 255);
    long start = net.now();
    owner.startup();
    net.runFor(Duration.ofSeconds(1));
    assertSingleMaster(owner);
    assertThat(lastTransitionTo(owner, State.MASTER).atNanos()).isEqualTo(start);
    assertThat(lastTransitionTo(backup, State.BACKUP).atNanos()).isEqualTo(start + DELAY);
  }

  @Test
  void partitionMakesTwoMastersAndHealingLeavesOne() {
    SimRouter a = router(1, 150);
    SimRouter b = router(2, 120);
    SimRouter c = router(3, 100);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
    net.partition(List.of(a));
    net.runFor(Duration.ofSeconds(10));
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    assertThat(c.instance().masterAddress()).isEqualTo(ip("192.0.2.2"));
    net.heal();
    long healed = net.now();
    net.runFor(Duration.ofSeconds(5));
    assertSingleMaster(a);
    assertThat(lastTransitionTo(b, State.BACKUP).atNanos() - healed).isLessThanOrEqualTo(S + DELAY);
  }

  @Test
  void directionalDropMakesTheDeafBackupAMasterToo() {
    SimRouter a = router(1, 150);
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    net.block(a, b); // b no longer hears a; a still hears b
    net.runFor(Duration.ofSeconds(10));
    // a hears b's lower adverts and answers; b never hears them: a split brain only b's side shows.
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    assertThat(a.instance().status().peers())
        .anySatisfy(p -> assertThat(p.address()).isEqualTo(ip("192.0.2.2")));
    net.unblock(a, b);
    net.runFor(Duration.ofSeconds(3));
    assertSingleMaster(a);
  }

  /**
   * Issue 11, item 6: a (200) cannot hear b (150); b at first hears no one; c (100) hears both. a
   * and b are both master. When b starts to hear a it yields, and sends nothing (RFC 5798 §6.4.3):
   * c, which never heard the split brain end, keeps following a.
   */
  @Test
  void aMasterThatYieldsSendsNoPriorityZeroSoTheThirdRouterStaysBackup() {
    List<SimRouter> r = splitBrainWithThirdRouter();
    SimRouter a = r.get(0);
    SimRouter b = r.get(1);
    SimRouter c = r.get(2);
    long priorityZeroBefore = b.instance().counters().snapshot().priorityZeroSent();
    net.unblock(a, b); // b hears a again; a still does not hear b
    net.runFor(Duration.ofSeconds(20));
    assertSingleMaster(a);
    assertThat(lastTransitionTo(b, State.BACKUP).reason())
        .isEqualTo("higher priority master 192.0.2.1 (priority 200 > our 150)");
    assertThat(b.instance().counters().snapshot().priorityZeroSent()).isEqualTo(priorityZeroBefore);
    assertThat(net.transitions())
        .filteredOn(t -> t.router() == c)
        .extracting(Transition::to)
        .containsExactly(State.BACKUP);
  }

  /**
   * The same split brain, with the priority-0 advert the agent used to send when yielding: c takes
   * it for "the master left" and takes over after its Skew_Time (0.61 s), before a's next advert;
   * the split brain moves on.
   */
  @Test
  void aPriorityZeroWhenYieldingWouldMoveTheSplitBrainToTheThirdRouter() {
    List<SimRouter> r = splitBrainWithThirdRouter();
    SimRouter a = r.get(0);
    SimRouter b = r.get(1);
    SimRouter c = r.get(2);
    net.onTransition(
        t -> {
          if (t.router() == b && t.from() == State.MASTER && t.to() == State.BACKUP) {
            b.advertise(0);
          }
        });
    net.unblock(a, b);
    net.runFor(Duration.ofSeconds(20));
    assertThat(net.transitions())
        .filteredOn(t -> t.router() == c && t.to() == State.MASTER)
        .extracting(Transition::reason)
        .contains("master 192.0.2.2 gave up (priority 0), skew time expired");
  }

  /**
   * a (200) master, b (150) master too because it hears no one, a deaf to b, c (100) a backup
   * hearing both.
   */
  private List<SimRouter> splitBrainWithThirdRouter() {
    SimRouter a = router(1, 200);
    SimRouter b = router(2, 150);
    SimRouter c = router(3, 100);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
    net.block(b, a);
    net.block(a, b);
    net.runFor(Duration.ofSeconds(10));
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    assertThat(c.state()).isEqualTo(State.BACKUP);
    return List.of(a, b, c);
  }

  /**
   * Issue 11, item 7: priorities edited while running are applied in place. The master lowered
   * below a preempting backup keeps its state and advertises the new priority at once; the backup
   * discards that lower advert and preempts when its Master_Down_Timer (from the master's last
   * accepted advert) runs out. Raised again, it preempts back. Nobody goes through INITIALIZE and
   * the addresses are held throughout.
   */
  @Test
  void prioritiesEditedInPlaceMoveTheMasterWithoutARestart() {
    SimRouter a = router(1, 150);
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
    List<Boolean> held = new java.util.ArrayList<>();
    net.onTransition(t -> held.add(net.routers().stream().anyMatch(SimRouter::holdsAddresses)));

    long lastAdvert = a.instance().nextDeadlineNanos() - S;
    net.runUntil(lastAdvert + S / 2);
    long edited = net.now();
    a.reconfigure(a.instance().config().toBuilder().priority(100).build());
    assertThat(a.state()).isEqualTo(State.MASTER);
    assertThat(a.instance().effectivePriority()).isEqualTo(100);
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    Transition takeover = lastTransitionTo(b, State.MASTER);
    assertThat(takeover.reason())
        .isEqualTo("preempting lower priority master 192.0.2.1 (priority 100 < our 120)");
    // The last advert b accepted was a's regular one before the edit: Master_Down_Interval from
    // then.
    assertThat(takeover.atNanos())
        .isEqualTo(lastAdvert + DELAY + b.instance().masterDownInterval().toNanos());
    assertThat(takeover.atNanos()).isGreaterThan(edited);

    b.reconfigure(b.instance().config().toBuilder().priority(90).build()); // below a (100) again
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);

    a.reconfigure(
        a.instance().config().toBuilder().priority(80).build()); // and b (90) above a, once more
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    assertThat(net.transitions())
        .noneMatch(t -> t.to() == State.INITIALIZE || t.to() == State.FAULT);
    assertThat(held).as("addresses held at every transition").doesNotContain(false);
    assertThat(a.instance().counters().snapshot().priorityZeroSent()).isZero();
    assertThat(b.instance().counters().snapshot().priorityZeroSent()).isZero();
  }

  @Test
  void trackWeightMovesTheMaster() {
    SimRouter a = router(1, 150, bld -> bld.track("uplink", -60));
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
    a.trackChanged("uplink", false); // 150 - 60 = 90 < 120: a re-advertises 90 at once, b preempts
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    assertThat(a.instance().effectivePriority()).isEqualTo(90);
    a.trackChanged("uplink", true);
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
  }

  @Test
  void failingWeightZeroTrackFaultsTheInstance() {
    SimRouter a = router(1, 150, bld -> bld.track("kubelet", 0));
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    long failedAt = net.now();
    a.trackChanged("kubelet", false);
    net.runFor(Duration.ofSeconds(5));
    assertThat(a.state()).isEqualTo(State.FAULT);
    assertSingleMaster(b);
    // a sent priority 0 on the way into FAULT, so b took over within its Skew_Time.
    assertThat(lastTransitionTo(b, State.MASTER).atNanos() - failedAt)
        .isEqualTo(DELAY + b.instance().skewTime().toNanos());
    a.trackChanged("kubelet", true);
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
  }

  @Test
  void v3BackupLearnsTheMastersInterval() {
    SimRouter master = router(1, 200, bld -> bld.advertIntervalCentis(50));
    SimRouter backup = router(2, 100); // configured for 1 s
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(master);
    assertThat(backup.instance().masterAdverIntervalCentis()).isEqualTo(50);
    long lastAdvert = master.instance().nextDeadlineNanos() - S / 2;
    net.runUntil(lastAdvert + 1);
    master.crash();
    net.runFor(Duration.ofSeconds(5));
    // 3 x 0.5 s + (256-100) x 0.5 s / 256 = 1.8046875 s, instead of 3.609375 s for its own 1 s
    // interval.
    assertThat(lastTransitionTo(backup, State.MASTER).atNanos() - lastAdvert)
        .isEqualTo(DELAY + 1_804_687_500L);
  }

  @Test
  void v2IntervalMismatchIsRejected() {
    SimRouter a = router(1, 150, bld -> bld.version(VrrpVersion.V2));
    SimRouter b = router(2, 120, bld -> bld.version(VrrpVersion.V2).advertIntervalCentis(200));
    startAll();
    net.runFor(Duration.ofSeconds(20));
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    assertThat(b.instance().counters().snapshot().rejected(Verdict.INTERVAL_MISMATCH)).isPositive();
    assertThat(a.instance().counters().snapshot().rejected(Verdict.INTERVAL_MISMATCH)).isPositive();
    assertThat(b.instance().counters().snapshot().advertsReceived()).isZero();
  }

  @Test
  void v2AuthenticationMismatchIsRejected() {
    SimRouter a =
        router(
            1,
            150,
            bld ->
                bld.version(VrrpVersion.V2).authentication(Authentication.simplePassword("alpha")));
    SimRouter b =
        router(
            2,
            120,
            bld ->
                bld.version(VrrpVersion.V2).authentication(Authentication.simplePassword("bravo")));
    startAll();
    net.runFor(Duration.ofSeconds(20));
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    assertThat(b.instance().status().peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.address()).isEqualTo(ip("192.0.2.1"));
              assertThat(p.lastVerdict()).isEqualTo(Verdict.AUTH_MISMATCH);
              assertThat(p.advertsAccepted()).isZero();
            });
  }

  @Test
  void stepDownEndsASplitBrainAndHoldsOffPreemption() {
    SimRouter a = router(1, 150);
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    net.partition(List.of(a));
    net.runFor(Duration.ofSeconds(10));
    assertThat(net.masters()).containsExactlyInAnyOrder(a, b);
    // The operator sees two masters in the agents' reports and keeps b; a hears no one while cut
    // off, and must not take the address back just because of that.
    a.stepDown(Duration.ofSeconds(60), "split brain: keeping 192.0.2.2");
    net.runFor(Duration.ofSeconds(20));
    assertSingleMaster(b);
    assertThat(lastTransitionTo(a, State.BACKUP).reason())
        .isEqualTo("step down requested: split brain: keeping 192.0.2.2");
    net.heal();
    net.runFor(Duration.ofSeconds(20));
    assertSingleMaster(b); // a follows the lower-priority b during the hold
    assertThat(a.instance().masterAddress()).isEqualTo(ip("192.0.2.2"));
    net.runFor(Duration.ofSeconds(25)); // hold over at 80 s: a preempts again
    assertSingleMaster(a);
  }

  @Test
  void steppedDownNodeStillTakesOverWhenTheHoldEndsAndNobodyIsMaster() {
    SimRouter a = router(1, 150);
    SimRouter b = router(2, 120);
    startAll();
    net.runFor(Duration.ofSeconds(10));
    long stepDownAt = net.now();
    a.stepDown(Duration.ofSeconds(30), "operator");
    net.runFor(Duration.ofSeconds(5));
    assertSingleMaster(b);
    b.crash();
    net.runFor(Duration.ofSeconds(20));
    assertThat(net.masters()).isEmpty(); // hold in force: nobody serves the address
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(a);
    assertThat(lastTransitionTo(a, State.MASTER).atNanos()).isEqualTo(stepDownAt + 30 * S);
  }

  @Test
  void ipv6RoutersElectOverTheSimulatedLink() {
    SimRouter a =
        net.addRouter(
            InstanceConfig.builder(9, ip("fe80::1"), ip("2001:db8::10")).priority(110).build());
    SimRouter b =
        net.addRouter(
            InstanceConfig.builder(9, ip("fe80::2"), ip("2001:db8::10")).priority(120).build());
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    assertThat(a.instance().counters().snapshot().advertsReceived()).isPositive();
    assertThat(a.lastVerdict()).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void unicastPeersElectWithoutMulticast() {
    SimRouter a =
        router(1, 110, bld -> bld.unicastPeers(List.of(ip("192.0.2.2"), ip("192.0.2.3"))));
    SimRouter b =
        router(2, 130, bld -> bld.unicastPeers(List.of(ip("192.0.2.1"), ip("192.0.2.3"))));
    SimRouter c =
        router(3, 120, bld -> bld.unicastPeers(List.of(ip("192.0.2.1"), ip("192.0.2.2"))));
    startAll();
    net.runFor(Duration.ofSeconds(10));
    assertSingleMaster(b);
    assertThat(c.instance().counters().snapshot().advertsReceived()).isPositive();
    assertThat(a.lastVerdict()).isEqualTo(Verdict.ACCEPTED);
  }
}
