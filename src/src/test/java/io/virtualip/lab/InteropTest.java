package io.virtualip.lab;

import static io.virtualip.lab.VrrpRouter.Implementation.KEEPALIVED;
import static io.virtualip.lab.VrrpRouter.Implementation.OURS;
import static io.virtualip.lab.VrrpRouter.Role.BACKUP;
import static io.virtualip.lab.VrrpRouter.Role.MASTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.lab.VrrpRouter.Implementation;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.net.PacketCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our agent and Debian's keepalived as the two routers of one virtual router, in both roles, for
 * each configuration the issue names. Every case walks the same life: election, SIGKILL of the
 * master, preemption by the restarted master, graceful stop; and tshark checks every advert our
 * agent sent.
 *
 * <p>Node n1 runs the higher priority (the master to be), n2 the backup, n3 only observes (ARP /
 * neighbour discovery). One lab serves all cases; each case removes its processes and addresses.
 */
class InteropTest {

  static final int HIGH = 200;
  static final int LOW = 100;

  /** Slack on top of RFC timers for polling (100 ms) and a shared 2-core CI machine. */
  private static final Duration SLACK = Duration.ofSeconds(3);

  /**
   * A freshly started router must first be up: a JVM on a loaded 2-core machine takes seconds to
   * start.
   */
  private static final Duration STARTUP = Duration.ofSeconds(20);

  /**
   * The graceful handover is measured on the backup's capture, from the priority-0 advert to the
   * backup's first advert as master; beyond Skew_Time we allow this much for scheduling on a loaded
   * machine.
   */
  private static final Duration HANDOVER_TOLERANCE = Duration.ofMillis(50);

  /**
   * The four configurations of the issue; VRRPv2 needs 1 s, VRRPv3 runs at 100 ms to keep CI short.
   */
  enum Configuration {
    V2_PASS_MULTICAST(
        VirtualRouter.multicast(2, 51, Duration.ofSeconds(1), "192.0.2.100/24")
            .withAuthPass("1111")),
    V3_IPV4(VirtualRouter.multicast(3, 52, Duration.ofMillis(100), "192.0.2.101/24")),
    V3_IPV6(VirtualRouter.multicast(3, 53, Duration.ofMillis(100), "2001:db8::101/64")),
    V3_UNICAST(
        VirtualRouter.multicast(3, 54, Duration.ofMillis(100), "192.0.2.102/24").withUnicast());

    final VirtualRouter router;

    Configuration(VirtualRouter router) {
      this.router = router;
    }
  }

  private static Lab lab;

  @BeforeAll
  static void createLab() {
    Requirements.root("creates network namespaces and runs VRRP routers");
    Requirements.tools("ip", "keepalived", "tcpdump", "tshark", "bash");
    BuildArtifact.agentJar();
    lab = Lab.create("vipio-", 3);
  }

