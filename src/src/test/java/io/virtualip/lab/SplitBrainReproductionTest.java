package io.virtualip.lab;

import static io.virtualip.lab.VrrpRouter.Implementation.KEEPALIVED;
import static io.virtualip.lab.VrrpRouter.Implementation.OURS;
import static io.virtualip.lab.VrrpRouter.Role.BACKUP;
import static io.virtualip.lab.VrrpRouter.Role.MASTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.lab.VrrpRouter.Implementation;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.SeedKeepalived;
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
 * The seed report reproduced: two routers of VI_1 (VRRPv2, simple password, VRID 51, priorities 151
 * and 100), and a firewall on the backup's node that drops IP protocol 112. The backup hears
 * nothing, becomes master, and the segment has two masters. Our agent's {@code status} must make
 * the cause visible: on the deaf node the peer's {@code lastHeardMillisAgo} keeps growing while
 * {@code advertsReceived} stands still; on the other node the peer is heard, as a master of lower
 * priority. Removing the drop must leave exactly one master.
 */
class SplitBrainReproductionTest {

  /** The seed's VI_1: VRRPv2, auth_type PASS, advert_int 1, VRID 51. */
  private static final VirtualRouter SEED =
      VirtualRouter.multicast(
              SeedKeepalived.VERSION,
              SeedKeepalived.VRID,
              SeedKeepalived.ADVERT_INTERVAL,
              SeedKeepalived.ADDRESS)
          .withAuthPass(SeedKeepalived.PASSWORD);

  private static final int HIGH = SeedKeepalived.MASTER_PRIORITY;
  private static final int LOW = SeedKeepalived.BACKUP_PRIORITY;
  private static final String VIP = "192.0.2.100";
  private static final Duration STARTUP = Duration.ofSeconds(20);
  private static final Duration ELECTION = SEED.masterDownInterval(LOW).plus(Duration.ofSeconds(3));

  private static Lab lab;

  @BeforeAll
  static void createLab() {
    Requirements.root("creates network namespaces, nftables rules and VRRP routers");
    Requirements.tools("ip", "keepalived", "nft", "tcpdump", "bash");
    BuildArtifact.agentJar();
    lab = Lab.create("vipio-", 3);
  }

  @AfterAll
  static void closeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  /**
   * n1 runs priority 151 (the seed's master), n2 priority 100 behind the firewall that drops VRRP.
   */
  static Stream<Arguments> pairs() {
    return Stream.of(
        Arguments.of(KEEPALIVED, OURS), Arguments.of(OURS, KEEPALIVED), Arguments.of(OURS, OURS));
  }

