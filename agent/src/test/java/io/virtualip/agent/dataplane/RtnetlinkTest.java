package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RtnetlinkTest {

  private NetnsPair pair;
  private Rtnetlink netlink;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces and netlink changes");
    pair = new NetnsPair();
    netlink = NetworkNamespace.call(pair.a, Rtnetlink::new);
  }

  @AfterEach
  void tearDown() {
    if (netlink != null) {
      netlink.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void dumpsLinksWithNameStateAndMac() throws Exception {
    Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();

    assertThat(veth.usable()).isTrue();
    assertThat(veth.index())
        .isEqualTo(
            Integer.parseInt(NetnsPair.exec(pair.a, "cat", "/sys/class/net/veth0/ifindex").trim()));
    assertThat(macString(veth.hardwareAddress())).isEqualTo(pair.mac(pair.a));
    assertThat(netlink.link("lo")).hasValueSatisfying(lo -> assertThat(lo.up()).isTrue());
    assertThat(netlink.link("nonexistent0")).isEmpty();
  }

  @Test
  void dumpsAddressesWithPrefixAndLabel() throws Exception {
    List<InterfaceAddress> addresses = netlink.addresses();

    assertThat(addresses)
        .anySatisfy(
            a -> {
              assertThat(a.address().getHostAddress()).isEqualTo("192.0.2.1");
              assertThat(a.prefixLength()).isEqualTo(24);
              assertThat(a.label()).isEqualTo("veth0");
            });
    assertThat(addresses)
        .anySatisfy(
            a -> {
              assertThat(a.address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
              assertThat(a.prefixLength()).isEqualTo(64);
            });
  }

  @Test
  void addsAndRemovesMarkedIpv4AddressSeenByIp() throws Exception {
    Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();
    InetAddress vip = InetAddress.getByName("192.0.2.100");

    assertThat(netlink.addAddress(veth, vip, 24)).isTrue();
    String shown = NetnsPair.exec(pair.a, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE);
    assertThat(shown).containsPattern("inet 192\\.0\\.2\\.100/24 .* veth0:vip");
    // This iproute2 does not print IFA_PROTO; read the mark back through our own dump.
    assertThat(netlink.addresses())
        .filteredOn(a -> a.address().equals(vip))
        .singleElement()
        .satisfies(a -> assertThat(a.protocol()).isEqualTo(AddressOwnership.PROTOCOL));
    assertThat(netlink.addAddress(veth, vip, 24))
        .as("second add reports it was already there")
        .isFalse();

    assertThat(netlink.removeAddress(veth.index(), vip, 24)).isTrue();
    assertThat(NetnsPair.exec(pair.a, "ip", "addr")).doesNotContain("192.0.2.100");
    assertThat(netlink.removeAddress(veth.index(), vip, 24)).isFalse();
  }

  @Test
  void addsIpv6AddressWithoutDad() throws Exception {
    // DAD on in this namespace, so only IFA_F_NODAD makes the address usable at once.
    NetnsPair.exec(pair.a, "sysctl", "-q", "-w", "net.ipv6.conf.veth0.accept_dad=1");
    Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();
    InetAddress vip = InetAddress.getByName("2001:db8::100");

    assertThat(netlink.addAddress(veth, vip, 64)).isTrue();

    String shown = NetnsPair.exec(pair.a, "ip", "-6", "addr", "show", "dev", NetnsPair.IFACE);
    // The link-local address may be in DAD now (accept_dad=1); ours must not be.
    assertThat(shown)
        .containsPattern("inet6 2001:db8::100/64 .*nodad")
        .doesNotContainPattern("inet6 2001:db8::100/64 .*tentative");
    assertThat(netlink.addresses())
        .anySatisfy(
            a -> {
              assertThat(a.address()).isEqualTo(vip);
              assertThat(a.tentative()).isFalse();
              assertThat(a.protocol()).isEqualTo(AddressOwnership.PROTOCOL);
            });
  }

  @Test
  void removeOwnedAddressesLeavesAdministratorsAndOtherAgentsAddressesAlone() throws Exception {
    Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();
    netlink.addAddress(veth, InetAddress.getByName("192.0.2.100"), 32);
    netlink.addAddress(veth, InetAddress.getByName("2001:db8::100"), 128);
    netlink.addAddress(
        veth, InetAddress.getByName("192.0.2.101"), 32); // marked, but another agent's
    NetnsPair.exec(pair.a, "ip", "addr", "add", "192.0.2.200/32", "dev", NetnsPair.IFACE);

    List<InterfaceAddress> removed =
        netlink.removeOwnedAddresses(
            List.of(
                InetAddress.getByName("192.0.2.100"),
                InetAddress.getByName("2001:db8::100"),
                InetAddress.getByName("192.0.2.200")));

    assertThat(removed)
        .extracting(a -> a.address().getHostAddress())
        .containsExactlyInAnyOrder("192.0.2.100", "2001:db8:0:0:0:0:0:100");
    String shown = NetnsPair.exec(pair.a, "ip", "addr");
    assertThat(shown)
        .contains("192.0.2.200/32", "192.0.2.101/32", "192.0.2.1/24", "2001:db8::1/64")
        .doesNotContain("192.0.2.100", "2001:db8::100");
  }

  static String macString(byte[] mac) {
    StringBuilder s = new StringBuilder();
    for (byte b : mac) {
      s.append(s.length() == 0 ? "" : ":").append(String.format("%02x", b));
    }
    return s.toString();
  }
}
