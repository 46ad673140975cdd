package io.virtualip.lab.scale;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counters read from Prometheus text: the kube-apiserver's {@code /metrics} (requests by verb and
 * resource, watch events by kind) and the operator's {@code /q/metrics} (reconciles).
 *
 * @param writesByResource requests that change something (every verb but GET, LIST, WATCH), by
 *     resource[/subresource]
 * @param watchEventsByKind events sent to watchers, by kind
 * @param reconciles the operator's reconciles (any result)
 */
record ApiMetrics(
    Map<String, Double> writesByResource,
    Map<String, Double> watchEventsByKind,
    double reconciles) {

  private static final Set<String> READS = Set.of("GET", "LIST", "WATCH", "CONNECT");
  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static ApiMetrics parse(String apiServer, String operator) {
    Map<String, Double> writes = new TreeMap<>();
    Map<String, Double> watch = new TreeMap<>();
    for (String line : apiServer.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (line.startsWith("#") || !m.find()) {
        continue;
      }
      if (!m.group(1).equals("apiserver_request_total")
          && !m.group(1).equals("apiserver_watch_events_total")) {
        continue;
      }
      Map<String, String> labels = labels(m.group(2));
      double value = Double.parseDouble(m.group(3));
      if (m.group(1).equals("apiserver_request_total")
          && !READS.contains(labels.getOrDefault("verb", ""))) {
        String sub = labels.getOrDefault("subresource", "");
        writes.merge(
            labels.getOrDefault("resource", "?") + (sub.isEmpty() ? "" : "/" + sub),
            value,
            Double::sum);
      } else if (m.group(1).equals("apiserver_watch_events_total")) {
        watch.merge(
            labels.getOrDefault("kind", labels.getOrDefault("resource", "?")), value, Double::sum);
      }
    }
    double reconciles = 0;
    for (String line : operator.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!line.startsWith("#") && m.find() && m.group(1).equals("virtualip_reconciles_total")) {
        reconciles += Double.parseDouble(m.group(3));
      }
    }
    return new ApiMetrics(writes, watch, reconciles);
  }

  private static Map<String, String> labels(String group) {
    Map<String, String> out = new TreeMap<>();
    if (group != null) {
      Matcher m = LABEL.matcher(group);
      while (m.find()) {
        out.put(m.group(1), m.group(2));
      }
    }
    return out;
  }

  double writes() {
    return writesByResource.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  double watchEvents() {
    return watchEventsByKind.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Per second between {@code earlier} and this, by key. */
  static Map<String, Double> rates(
      Map<String, Double> now, Map<String, Double> earlier, double seconds) {
    Map<String, Double> out = new TreeMap<>();
    now.forEach(
        (k, v) -> {
          double d = (v - earlier.getOrDefault(k, 0.0)) / seconds;
          if (d > 0) {
            out.put(k, Math.round(d * 100) / 100.0);
          }
        });
    return out;
  }
}
