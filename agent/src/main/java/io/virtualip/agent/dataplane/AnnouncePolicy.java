package io.virtualip.agent.dataplane;

import java.time.Duration;

/**
 * How often a new master announces its addresses.
 *
 * @param repeat announcements per burst (keepalived's {@code garp_master_repeat})
 * @param interval pause between the announcements of one burst ({@code garp_interval} / {@code
 *     gna_interval})
 * @param secondBurstDelay when the second burst follows the first, or zero for none ({@code
 *     garp_master_delay}): switches that missed the first burst while a port was still learning get
 *     another chance
 */
public record AnnouncePolicy(int repeat, Duration interval, Duration secondBurstDelay) {

  /**
   * keepalived's defaults (vrrp.h: VRRP_GARP_REP 5, VRRP_GARP_DELAY 5 s; global_data.c:
   * garp_interval 0).
   */
  public static final AnnouncePolicy KEEPALIVED_DEFAULTS =
      new AnnouncePolicy(5, Duration.ZERO, Duration.ofSeconds(5));

  public AnnouncePolicy {
    if (repeat < 1) {
      throw new IllegalArgumentException("repeat must be at least 1, was " + repeat);
    }
    if (interval.isNegative() || secondBurstDelay.isNegative()) {
      throw new IllegalArgumentException("interval and secondBurstDelay must not be negative");
    }
  }
}
