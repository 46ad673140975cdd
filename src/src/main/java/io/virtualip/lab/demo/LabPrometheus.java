package io.virtualip.lab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.lab.Await;
import io.virtualip.lab.BackgroundProcess;
import io.virtualip.lab.Lab;
import io.virtualip.lab.LabException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (the machine's {@code prometheus}, e.g. Debian's) for a {@link ClusterLab}: it
 * scrapes the operator's {@code /q/metrics} and every agent's {@code /metrics} each second and
 * evaluates the project's alert rules, {@code deploy/monitoring/alerts.yaml}, unchanged, each
 * second, so tests and the demo ask its HTTP API what an on-call engineer would see.
 *
 * <p>It runs in the lab's bridge namespace: from there it reaches the nodes' addresses on the
 * segment (the agents) and the root namespace's end of the host link (where the operator then
 * listens), and it serves its API on the bridge namespace's end of the host link, which the root
 * namespace reaches. Its data lives under the lab's work directory and it stops with the lab.
 */
public final class LabPrometheus {

  /**
   * Where the rules are looked up, relative to the working directory (the project root, or {@code
   * src/}).
   */
  public static final Path ALERTS = Path.of("deploy", "monitoring", "alerts.yaml");

  private static final int PORT = 9090;
  private static final Duration READY = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BackgroundProcess process;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LabPrometheus(BackgroundProcess process, URI base) {
    this.process = process;
    this.base = base;
  }

  /** One firing or pending alert as {@code /api/v1/alerts} returns it. */
  public record Alert(
      String name,
      String state,
      Map<String, String> labels,
      Map<String, String> annotations,
      String activeAt) {}

  /** One series of an instant query's result. */
  public record Sample(Map<String, String> labels, double value) {}

  /**
   * Writes the configuration and starts Prometheus; returns once it serves its API (not yet once it
   * has scraped).
   *
   * @param operator {@code host:port} of the operator's HTTP server, reachable from the bridge
   *     namespace
   * @param agents {@code host:port} of each agent's metrics endpoint
   */
  public static LabPrometheus start(Lab lab, String operator, List<String> agents) {
    Path rules = alertRules();
    Path dir = lab.workDir().resolve("prometheus").toAbsolutePath();
    Path config = dir.resolve("prometheus.yml");
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(
          config,
          """
                    # Written by the VirtualIP lab (LabPrometheus): scrape and evaluate every second.
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: virtualip-operator
                        metrics_path: /q/metrics
                        static_configs:
                          - targets: ['%s']
                      - job_name: virtualip-agent
                        static_configs:
                          - targets: [%s]
                    """
              .formatted(
                  rules,
                  operator,
                  String.join(", ", agents.stream().map(a -> "'" + a + "'").toList())));
    } catch (IOException e) {
      throw new LabException("cannot write " + config, e);
    }
    String address = lab.uplinkAddress().getHostAddress();
    BackgroundProcess process =
        lab.startInBridge(
            "prometheus",
            "prometheus",
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--storage.tsdb.retention.time=1h",
            "--web.listen-address=" + address + ":" + PORT);
    LabPrometheus prometheus =
        new LabPrometheus(process, URI.create("http://" + address + ":" + PORT));
    Await.until(
        "Prometheus to be ready (log: " + process.log() + ")",
        READY,
        () -> {
          if (!process.isAlive()) {
            throw new LabException(
                "prometheus exited during start; its log:\n" + ClusterLab.tail(process.output()));
          }
          return prometheus.ready();
        });
    return prometheus;
  }

  /** {@value #ALERTS}, from the project root or its {@code src/} directory. */
  static Path alertRules() {
    for (Path candidate : List.of(ALERTS, Path.of("..").resolve(ALERTS))) {
      if (Files.isRegularFile(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new LabException(
        "missing " + ALERTS + ": run from the project root (or its src/ directory)");
  }

  /** The API's base address, e.g. {@code http://203.0.113.6:9090}. */
  public URI url() {
    return base;
  }

  public BackgroundProcess process() {
    return process;
  }

  private boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(base.resolve("/-/ready"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
  }

  /** Scrape targets by health ({@code up}, {@code down}, {@code unknown}) and scrape URL. */
  public Map<String, String> targets() {
    Map<String, String> health = new LinkedHashMap<>();
    get("/api/v1/targets?state=active")
        .path("activeTargets")
        .forEach(t -> health.put(t.path("scrapeUrl").asText(), t.path("health").asText()));
    return health;
  }

  /** Alerts firing or pending now, as {@code GET /api/v1/alerts} lists them. */
  public List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode a : get("/api/v1/alerts").path("alerts")) {
      Map<String, String> labels = strings(a.path("labels"));
      alerts.add(
          new Alert(
              labels.get("alertname"),
              a.path("state").asText(),
              labels,
              strings(a.path("annotations")),
              a.path("activeAt").asText()));
    }
    return alerts;
  }

  /** The instant vector {@code promql} evaluates to now. */
  public List<Sample> query(String promql) {
    JsonNode data = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    List<Sample> samples = new ArrayList<>();
    for (JsonNode r : data.path("result")) {
      samples.add(
          new Sample(
              strings(r.path("metric")), Double.parseDouble(r.path("value").path(1).asText())));
    }
    return samples;
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  /**
   * {@code data} of an API answer; a failed request or an error status is a {@link LabException}.
   */
  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new LabException(
            "Prometheus "
                + pathAndQuery
                + ": HTTP "
                + response.statusCode()
                + " "
                + response.body());
      }
      return body.path("data");
    } catch (IOException e) {
      throw new LabException("Prometheus " + pathAndQuery + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted asking Prometheus", e);
    }
  }
}
