package io.virtualip.api.v1.contract;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration of the VirtualIP spec ({@code advertisementInterval}, {@code preemptDelay}) in the
 * CRD's forms: {@code 100ms}, {@code 1s}, {@code 0.25s}. The one parser of these, for the agent
 * (file and cluster mode) and the operator alike.
 *
 * @param text as written
 * @param value its length, at most {@link #MAX}
 */
public record SpecDuration(String text, Duration value) {

  /** The form the CRD's pattern admits. */
  public static final String PATTERN = "^([0-9]+(ms|s)|[0-9]+[.][0-9]+s)$";

  /**
   * Far beyond every bound of the spec (1000s for preemptDelay) and below what CEL's duration (and
   * Go's, about 292 years) holds, so that a value too long for either is refused here with words
   * rather than overflowing.
   */
  public static final Duration MAX = Duration.ofDays(365);

  private static final Pattern FORM = Pattern.compile("^([0-9]+)(ms|s)$|^([0-9]+[.][0-9]+)s$");

  /**
   * @throws IllegalArgumentException naming the problem in the user's terms (the caller adds the
   *     field)
   */
  public static SpecDuration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("is required");
    }
    Matcher m = FORM.matcher(text);
    if (text.length() > 32 || !m.matches()) {
      throw new IllegalArgumentException(
          "'" + Printable.of(text, 40) + "' is not a duration (for example 1s, 100ms, 0.25s)");
    }
    BigDecimal seconds =
        m.group(3) != null
            ? new BigDecimal(m.group(3))
            : "ms".equals(m.group(2))
                ? new BigDecimal(m.group(1)).movePointLeft(3)
                : new BigDecimal(m.group(1));
    if (seconds.compareTo(BigDecimal.valueOf(MAX.getSeconds())) > 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is too long (at most " + MAX.getSeconds() + "s)");
    }
    BigDecimal nanos = seconds.movePointRight(9);
    if (nanos.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("'" + text + "' is finer than a nanosecond");
    }
    return new SpecDuration(text, Duration.ofNanos(nanos.longValueExact()));
  }

  /** The duration, or empty when {@code text} is not one (absent, malformed or too long). */
  public static Optional<Duration> tryParse(String text) {
    try {
      return Optional.of(parse(text).value());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
