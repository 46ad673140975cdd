package io.virtualip.lab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How late a master's adverts are, as a third node sees them on the wire: per VRID, the time
 * between two consecutive adverts minus the Advertisement_Interval. A master restarts its
 * Adver_Timer when it sends (RFC 5798 section 6.4.3), so each of these differences is how late that
 * one advert left, plus what the wire and the capture add (microseconds on a veth). Measured from a
 * capture rather than from the agent, which would not see its own stalls.
 *
 * @param vridsSeen VRIDs with at least one advert (of non-zero priority) from the master
 * @param adverts those adverts
 * @param latenessMillis every inter-arrival minus the interval, in milliseconds, VRIDs in order
 * @param missed inter-arrivals longer than 1.5 intervals: an advert that never came
 * @param byVrid the lateness of each VRID's adverts, for the per-VRID table
 */
public record WireLateness(
    int vridsSeen,
    int adverts,
    List<Double> latenessMillis,
    int missed,
    Map<Integer, List<Double>> byVrid) {

  /** One VRRP advert in a capture: kernel receive time, IPv4 source, VRID and priority. */
  public record Advert(long epochNanos, String source, int vrid, int priority) {}

  private static final int PCAP_MICROS = 0xa1b2c3d4;
  private static final int PCAP_NANOS = 0xa1b23c4d;
  private static final int LINKTYPE_ETHERNET = 1;
  private static final int IPPROTO_VRRP = 112;

  /** Lateness of the adverts {@code source} sent in {@code captured}, at {@code interval}. */
  public static WireLateness of(List<Advert> captured, String source, Duration interval) {
    Map<Integer, List<Long>> arrivals = new TreeMap<>();
    for (Advert advert : captured) {
      if (advert.source().equals(source) && advert.priority() > 0) {
        arrivals.computeIfAbsent(advert.vrid(), vrid -> new ArrayList<>()).add(advert.epochNanos());
      }
    }
    List<Double> all = new ArrayList<>();
    Map<Integer, List<Double>> byVrid = new TreeMap<>();
    int adverts = 0;
    int missed = 0;
    long intervalNanos = interval.toNanos();
    for (Map.Entry<Integer, List<Long>> entry : arrivals.entrySet()) {
      List<Long> times = entry.getValue();
      times.sort(null);
      adverts += times.size();
      List<Double> lateness = new ArrayList<>();
      for (int i = 1; i < times.size(); i++) {
        long gap = times.get(i) - times.get(i - 1);
        if (gap > intervalNanos * 3 / 2) {
          missed++;
        }
        lateness.add((gap - intervalNanos) / 1e6);
      }
      byVrid.put(entry.getKey(), lateness);
      all.addAll(lateness);
    }
    return new WireLateness(arrivals.size(), adverts, all, missed, byVrid);
  }

  /** The p-th percentile of the lateness by the nearest-rank method (as {@link Summary}), in ms. */
  public double percentile(int p) {
    return percentile(latenessMillis, p);
  }

  public double maxMillis() {
    return latenessMillis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /**
   * The IPv4 VRRP packets of a pcap file (Ethernet, micro- or nanosecond timestamps, either byte
   * order), as tcpdump writes it; other frames are skipped, a truncated last record ends the list.
   */
  public static List<Advert> readPcap(Path pcap) {
    ByteBuffer b;
    try {
      b = ByteBuffer.wrap(Files.readAllBytes(pcap));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (b.remaining() < 24) {
      throw new IllegalArgumentException(pcap + ": no pcap header");
    }
    b.order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(0);
    if (magic != PCAP_MICROS && magic != PCAP_NANOS) {
      b.order(ByteOrder.BIG_ENDIAN);
      magic = b.getInt(0);
    }
    if (magic != PCAP_MICROS && magic != PCAP_NANOS) {
      throw new IllegalArgumentException(pcap + ": not a pcap file (magic " + magic + ")");
    }
    if (b.getInt(20) != LINKTYPE_ETHERNET) {
      throw new IllegalArgumentException(pcap + ": link type " + b.getInt(20) + ", not Ethernet");
    }
    long fractionNanos = magic == PCAP_NANOS ? 1 : 1000;
    List<Advert> adverts = new ArrayList<>();
    int at = 24;
    while (at + 16 <= b.limit()) {
      long seconds = Integer.toUnsignedLong(b.getInt(at));
      long fraction = Integer.toUnsignedLong(b.getInt(at + 4));
      int length = b.getInt(at + 8);
      int frame = at + 16;
      if (length < 0 || frame + length > b.limit()) {
        break; // the record tcpdump was writing when it stopped
      }
      Advert advert = advert(b, frame, length, seconds * 1_000_000_000L + fraction * fractionNanos);
      if (advert != null) {
        adverts.add(advert);
      }
      at = frame + length;
    }
    return adverts;
  }

  private static Advert advert(ByteBuffer b, int frame, int length, long nanos) {
    if (length < 14 + 20 + 4 || b.get(frame + 12) != 0x08 || b.get(frame + 13) != 0x00) {
      return null;
    }
    int ip = frame + 14;
    int headerLength = (b.get(ip) & 0x0f) * 4;
    if ((b.get(ip + 9) & 0xff) != IPPROTO_VRRP || length < 14 + headerLength + 4) {
      return null;
    }
    String source =
        (b.get(ip + 12) & 0xff)
            + "."
            + (b.get(ip + 13) & 0xff)
            + "."
            + (b.get(ip + 14) & 0xff)
            + "."
            + (b.get(ip + 15) & 0xff);
    int vrrp = ip + headerLength;
    return new Advert(nanos, source, b.get(vrrp + 1) & 0xff, b.get(vrrp + 2) & 0xff);
  }
}
