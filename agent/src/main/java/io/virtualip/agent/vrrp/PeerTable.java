package io.virtualip.agent.vrrp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who we have heard on this virtual router: per source address the last advertised priority and
 * when it was heard, plus the last verdict on its packets. This is how status later explains
 * "stopped hearing peer X 4s ago" or "peer X is heard but rejected: AUTH_MISMATCH". Entries are
 * reused objects, so updating a known peer allocates nothing; the table is bounded and forgets the
 * peer heard longest ago when full.
 */
public final class PeerTable {
  /** Enough for any sane LAN segment; a flood of forged sources only evicts stale entries. */
  public static final int CAPACITY = 256;

  private final int addressLength;
  private final AddressFamily family;
  private final List<Entry> entries = new ArrayList<>();

  PeerTable(AddressFamily family) {
    this.family = family;
    this.addressLength = family.addressLength();
  }

  /**
   * One peer's last known facts; {@code lastPriority} is -1 until an advert from it was accepted.
   */
  public record PeerStatus(
      InetAddress address,
      int lastPriority,
      int lastIntervalCentis,
      long lastHeardNanos,
      long advertsAccepted,
      long packetsRejected,
      Verdict lastVerdict,
      long lastVerdictNanos) {}

  private static final class Entry {
    final byte[] address = new byte[16];
    int lastPriority = -1;
    int lastIntervalCentis;
    long lastHeardNanos = Long.MIN_VALUE;
    long advertsAccepted;
    long packetsRejected;
    Verdict lastVerdict;
    long lastVerdictNanos;
  }

  void record(byte[] source, Verdict verdict, int priority, int intervalCentis, long nowNanos) {
    Entry e = find(source);
    if (e == null) {
      e = claim(source);
    }
    e.lastVerdict = verdict;
    e.lastVerdictNanos = nowNanos;
    if (verdict.accepted()) {
      e.lastPriority = priority;
      e.lastIntervalCentis = intervalCentis;
      e.lastHeardNanos = nowNanos;
      e.advertsAccepted++;
    } else {
      e.packetsRejected++;
    }
  }

  /** When an advert from {@code source} was last accepted; {@link Long#MIN_VALUE} if never. */
  long lastHeardNanos(byte[] source) {
    Entry e = find(source);
    return e == null ? Long.MIN_VALUE : e.lastHeardNanos;
  }

  private Entry find(byte[] source) {
    for (int i = 0, n = entries.size(); i < n; i++) {
      Entry e = entries.get(i);
      if (AdvertisementValidator.equalsPrefix(e.address, source, addressLength)) {
        return e;
      }
    }
    return null;
  }

  private Entry claim(byte[] source) {
    Entry e;
    if (entries.size() < CAPACITY) {
      e = new Entry();
      entries.add(e);
    } else {
      e = entries.get(0);
      for (int i = 1; i < entries.size(); i++) {
        if (entries.get(i).lastVerdictNanos < e.lastVerdictNanos) {
          e = entries.get(i);
        }
      }
      Entry fresh = new Entry();
      entries.set(entries.indexOf(e), fresh);
      e = fresh;
    }
    System.arraycopy(source, 0, e.address, 0, addressLength);
    return e;
  }

  /** An immutable copy, in first-heard order. */
  public List<PeerStatus> snapshot() {
    List<PeerStatus> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(
          new PeerStatus(
              ReceivedAdvertisement.toInet(e.address, family),
              e.lastPriority,
              e.lastIntervalCentis,
              e.lastHeardNanos,
              e.advertsAccepted,
              e.packetsRejected,
              e.lastVerdict,
              e.lastVerdictNanos));
    }
    return List.copyOf(out);
  }
}
