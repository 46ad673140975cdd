package io.virtualip.agent.cli.vip;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Ages and aligned columns, in kubectl's style. */
final class Text {

  private Text() {}

  /**
   * An RFC 3339 time of the status; empty for none or one that does not parse (a report is still
   * worth printing).
   */
  static Optional<Instant> time(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(rfc3339).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The age of {@code time} at {@code now} as kubectl prints it (45s, 3m12s, 5h3m, 2d4h); "?" for
   * no time.
   */
  static String age(String time, Instant now) {
    return time(time).map(t -> age(Duration.between(t, now))).orElse("?");
  }

  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 || s >= 600 ? "" : s % 60 + "s");
    }
    if (s < 86400) {
      return s / 3600 + "h" + (s % 3600 / 60 == 0 || s >= 8 * 3600 ? "" : s % 3600 / 60 + "m");
    }
    return s / 86400
        + "d"
        + (s % 86400 / 3600 == 0 || s >= 8 * 86400 ? "" : s % 86400 / 3600 + "h");
  }

  /** Rows as columns separated by three spaces, the last column unpadded. */
  static String table(List<List<String>> rows) {
    List<Integer> widths = new ArrayList<>();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        int w = row.get(i).length();
        if (i == widths.size()) {
          widths.add(w);
        } else if (w > widths.get(i)) {
          widths.set(i, w);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths.get(i) - row.get(i).length() + 3));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  static String orDash(Object value) {
    return value == null || value.toString().isEmpty() ? "-" : value.toString();
  }
}
