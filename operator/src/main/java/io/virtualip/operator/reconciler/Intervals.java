package io.virtualip.operator.reconciler;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/** Parses the spec's durations: {@code 1s}, {@code 100ms}, {@code 0.25s}. */
final class Intervals {
  private Intervals() {}

  static Optional<Duration> parse(String text) {
    try {
      if (text.endsWith("ms")) {
        return Optional.of(Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2))));
      }
      if (text.endsWith("s")) {
        BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
        return Optional.of(Duration.ofMillis(seconds.movePointRight(3).longValueExact()));
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
