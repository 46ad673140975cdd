package io.virtualip.lab;

import static io.virtualip.lab.KeepalivedProcess.State.BACKUP;
import static io.virtualip.lab.KeepalivedProcess.State.MASTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.SeedKeepalived;
import io.virtualip.testkit.net.PacketCapture;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * keepalived alone on the lab: the behaviour our agent must match (one master), and the seed
 * report's failure (a firewall dropping VRRP on one node gives two masters) reproduced without any
 * of our code.
 */
class KeepalivedLabTest {

  private static final String VIP = "192.0.2.100";

  /** The seed report's instance: VRRPv2, VRID 51, simple password, VIP in a /24. */
  private static final KeepalivedConfig SEED =
      KeepalivedConfig.of(
              SeedKeepalived.VERSION,
              SeedKeepalived.VRID,
              SeedKeepalived.MASTER_PRIORITY,
              SeedKeepalived.ADDRESS)
          .withAuthPass(SeedKeepalived.PASSWORD);

  /**
   * Master_Down_Interval is about 3.4 s for a 1 s interval; the rest is slack for a loaded machine.
   */
  private static final Duration ELECTION = Duration.ofSeconds(15);

  @BeforeEach
  void needsRootAndTools() {
    Requirements.root("creates network namespaces");
    Requirements.tools("ip", "keepalived", "tcpdump", "tshark", "nft");
  }

  @Test
  void electsExactlyOneMasterThatHoldsTheVipAndAdvertisesCleanVrrp() {
    try (Lab lab = Lab.create(LabTest.PREFIX, 3)) {
      PacketCapture capture = lab.capture(lab.node(3), "election", "ip proto 112");
      KeepalivedProcess high = KeepalivedProcess.start(lab, lab.node(1), SEED);
      KeepalivedProcess low = KeepalivedProcess.start(lab, lab.node(2), SEED.withPriority(100));

      high.awaitState(MASTER, ELECTION);
      low.awaitState(BACKUP, ELECTION);
      Tshark.awaitVrrpFrames(
          capture.pcap(),
          3,
          ELECTION); // a few adverts, so a second master would have had time to appear

      assertThat(vipHolders(high, low)).containsExactly(lab.node(1));
      assertThat(ArpProbe.whoHas(lab, lab.node(3), VIP)).containsExactly(lab.node(1).mac());
      List<Tshark.VrrpFrame> adverts = Tshark.decodeVrrp(capture.stop());
      assertThat(adverts).isNotEmpty().allMatch(Tshark.VrrpFrame::isClean);
      assertThat(adverts)
          .last()
          .extracting(Tshark.VrrpFrame::source, Tshark.VrrpFrame::vrid, Tshark.VrrpFrame::priority)
          .containsExactly(lab.node(1).ipv4Text(), 51, 151);
    }
  }

  @Test
  void electsOverIpv6WithVrrpVersion3FromTheLinkLocalAddress() {
    KeepalivedConfig v3 = KeepalivedConfig.of(3, 53, 110, "2001:db8::100/64");
    try (Lab lab = Lab.create(LabTest.PREFIX, 3)) {
      PacketCapture capture = lab.capture(lab.node(3), "ipv6", "ip6 proto 112");
      KeepalivedProcess high = KeepalivedProcess.start(lab, lab.node(1), v3);
      KeepalivedProcess low = KeepalivedProcess.start(lab, lab.node(2), v3.withPriority(100));

      high.awaitState(MASTER, ELECTION);
      low.awaitState(BACKUP, ELECTION);
      Tshark.awaitVrrpFrames(capture.pcap(), 2, ELECTION);

      assertThat(vipHolders(high, low)).containsExactly(lab.node(1));
      assertThat(Tshark.decodeVrrp(capture.stop()))
          .isNotEmpty()
          .last()
          .satisfies(advert -> assertThat(advert.isClean()).isTrue())
          .extracting(
              Tshark.VrrpFrame::source,
              Tshark.VrrpFrame::destination,
              Tshark.VrrpFrame::ttlOrHopLimit,
              Tshark.VrrpFrame::version,
              Tshark.VrrpFrame::priority)
          .containsExactly("fe80::ff:fe00:b", "ff02::12", 255, 3, 110);
    }
  }

  @Test
  void sigkillOfTheMasterMovesTheVipToTheBackup() {
    try (Lab lab = Lab.create(LabTest.PREFIX, 2)) {
      KeepalivedProcess high = KeepalivedProcess.start(lab, lab.node(1), SEED);
      KeepalivedProcess low = KeepalivedProcess.start(lab, lab.node(2), SEED.withPriority(100));
      high.awaitState(MASTER, ELECTION);
      low.awaitState(BACKUP, ELECTION);

      high.kill();

      low.awaitState(MASTER, ELECTION);
      Await.until("n2 to hold the VIP", ELECTION, low::holdsVips);
      assertThat(high.isRunning()).isFalse();
      // No priority-0 advert and no cleanup: the crashed daemon's VIP is still configured on n1.
      assertThat(high.holdsVips()).isTrue();
    }
  }

  @Test
  void droppingVrrpOnTheBackupGivesTwoMastersAndLiftingTheDropEndsIt() {
    try (Lab lab = Lab.create(LabTest.PREFIX, 3)) {
      KeepalivedProcess high = KeepalivedProcess.start(lab, lab.node(1), SEED);
      KeepalivedProcess low = KeepalivedProcess.start(lab, lab.node(2), SEED.withPriority(100));
      high.awaitState(MASTER, ELECTION);
      low.awaitState(BACKUP, ELECTION);

      lab.dropVrrp(lab.node(2));

      // The seed's split brain: n2 hears nothing and takes over; n1 hears n2's lower priority and
      // stays master.
      low.awaitState(MASTER, ELECTION);
      Await.until("both nodes to hold the VIP", ELECTION, () -> vipHolders(high, low).size() == 2);
      assertThat(high.loggedState()).isEqualTo(MASTER);
      assertThat(ArpProbe.whoHas(lab, lab.node(3), VIP))
          .containsExactlyInAnyOrder(lab.node(1).mac(), lab.node(2).mac());

      lab.allowVrrp(lab.node(2));

      low.awaitState(BACKUP, ELECTION);
      Await.until(
          "only n1 to hold the VIP",
          ELECTION,
          () -> vipHolders(high, low).equals(List.of(lab.node(1))));
      assertThat(ArpProbe.whoHas(lab, lab.node(3), VIP)).containsExactly(lab.node(1).mac());
    }
  }

  private static List<Node> vipHolders(KeepalivedProcess... routers) {
    return Stream.of(routers)
        .filter(KeepalivedProcess::holdsVips)
        .map(KeepalivedProcess::node)
        .toList();
  }
}