  @ParameterizedTest(name = "n1 {0}, n2 {1} (drops VRRP)")
  @MethodSource("pairs")
  void droppingVrrpOnTheBackupGivesTwoMastersThatStatusExplains(
      Implementation first, Implementation second) {
    Node n1 = lab.node(1);
    Node n2 = lab.node(2);
    List<AutoCloseable> started = new ArrayList<>();
    boolean dropping = false;
    try {
      VrrpRouter master = InteropTest.track(started, first.start(lab, n1, SEED, HIGH, List.of(n2)));
      VrrpRouter backup = InteropTest.track(started, second.start(lab, n2, SEED, LOW, List.of(n1)));
      master.awaitRole(MASTER, STARTUP.plus(ELECTION));
      master.awaitVips(true, ELECTION);
      backup.awaitRole(BACKUP, STARTUP);
      // Until n2 has heard n1 there is no "stopped hearing" to show.
      if (backup instanceof AgentProcess agent) {
        Await.until(
            "n2 to hear n1",
            ELECTION,
            () -> agent.status().instance(SEED.resourceName()).peer(n1.ipv4Text()) != null);
      }
      assertThat(Wire.whoHas(lab, lab.node(3), VIP)).containsExactly(n1.mac());

      // The seed's firewall: n2 still sends, but hears no advertisement.
      lab.dropVrrp(n2);
      dropping = true;
      backup.awaitRole(MASTER, ELECTION);
      backup.awaitVips(true, ELECTION);
      assertThat(master.role()).as("%s keeps MASTER", master).isEqualTo(MASTER);
      assertThat(master.holdsVips()).isTrue();
      assertThat(Wire.whoHas(lab, lab.node(3), VIP))
          .as("MACs answering ARP for the VIP")
          .containsExactlyInAnyOrder(n1.mac(), n2.mac());

      if (backup instanceof AgentProcess deaf) {
        assertStoppedHearing(deaf, n1);
      }
      if (master instanceof AgentProcess hearing) {
        assertHearsSecondMaster(hearing, n2);
      }

      // Firewall fixed: n2 hears the higher priority again and steps down; one master remains.
      lab.allowVrrp(n2);
      dropping = false;
      backup.awaitRole(BACKUP, ELECTION);
      backup.awaitVips(false, ELECTION);
      assertThat(master.role()).isEqualTo(MASTER);
      assertThat(master.holdsVips()).isTrue();
      assertThat(Wire.whoHas(lab, lab.node(3), VIP)).containsExactly(n1.mac());
    } finally {
      if (dropping) {
        lab.allowVrrp(n2);
      }
      InteropTest.closeAll(started);
      lab.nodes().forEach(node -> SEED.removeVips(lab, node));
    }
  }

  /**
   * On the node behind the drop: MASTER, the peer last heard longer and longer ago, no advert
   * received since.
   */
  private static void assertStoppedHearing(AgentProcess deaf, Node peer) {
    AgentStatus.Instance before = deaf.status().instance(SEED.resourceName());
    Await.sleep(SEED.advertInterval().multipliedBy(2));
    AgentStatus.Instance after = deaf.status().instance(SEED.resourceName());

    assertThat(after.state()).isEqualTo("MASTER");
    assertThat(after.advertsReceived())
        .as("advertsReceived on the deaf node")
        .isEqualTo(before.advertsReceived());
    assertThat(after.advertsSent())
        .as("advertsSent on the deaf node")
        .isGreaterThan(before.advertsSent());
    AgentStatus.Peer peerBefore = before.peer(peer.ipv4Text());
    AgentStatus.Peer peerAfter = after.peer(peer.ipv4Text());
    assertThat(peerAfter).as("the peer %s in %s", peer.ipv4Text(), after).isNotNull();
    assertThat(peerAfter.priority()).isEqualTo(HIGH);
    // Longer ago than Master_Down_Interval (that is why it took over) and growing between the two
    // reads.
    assertThat(peerAfter.lastHeardMillisAgo())
        .isGreaterThan(SEED.masterDownInterval(LOW).toMillis())
        .isGreaterThanOrEqualTo(peerBefore.lastHeardMillisAgo() + SEED.advertInterval().toMillis());
  }

  /**
   * On the node that still hears: MASTER, and the other side's adverts keep arriving, from a second
   * master.
   */
  private static void assertHearsSecondMaster(AgentProcess hearing, Node other) {
    AgentStatus.Instance before = hearing.status().instance(SEED.resourceName());
    Await.sleep(SEED.advertInterval().multipliedBy(2));
    AgentStatus.Instance after = hearing.status().instance(SEED.resourceName());

    assertThat(after.state()).isEqualTo("MASTER");
    assertThat(after.advertsReceived())
        .as("advertsReceived while the peer is master too")
        .isGreaterThan(before.advertsReceived());
    AgentStatus.Peer peer = after.peer(other.ipv4Text());
    assertThat(peer).as("the peer %s in %s", other.ipv4Text(), after).isNotNull();
    assertThat(peer.priority()).isEqualTo(LOW);
    assertThat(peer.lastHeardMillisAgo()).isLessThan(SEED.masterDownInterval(LOW).toMillis());
  }
}
