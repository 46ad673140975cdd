package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decodes the VRRP frames of a pcap with tshark, Wireshark's independent dissector, and reports
 * what it flags: bad checksums and malformed packets. Used to check that what our agent sends is
 * VRRP that a third party accepts.
 */
public final class Tshark {

  /** Wireshark's verdict on a checksum ({@code proto_checksum_enum_e}, in its numeric order). */
  public enum ChecksumStatus {
    BAD,
    GOOD,
    UNVERIFIED,
    NOT_PRESENT,
    ILLEGAL
  }

  /**
   * One VRRP frame as tshark decoded it.
   *
   * @param ttlOrHopLimit the IPv4 TTL or IPv6 hop limit (RFC 3768 / RFC 5798 section 5.1.1.3: must
   *     be 255)
   * @param addresses the IPvX addresses in the advertisement, in wire order
   * @param malformed whether tshark marked the frame malformed (e.g. truncated, count beyond the
   *     data)
   * @param expert tshark's expert messages for the frame, e.g. "Bad checksum"
   */
  public record VrrpFrame(
      int number,
      String source,
      String destination,
      int ttlOrHopLimit,
      int version,
      int vrid,
      int priority,
      List<String> addresses,
      ChecksumStatus checksum,
      boolean malformed,
      List<String> expert) {

    /** Well formed and with a checksum tshark verified. */
    public boolean isClean() {
      return !malformed && checksum == ChecksumStatus.GOOD;
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final List<String> FIELDS =
      List.of(
          "frame.number",
          "ip.src",
          "ipv6.src",
          "ip.dst",
          "ipv6.dst",
          "ip.ttl",
          "ipv6.hlim",
          "vrrp.version",
          "vrrp.virt_rtr_id",
          "vrrp.prio",
          "vrrp.ip_addr",
          "vrrp.ipv6_addr",
          "vrrp.checksum.status",
          "_ws.malformed",
          "_ws.expert.message");
  private static final String AGGREGATOR = "|";

  private Tshark() {}

  /**
   * Waits until {@code pcap}, still being written, holds at least {@code count} VRRP frames, and
   * returns them all.
   */
  public static List<VrrpFrame> awaitVrrpFrames(Path pcap, int count, Duration timeout) {
    AtomicReference<List<VrrpFrame>> frames = new AtomicReference<>(List.of());
    Await.until(
        count + " VRRP frames in " + pcap,
        timeout,
        () -> {
          try {
            frames.set(decodeVrrp(pcap));
          } catch (LabException e) {
            // tshark refused a file whose header or last packet is still being written
            return false;
          }
          return frames.get().size() >= count;
        });
    return frames.get();
  }

  /** Every frame of {@code pcap} that tshark dissects as VRRP. */
  public static List<VrrpFrame> decodeVrrp(Path pcap) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "tshark",
                "-n",
                "-r",
                pcap.toAbsolutePath().toString(),
                "-Y",
                "vrrp",
                "-T",
                "fields",
                "-E",
                "separator=/t",
                "-E",
                "occurrence=a",
                "-E",
                "aggregator=" + AGGREGATOR));
    FIELDS.forEach(field -> command.addAll(List.of("-e", field)));
    ExecResult result = Commands.run(TIMEOUT, command).orThrow();
    return result.stdout().lines().filter(line -> !line.isBlank()).map(Tshark::frame).toList();
  }

  private static VrrpFrame frame(String line) {
    String[] f = Arrays.copyOf(line.split("\t", -1), FIELDS.size());
    for (int i = 0; i < f.length; i++) {
      f[i] = f[i] == null ? "" : f[i];
    }
    boolean v4 = !f[1].isEmpty();
    return new VrrpFrame(
        Integer.parseInt(f[0]),
        v4 ? f[1] : f[2],
        v4 ? f[3] : f[4],
        number(v4 ? f[5] : f[6]),
        number(f[7]),
        number(f[8]),
        number(f[9]),
        list(v4 ? f[10] : f[11]),
        f[12].isEmpty()
            ? ChecksumStatus.NOT_PRESENT
            : ChecksumStatus.values()[Integer.parseInt(f[12])],
        !f[13].isEmpty(),
        list(f[14]));
  }

  private static int number(String field) {
    // With occurrence=a, a field repeated by an ICMP-quoted header would show twice; the first is
    // the frame's own.
    String first = field.split("\\" + AGGREGATOR)[0];
    return first.isEmpty() ? -1 : Integer.decode(first);
  }

  private static List<String> list(String field) {
    return field.isEmpty() ? List.of() : List.of(field.split("\\" + AGGREGATOR));
  }
}
