package io.virtualip.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire-lateness figures of the {@code many} benchmark, from a pcap written here byte by byte.
 */
class WireLatenessTest {

  private static final long MS = 1_000_000L;
  private static final long EPOCH = 1_764_800_000L * 1_000_000_000L;

  @Test
  void latenessIsEachVridsInterArrivalMinusTheIntervalFromTheMastersAdvertsOnly(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream pcap = header(0xa1b23c4d);
    record(pcap, EPOCH, vrrp("192.0.2.11", 1, 200));
    record(pcap, EPOCH + 1 * MS, vrrp("192.0.2.11", 2, 200));
    record(pcap, EPOCH + 100 * MS + 200_000, vrrp("192.0.2.11", 1, 200)); // 0.2 ms late
    record(pcap, EPOCH + 50 * MS, vrrp("192.0.2.12", 1, 100)); // another sender
    record(pcap, EPOCH + 60 * MS, arp());
    record(pcap, EPOCH + 200 * MS + 200_000, vrrp("192.0.2.11", 1, 200)); // on time
    record(pcap, EPOCH + 251 * MS, vrrp("192.0.2.11", 2, 200)); // one advert missing
    record(pcap, EPOCH + 260 * MS, vrrp("192.0.2.11", 2, 0)); // priority 0: a shutdown
    byte[] bytes = pcap.toByteArray();
    Path file = dir.resolve("capture.pcap");
    // The last record cut short, as when tcpdump is stopped while writing it.
    record(pcap, EPOCH + 300 * MS, vrrp("192.0.2.11", 1, 200));
    Files.write(file, java.util.Arrays.copyOf(pcap.toByteArray(), bytes.length + 20));

    List<WireLateness.Advert> adverts = WireLateness.readPcap(file);
    assertThat(adverts).hasSize(7);
    assertThat(adverts.get(2).epochNanos()).isEqualTo(EPOCH + 100 * MS + 200_000);

    WireLateness lateness = WireLateness.of(adverts, "192.0.2.11", Duration.ofMillis(100));
    assertThat(lateness.vridsSeen()).isEqualTo(2);
    assertThat(lateness.adverts()).isEqualTo(5);
    assertThat(lateness.byVrid().get(1)).containsExactly(0.2, 0.0);
    assertThat(lateness.byVrid().get(2)).containsExactly(150.0);
    assertThat(lateness.missed()).isEqualTo(1);
    assertThat(lateness.percentile(50)).isCloseTo(0.2, within(1e-9));
    assertThat(lateness.percentile(99)).isEqualTo(150.0);
    assertThat(lateness.maxMillis()).isEqualTo(150.0);
  }

  @Test
  void microsecondCapturesInEitherByteOrderAreRead(@TempDir Path dir) throws Exception {
    for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      ByteArrayOutputStream pcap = header(0xa1b2c3d4, order);
      record(pcap, order, 5, 250_000, vrrp("192.0.2.11", 9, 150));
      Path file = dir.resolve(order + ".pcap");
      Files.write(file, pcap.toByteArray());
      assertThat(WireLateness.readPcap(file))
          .containsExactly(
              new WireLateness.Advert(5_000_000_000L + 250_000_000L, "192.0.2.11", 9, 150));
    }
  }

  private static ByteArrayOutputStream header(int magic) {
    return header(magic, ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteArrayOutputStream header(int magic, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(24).order(order);
    b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    b.putInt(262144).putInt(1); // snaplen, LINKTYPE_ETHERNET
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(b.array());
    return out;
  }

  private static void record(ByteArrayOutputStream out, long epochNanos, byte[] frame) {
    record(
        out,
        ByteOrder.LITTLE_ENDIAN,
        epochNanos / 1_000_000_000L,
        epochNanos % 1_000_000_000L,
        frame);
  }

  private static void record(
      ByteArrayOutputStream out, ByteOrder order, long seconds, long fraction, byte[] frame) {
    ByteBuffer b = ByteBuffer.allocate(16).order(order);
    b.putInt((int) seconds).putInt((int) fraction).putInt(frame.length).putInt(frame.length);
    out.writeBytes(b.array());
    out.writeBytes(frame);
  }

  /** Ethernet + IPv4 (no options) + a VRRPv3 header with one IPv4 address. */
  private static byte[] vrrp(String source, int vrid, int priority) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + 12);
    b.put(new byte[] {1, 0, 0x5e, 0, 0, 0x12, 0, 0, 0x5e, 0, 1, (byte) vrid});
    b.putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0xc0).putShort((short) 32).putInt(0);
    b.put((byte) 255).put((byte) 112).putShort((short) 0);
    for (String part : source.split("\\.")) {
      b.put((byte) Integer.parseInt(part));
    }
    b.put(new byte[] {(byte) 224, 0, 0, 18});
    b.put((byte) 0x31).put((byte) vrid).put((byte) priority).put((byte) 1);
    b.putShort((short) 10).putShort((short) 0).put(new byte[] {(byte) 198, 51, 100, (byte) vrid});
    return b.array();
  }

  private static byte[] arp() {
    byte[] frame = new byte[42];
    frame[12] = 0x08;
    frame[13] = 0x06;
    return frame;
  }
}
