package io.virtualip.agent.vrrp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-instance counters: plain longs written by the thread that drives the instance, so counting
 * costs an increment. {@link #snapshot()} copies them into an immutable value for status and
 * metrics; call it on the same thread (the data plane publishes the snapshot to other threads).
 */
public final class Counters {
  private static final Verdict[] VERDICTS = Verdict.values();

  private final long[] byVerdict = new long[VERDICTS.length];
  private long advertsSent;
  private long priorityZeroSent;
  private long priorityZeroReceived;
  private long becameMaster;
  private long masterDownExpired;

  void increment(Verdict verdict) {
    byVerdict[verdict.ordinal()]++;
  }

  void advertSent(int priority) {
    advertsSent++;
    if (priority == 0) {
      priorityZeroSent++;
    }
  }

  void priorityZeroReceived() {
    priorityZeroReceived++;
  }

  void becameMaster() {
    becameMaster++;
  }

  void masterDownExpired() {
    masterDownExpired++;
  }

  /**
   * How often a backup's Master_Down_Timer expired (a takeover, or one deferred by a step-down
   * hold).
   */
  public long masterDownExpiries() {
    return masterDownExpired;
  }

  public long count(Verdict verdict) {
    return byVerdict[verdict.ordinal()];
  }

  public CounterSnapshot snapshot() {
    long received = 0;
    Map<String, Long> rejected = new LinkedHashMap<>();
    Map<String, Long> accepted = new LinkedHashMap<>();
    for (Verdict v : VERDICTS) {
      long n = byVerdict[v.ordinal()];
      if (v.accepted()) {
        received += n;
        if (n != 0) {
          accepted.put(v.name(), n);
        }
      } else if (n != 0) {
        rejected.put(v.rejectReason().code(), n);
      }
    }
    return new CounterSnapshot(
        advertsSent,
        received,
        priorityZeroSent,
        priorityZeroReceived,
        becameMaster,
        Collections.unmodifiableMap(accepted),
        Collections.unmodifiableMap(rejected));
  }

  /**
   * @param advertsSent adverts this instance sent (per advert, not per unicast copy)
   * @param advertsReceived adverts that passed validation
   * @param priorityZeroSent of the sent, how many announced giving up mastership
   * @param priorityZeroReceived of the received, how many announced a master giving up
   * @param becameMaster transitions into MASTER
   * @param accepted accepted adverts by checksum form (verdict name), non-zero only
   * @param rejected rejected packets by {@link io.virtualip.api.v1.contract.RejectReason} code,
   *     non-zero only
   */
  public record CounterSnapshot(
      long advertsSent,
      long advertsReceived,
      long priorityZeroSent,
      long priorityZeroReceived,
      long becameMaster,
      Map<String, Long> accepted,
      Map<String, Long> rejected) {
    public long rejected(Verdict reason) {
      return reason.accepted() ? 0 : rejected.getOrDefault(reason.rejectReason().code(), 0L);
    }
  }
}