  @AfterAll
  static void closeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(Configuration.values())
        .flatMap(
            configuration ->
                Stream.of(OURS, KEEPALIVED).map(master -> Arguments.of(configuration, master)));
  }

  @ParameterizedTest(name = "{0}, {1} as master")
  @MethodSource("cases")
  void electsFailsOverPreemptsAndHandsOver(
      Configuration configuration, Implementation masterImplementation) {
    VirtualRouter router = configuration.router;
    Implementation backupImplementation = masterImplementation == OURS ? KEEPALIVED : OURS;
    Node high = lab.node(1);
    Node low = lab.node(2);
    Node observer = lab.node(3);
    Node ours = masterImplementation == OURS ? high : low;
    String vip = router.vipAddresses().get(0);
    Duration election = router.masterDownInterval(LOW).plus(SLACK);
    String name =
        configuration.name().toLowerCase() + "-" + masterImplementation.name().toLowerCase();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      PacketCapture highCapture = track(started, Wire.capture(lab, high, name + "-n1"));
      PacketCapture lowCapture = track(started, Wire.capture(lab, low, name + "-n2"));

      // Election: the higher priority wins whichever process is up first, and the other stays
      // backup.
      VrrpRouter master =
          track(started, masterImplementation.start(lab, high, router, HIGH, List.of(low)));
      VrrpRouter backup =
          track(started, backupImplementation.start(lab, low, router, LOW, List.of(high)));
      master.awaitRole(MASTER, STARTUP.plus(election));
      master.awaitVips(true, election);
      backup.awaitRole(BACKUP, STARTUP);
      int backupTransitions = backup.transitions();
      Await.sleep(router.masterDownInterval(LOW).multipliedBy(2));
      assertThat(backup.role()).as("%s after two master down intervals", backup).isEqualTo(BACKUP);
      assertThat(backup.transitions())
          .as("transitions of %s while %s is master", backup, master)
          .isEqualTo(backupTransitions);
      assertThat(backup.holdsVips()).as("%s holds the VIP", backup).isFalse();
      assertThat(Wire.whoHas(lab, observer, vip)).containsExactly(high.mac());

      // SIGKILL of the master: no priority-0 advert, the backup takes over after
      // Master_Down_Interval.
      master.kill();
      router.removeVips(lab, high);
      backup.awaitRole(MASTER, election);
      backup.awaitVips(true, election);
      assertThat(Wire.whoHas(lab, observer, vip)).containsExactly(low.mac());

      // Preemption: the restarted higher-priority router takes the address back.
      master = track(started, masterImplementation.start(lab, high, router, HIGH, List.of(low)));
      master.awaitRole(MASTER, STARTUP.plus(election));
      master.awaitVips(true, election);
      backup.awaitRole(BACKUP, election);
      backup.awaitVips(false, election);
      assertThat(Wire.whoHas(lab, observer, vip)).containsExactly(high.mac());

      // Graceful stop: priority 0 makes the backup take over after Skew_Time instead of
      // Master_Down_Interval.
      master.stop();
      backup.awaitRole(MASTER, election);
      backup.awaitVips(true, election);
      Await.sleep(
          router
              .advertInterval()
              .multipliedBy(3)); // let the new master's adverts reach the capture

      Path highPcap = highCapture.stop();
      Path lowPcap = lowCapture.stop();
      assertHandoverWithinSkewTime(
          router,
          lowPcap,
          Wire.advertSource(lab, high, router),
          Wire.advertSource(lab, low, router));
      assertOurAdvertsDecodeClean(
          router,
          ours == high ? highPcap : lowPcap,
          Wire.advertSource(lab, ours, router),
          ours == high ? HIGH : LOW,
          ours == high);
    } finally {
      closeAll(started);
      lab.nodes().forEach(node -> router.removeVips(lab, node));
    }
  }

  private static void assertHandoverWithinSkewTime(
      VirtualRouter router, Path backupPcap, String masterSource, String backupSource) {
    List<Wire.Advert> adverts = Wire.adverts(backupPcap);
    int stop = -1;
    for (int i = 0; i < adverts.size(); i++) {
      if (adverts.get(i).source().equals(masterSource) && adverts.get(i).priority() == 0) {
        stop = i;
      }
    }
    assertThat(stop)
        .as("priority-0 advert from %s in %s", masterSource, backupPcap)
        .isNotNegative();
    Wire.Advert priorityZero = adverts.get(stop);
    Wire.Advert takeover =
        adverts.subList(stop, adverts.size()).stream()
            .filter(advert -> advert.source().equals(backupSource) && advert.priority() == LOW)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no advert from " + backupSource + " after priority 0"));
    long handoverMicros = Math.round((takeover.seconds() - priorityZero.seconds()) * 1e6);
    Duration skew = router.skewTime(LOW);
    assertThat(handoverMicros)
        .as("handover after priority 0, Skew_Time is %d µs", skew.toNanos() / 1000)
        .isBetween(0L, skew.plus(HANDOVER_TOLERANCE).toNanos() / 1000);
  }

  /**
   * tshark finds every advert from our node well formed, with a good checksum, TTL 255 and our
   * parameters.
   */
  private static void assertOurAdvertsDecodeClean(
      VirtualRouter router, Path pcap, String ourSource, int priority, boolean wasStoppedAsMaster) {
    List<Tshark.VrrpFrame> ours =
        Tshark.decodeVrrp(pcap).stream().filter(frame -> frame.source().equals(ourSource)).toList();
    assertThat(ours)
        .as("our adverts in %s", pcap)
        .isNotEmpty()
        .allSatisfy(
            frame -> {
              assertThat(frame.malformed())
                  .as("malformed flag on frame %d", frame.number())
                  .isFalse();
              assertThat(frame.checksum())
                  .as("checksum of frame %d", frame.number())
                  .isEqualTo(Tshark.ChecksumStatus.GOOD);
              assertThat(frame.expert())
                  .as("expert messages on frame %d", frame.number())
                  .isEmpty();
              assertThat(frame.ttlOrHopLimit()).isEqualTo(255);
              assertThat(frame.version()).isEqualTo(router.version());
              assertThat(frame.vrid()).isEqualTo(router.vrid());
              assertThat(frame.addresses()).containsExactlyElementsOf(router.vipAddresses());
            });
    assertThat(ours).extracting(Tshark.VrrpFrame::priority).contains(priority);
    if (wasStoppedAsMaster) {
      assertThat(ours)
          .extracting(Tshark.VrrpFrame::priority)
          .as("priority-0 advert on SIGTERM")
          .contains(0);
    }
  }

  static <T extends AutoCloseable> T track(List<AutoCloseable> started, T closeable) {
    started.add(closeable);
    return closeable;
  }

  static void closeAll(List<AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // Closing the rest matters more; the lab's close() is the last resort anyway.
      }
    }
  }
}
