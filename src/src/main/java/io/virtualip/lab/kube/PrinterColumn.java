package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One column of a CRD's {@code additionalPrinterColumns}, evaluated the way the API server's table
 * convertor does: the first result of the JSONPath, arrays and objects as compact JSON, dates as an
 * age ("5m"), nothing found as an empty cell.
 *
 * <p>Only the JSONPath subset printer columns use is understood: fields ({@code .status.master}),
 * indexes ({@code .items[0]}) and equality filters ({@code
 * .status.conditions[?(@.type=="Ready")].status}).
 *
 * @param name column header as declared (kubectl upper-cases it)
 * @param type OpenAPI type: string, integer, number, boolean or date
 * @param jsonPath where the value lives in the object
 */
record PrinterColumn(String name, String type, String jsonPath) {

  /** {@code [3]} or {@code [?(@.key=="value")]}. */
  private static final Pattern BRACKET =
      Pattern.compile("\\[(?:(\\d+)|\\?\\(@\\.([^=!]+)==[\"']([^\"']*)[\"']\\))]");

  /** The cell for {@code object}: a JSON scalar, or null when the path finds nothing. */
  JsonNode cell(JsonNode object) {
    List<JsonNode> found = evaluate(object);
    if (found.isEmpty() || found.get(0).isNull() || found.get(0).isMissingNode()) {
      return JsonNodeFactory.instance.nullNode();
    }
    JsonNode first = found.get(0);
    if (first.isContainerNode()) {
      return JsonNodeFactory.instance.textNode(first.toString());
    }
    if ("date".equals(type)) {
      try {
        return JsonNodeFactory.instance.textNode(
            humanDuration(Duration.between(Instant.parse(first.asText()), Instant.now())));
      } catch (DateTimeParseException e) {
        return first;
      }
    }
    return first;
  }

  /**
   * Kubernetes' {@code duration.HumanDuration}, which the API server applies to date columns (AGE
   * shows "5m").
   */
  static String humanDuration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      return twoUnits(minutes, "m", seconds % 60, "s");
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      return twoUnits(hours, "h", minutes % 60, "m");
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return twoUnits(hours / 24, "d", hours % 24, "h");
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      return twoUnits(hours / 24 / 365, "y", hours / 24 % 365, "d");
    }
    return hours / 24 / 365 + "y";
  }

  /** "5m" or "5m3s": the smaller unit only when it is not zero, as HumanDuration writes it. */
  private static String twoUnits(long major, String majorUnit, long minor, String minorUnit) {
    return minor == 0 ? major + majorUnit : major + majorUnit + minor + minorUnit;
  }

  List<JsonNode> evaluate(JsonNode object) {
    List<JsonNode> current = List.of(object);
    int i = 0;
    while (i < jsonPath.length()) {
      char c = jsonPath.charAt(i);
      if (c == '.') {
        i++;
        continue;
      }
      int end;
      Matcher m;
      if (c == '[') {
        boolean filter = jsonPath.startsWith("[?", i);
        int close = filter ? jsonPath.indexOf(")]", i) : jsonPath.indexOf(']', i);
        end = close < 0 ? jsonPath.length() : close + (filter ? 2 : 1);
        m = BRACKET.matcher(jsonPath.substring(i, end));
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "unsupported JSONPath in printer column " + name + ": " + jsonPath);
        }
      } else {
        end = i;
        while (end < jsonPath.length()
            && jsonPath.charAt(end) != '.'
            && jsonPath.charAt(end) != '[') {
          end++;
        }
        m = null;
      }
      String field = m == null ? jsonPath.substring(i, end) : null;
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        if (field != null) {
          add(next, node.get(field));
        } else if (m.group(1) != null) {
          add(next, node.isArray() ? node.get(Integer.parseInt(m.group(1))) : null);
        } else if (node.isArray()) {
          for (JsonNode element : (ArrayNode) node) {
            JsonNode key = element.get(m.group(2));
            if (key != null && key.asText().equals(m.group(3))) {
              next.add(element);
            }
          }
        }
      }
      current = next;
      i = end;
    }
    return current;
  }

  private static void add(List<JsonNode> into, JsonNode node) {
    if (node != null && !node.isNull()) {
      into.add(node);
    }
  }
}
