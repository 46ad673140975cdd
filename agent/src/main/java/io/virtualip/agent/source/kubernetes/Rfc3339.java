package io.virtualip.agent.source.kubernetes;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 times in UTC, as status fields and Events carry them. */
final class Rfc3339 {
  private Rfc3339() {}

  /** metav1.Time, as the API server stores it: seconds precision. */
  static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Milliseconds kept: a peer's lastHeard and an entry's updated time are compared with
   * advertisement intervals of 10 ms to seconds, so whole seconds would hide what the split-brain
   * diagnosis needs.
   */
  static String formatMillis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
