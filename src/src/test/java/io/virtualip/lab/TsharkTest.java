package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsharkTest {

  private static final Path FIXTURES =
      Path.of("..", "agent", "src", "test", "resources", "fixtures", "keepalived");

  /**
   * Ethernet to 01:00:5e:00:00:12 from 02:00:00:00:00:0a, then IPv4 192.0.2.10 -> 224.0.0.18, TTL
   * 255, protocol 112.
   */
  private static final String ETHERNET_IPV4 = "01005e000012" + "02000000000a" + "0800";

  @TempDir Path dir;

  @BeforeEach
  void needsTshark() {
    Requirements.tools("tshark");
  }

  @Test
  void keepalivedFixturesDecodeClean() {
    List<Tshark.VrrpFrame> frames =
        Tshark.decodeVrrp(FIXTURES.resolve("v2-ipv4-multicast-pass.pcap"));

    assertThat(frames)
        .hasSize(3)
        .allSatisfy(
            frame -> {
              assertThat(frame.isClean()).isTrue();
              assertThat(frame)
                  .extracting(
                      Tshark.VrrpFrame::version,
                      Tshark.VrrpFrame::vrid,
                      Tshark.VrrpFrame::priority,
                      Tshark.VrrpFrame::ttlOrHopLimit,
                      Tshark.VrrpFrame::source,
                      Tshark.VrrpFrame::destination)
                  .containsExactly(2, 51, 151, 255, "192.0.2.10", "224.0.0.18");
              assertThat(frame.addresses()).containsExactly("192.0.2.100");
            });
  }

  @Test
  void ipv6AndAddressOrderComeThrough() {
    assertThat(Tshark.decodeVrrp(FIXTURES.resolve("v3-ipv6-multicast.pcap")).get(0))
        .extracting(
            Tshark.VrrpFrame::source,
            Tshark.VrrpFrame::destination,
            Tshark.VrrpFrame::addresses,
            Tshark.VrrpFrame::checksum)
        .containsExactly(
            "fe80::ff:fe00:a", "ff02::12", List.of("2001:db8::100"), Tshark.ChecksumStatus.GOOD);
    assertThat(
            Tshark.decodeVrrp(FIXTURES.resolve("v3-ipv4-multicast-three-vips.pcap"))
                .get(0)
                .addresses())
        .containsExactly("192.0.2.153", "192.0.2.151", "192.0.2.152");
  }

  @Test
  void flagsKeepalivedsOldUnicastChecksumAsBad() {
    assertThat(Tshark.decodeVrrp(FIXTURES.resolve("v3-ipv4-unicast-old-checksum.pcap")))
        .isNotEmpty()
        .allSatisfy(
            frame -> {
              assertThat(frame.checksum()).isEqualTo(Tshark.ChecksumStatus.BAD);
              assertThat(frame.isClean()).isFalse();
              assertThat(frame.expert())
                  .anyMatch(message -> message.toLowerCase().contains("checksum"));
            });
  }

  @Test
  void flagsACorruptedChecksum() throws IOException {
    // The seed advert with its checksum's low byte changed from 0x19 to 0x18.
    Path pcap =
        pcap(
            ETHERNET_IPV4
                + ipv4Header(20)
                + "21339701010117"
                + "18"
                + "c0000264"
                + "7365637265743100");

    Tshark.VrrpFrame frame = Tshark.decodeVrrp(pcap).get(0);

    assertThat(frame.checksum()).isEqualTo(Tshark.ChecksumStatus.BAD);
    assertThat(frame.malformed()).isFalse();
  }

  @Test
  void flagsATruncatedAdvertisementAsMalformed() throws IOException {
    // Count IPv4 Addrs says 3 but the packet carries one address and no authentication data.
    Path pcap = pcap(ETHERNET_IPV4 + ipv4Header(12) + "2133970301010000" + "c0000264");

    Tshark.VrrpFrame frame = Tshark.decodeVrrp(pcap).get(0);

    assertThat(frame.malformed()).isTrue();
    assertThat(frame.isClean()).isFalse();
  }

  /**
   * An IPv4 header for a VRRP payload of {@code payloadLength} bytes, with a correct header
   * checksum.
   */
  private static String ipv4Header(int payloadLength) {
    byte[] header =
        HexFormat.of()
            .parseHex(
                "45c0"
                    + String.format("%04x", 20 + payloadLength)
                    + "00010000"
                    + "ff70"
                    + "0000"
                    + "c000020a"
                    + "e0000012");
    int sum = 0;
    for (int i = 0; i < header.length; i += 2) {
      sum += ((header[i] & 0xff) << 8) | (header[i + 1] & 0xff);
    }
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    int checksum = ~sum & 0xffff;
    header[10] = (byte) (checksum >>> 8);
    header[11] = (byte) checksum;
    return HexFormat.of().formatHex(header);
  }

  /** A one-frame classic pcap file (Ethernet link type). */
  private Path pcap(String frameHex) throws IOException {
    byte[] frame = HexFormat.of().parseHex(frameHex);
    ByteBuffer file = ByteBuffer.allocate(24 + 16 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
    file.putInt(0xa1b2c3d4)
        .putShort((short) 2)
        .putShort((short) 4)
        .putInt(0)
        .putInt(0)
        .putInt(65535)
        .putInt(1);
    file.putInt(0).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
    Path pcap = dir.resolve("frame.pcap");
    Files.write(pcap, file.array());
    return pcap;
  }
}
