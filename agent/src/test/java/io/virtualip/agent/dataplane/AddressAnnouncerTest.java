package io.virtualip.agent.dataplane;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.net.PacketCapture;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AddressAnnouncerTest {

  private NetnsPair pair;
  private Link link;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, packet sockets, tcpdump");
    pair = new NetnsPair();
    try (Rtnetlink netlink = NetworkNamespace.call(pair.a, Rtnetlink::new)) {
      link = netlink.link(NetnsPair.IFACE).orElseThrow();
      netlink.addAddress(link, InetAddress.getByName("192.0.2.100"), 24);
      netlink.addAddress(link, InetAddress.getByName("2001:db8::100"), 64);
    }
  }

  @AfterEach
  void tearDown() {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void gratuitousArpIsABroadcastRequestForTheVip() throws Exception {
    String mac = pair.mac(pair.a);
    try (PacketCapture capture = PacketCapture.start(pair.b, NetnsPair.IFACE, "arp");
        AddressAnnouncer announcer =
            NetworkNamespace.call(pair.a, () -> new AddressAnnouncer(link))) {
      announcer.announce(InetAddress.getByName("192.0.2.100"));

      List<String> rows =
          capture.stopAndDecode(
              "eth.dst",
              "eth.src",
              "arp.opcode",
              "arp.src.hw_mac",
              "arp.src.proto_ipv4",
              "arp.dst.hw_mac",
              "arp.dst.proto_ipv4",
              "arp.isgratuitous");
      assertThat(rows)
          .containsExactly(
              String.join(
                  ",",
                  "ff:ff:ff:ff:ff:ff",
                  mac,
                  "1",
                  mac,
                  "192.0.2.100",
                  "ff:ff:ff:ff:ff:ff",
                  "192.0.2.100",
                  "1"));
    }
  }

  @Test
  void unsolicitedNeighborAdvertisementOverridesWithTargetLinkLayerAddress() throws Exception {
    String mac = pair.mac(pair.a);
    try (PacketCapture capture =
            PacketCapture.start(pair.b, NetnsPair.IFACE, "icmp6 and ip6[40] == 136");
        AddressAnnouncer announcer =
            NetworkNamespace.call(pair.a, () -> new AddressAnnouncer(link))) {
      announcer.announce(InetAddress.getByName("2001:db8::100"));

      List<String> rows =
          capture.stopAndDecode(
              "ipv6.src",
              "ipv6.dst",
              "ipv6.hlim",
              "icmpv6.type",
              "icmpv6.nd.na.flag.r",
              "icmpv6.nd.na.flag.s",
              "icmpv6.nd.na.flag.o",
              "icmpv6.nd.na.target_address",
              "icmpv6.opt.linkaddr",
              "icmpv6.checksum.status",
              "eth.dst");
      assertThat(rows)
          .containsExactly(
              String.join(
                  ",",
                  "2001:db8::100",
                  "ff02::1",
                  "255",
                  "136",
                  "0",
                  "0",
                  "1",
                  "2001:db8::100",
                  mac,
                  "1",
                  "33:33:00:00:00:01"));
    }
  }

  @Test
  void scheduleSendsTwoBurstsOfRepeatRounds() throws Exception {
    AnnouncePolicy policy = new AnnouncePolicy(3, Duration.ofMillis(20), Duration.ofMillis(400));
    try (PacketCapture capture =
            PacketCapture.start(pair.b, NetnsPair.IFACE, "arp or (icmp6 and ip6[40] == 136)");
        AddressAnnouncer announcer =
            NetworkNamespace.call(pair.a, () -> new AddressAnnouncer(link));
        EventLoop loop = new EventLoop()) {
      AnnouncementSchedule schedule = new AnnouncementSchedule(loop, announcer, policy);
      loop.start("announce-test");
      loop.execute(() -> schedule.start(List.of(ip("192.0.2.100"), ip("2001:db8::100"))));
      Thread.sleep(700);

      List<String> rows = capture.stopAndDecode("frame.time_relative", "arp.opcode", "icmpv6.type");
      assertThat(rows).hasSize(12);
      assertThat(rows).filteredOn(r -> r.endsWith(",1,")).hasSize(6);
      assertThat(rows).filteredOn(r -> r.endsWith(",136")).hasSize(6);
      double firstBurstEnd = time(rows.get(5));
      double secondBurstStart = time(rows.get(6));
      assertThat(time(rows.get(2)) - time(rows.get(0)))
          .as("rounds 20 ms apart")
          .isGreaterThan(0.015);
      assertThat(firstBurstEnd - time(rows.get(0))).isLessThan(0.3);
      assertThat(secondBurstStart - firstBurstEnd)
          .as("second burst after the delay")
          .isGreaterThan(0.35);
      assertThat(loop.submit(schedule::sent).get()).isEqualTo(12);
    }
  }

  private static double time(String row) {
    return Double.parseDouble(row.substring(0, row.indexOf(',')));
  }
}
