package io.virtualip.agent.vrrp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wire compatibility with keepalived 2.2.7, on packets it really sent: captured with tcpdump on a veth pair
 * between two network namespaces (keepalived at 192.0.2.1 / fe80::1, capture at 192.0.2.2), one
 * {@code vrrp_instance} per case below. Each packet must decode and validate against the equivalent
 * {@link InstanceConfig}, and our encoder must produce the very same VRRP bytes. To capture them again:
 * {@code src/test/resources/keepalived-golden/capture.sh} (root; keepalived, tcpdump, tshark).
 */
class KeepalivedGoldenPacketsTest {

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /**
     * @param name          what keepalived was configured with
     * @param ipPacket      the captured IPv4 packet (hex), or for IPv6 the captured VRRP payload
     * @param config        our equivalent configuration (as the sender, 192.0.2.1 / fe80::1)
     * @param priority      the advertised priority
     * @param verdict       what our validator must say when it receives the packet as 192.0.2.2
     */
    record Golden(String name, String ipPacket, InstanceConfig config, int priority, Verdict verdict) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Golden> packets() throws Exception {
        InstanceConfig v2 = InstanceConfig.builder(51, ip("192.0.2.1"), ip("192.0.2.100"), ip("192.0.2.101"))
                .version(VrrpVersion.V2).priority(150).authentication(Authentication.simplePassword("secret1"))
                .build();
        InstanceConfig v3 = InstanceConfig.builder(52, ip("192.0.2.1"), ip("192.0.2.110")).priority(120).build();
        InstanceConfig v6 = InstanceConfig.builder(53, ip("fe80::1"), ip("2001:db8::110")).priority(110)
                .advertIntervalCentis(50).build();
        InstanceConfig unicast = InstanceConfig.builder(54, ip("192.0.2.1"), ip("192.0.2.120")).priority(130)
                .advertIntervalCentis(200).unicastPeers(java.util.List.of(ip("192.0.2.2"))).build();
        InstanceConfig oldUnicast = InstanceConfig.builder(55, ip("192.0.2.1"), ip("192.0.2.130")).priority(140)
                .unicastPeers(java.util.List.of(ip("192.0.2.2"))).oldUnicastChecksum(true).build();
        return Stream.of(
                new Golden("v2 auth_type PASS, 2 VIPs", "45c0002c00010000ff70188dc0000201e000001221339602010155b2"
                        + "c0000264c00002657365637265743100", v2, 150, Verdict.ACCEPTED),
                new Golden("v2 shutdown (priority 0)", "45c0002c00090000ff701885c0000201e000001221330002010"
                        + "1ebb2c0000264c00002657365637265743100", v2, 0, Verdict.ACCEPTED),
                new Golden("v3 IPv4 multicast", "45c0002000010000ff701899c0000201e000001231347801006"
                        + "4f166c000026e", v3, 120, Verdict.ACCEPTED),
                new Golden("v3 IPv4 multicast shutdown", "45c0002000090000ff701891c0000201e000001231340001006"
                        + "46967c000026e", v3, 0, Verdict.ACCEPTED),
                new Golden("v3 IPv6, advert_int 0.5", "31356e01003233af20010db8000000000000000000000110",
                        v6, 110, Verdict.ACCEPTED),
                new Golden("v3 IPv6 shutdown", "313500010032a1af20010db8000000000000000000000110",
                        v6, 0, Verdict.ACCEPTED),
                new Golden("v3 IPv4 unicast", "45c0002000010000ff7036a9c0000201c00002023136820100c8"
                        + "0507c0000278", unicast, 130, Verdict.ACCEPTED),
                new Golden("v3 IPv4 unicast shutdown", "45c0002000040000ff7036a6c0000201c00002023136000100c8"
                        + "8707c0000278", unicast, 0, Verdict.ACCEPTED),
                new Golden("v3 IPv4 unicast old_unicast_checksum", "45c0002000010000ff7036a9c0000201c00002023"
                        + "1378c010064dd4fc0000282", oldUnicast, 140, Verdict.ACCEPTED_OLD_UNICAST_CHECKSUM));
    }

    /** The same instance seen from the receiving side: our primary is the capture host's address. */
    private static InstanceConfig asReceiver(InstanceConfig sender) throws Exception {
        InetAddress me = sender.family() == AddressFamily.IPV4 ? ip("192.0.2.2") : ip("fe80::2");
        InstanceConfig.Builder b = InstanceConfig.builder(sender.vrid(), me,
                        sender.virtualAddresses().toArray(new InetAddress[0]))
                .version(sender.version()).priority(100).advertIntervalCentis(sender.advertIntervalCentis())
                .authentication(sender.authentication());
        if (sender.isUnicast()) {
            b.unicastPeers(java.util.List.of(ip("192.0.2.1")));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void decodesAndAcceptsKeepalivedPacket(Golden g) throws Exception {
        byte[] bytes = HexFormat.of().parseHex(g.ipPacket());
        ReceivedAdvertisement rx = new ReceivedAdvertisement();
        if (g.config().family() == AddressFamily.IPV4) {
            assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(bytes), 0, bytes.length)).isEqualTo(Verdict.ACCEPTED);
        } else {
            rx.wrapPayload(ByteBuffer.wrap(bytes), 0, bytes.length, AddressFamily.IPV6,
                    ip("fe80::1").getAddress(), AddressFamily.IPV6.multicastGroup(), 255);
        }
        assertThat(new AdvertisementValidator(asReceiver(g.config())).check(rx)).isEqualTo(g.verdict());
        assertThat(rx.vrid()).isEqualTo(g.config().vrid());
        assertThat(rx.priority()).isEqualTo(g.priority());
        assertThat(rx.intervalCentis()).isEqualTo(g.config().advertIntervalCentis());
        assertThat(rx.sourceAddress()).isEqualTo(g.config().primaryAddress());
        for (int i = 0; i < rx.addressCount(); i++) {
            assertThat(rx.virtualAddress(i)).isEqualTo(g.config().virtualAddresses().get(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void encoderProducesKeepalivedBytes(Golden g) {
        byte[] captured = HexFormat.of().parseHex(g.ipPacket());
        int ipHeader = g.config().family() == AddressFamily.IPV4 ? 20 : 0;
        AdvertisementEncoder encoder = new AdvertisementEncoder(g.config());
        ByteBuffer out = ByteBuffer.allocate(encoder.messageLength());
        encoder.encode(g.priority(), 0, out);
        assertThat(HexFormat.of().formatHex(out.array()))
                .isEqualTo(HexFormat.of().formatHex(captured, ipHeader, captured.length));
    }
}
