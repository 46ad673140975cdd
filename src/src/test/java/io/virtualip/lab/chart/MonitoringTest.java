package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.virtualip.testkit.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and the Grafana dashboard: one copy in the chart (files/), the same in
 * deploy/monitoring/, rendered into a PrometheusRule and a ConfigMap only when enabled; the rules
 * pass their promtool unit tests; the dashboard queries only metrics that a running agent and a
 * running operator really export.
 */
class MonitoringTest {

  private static final Path FILES = Chart.directory().resolve("files");
  private static final Path DEPLOY = Chart.repositoryRoot().resolve("deploy/monitoring");
  private static final List<String> SHARED =
      List.of("alerts.yaml", "alerts.test.yaml", "dashboard.json");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void deployMonitoringHoldsTheChartsFiles() throws IOException {
    for (String name : SHARED) {
      assertThat(Files.readString(DEPLOY.resolve(name)))
          .as(
              "deploy/monitoring/%s must equal helm/virtualip-operator/files/%s; regenerate with:%n%s",
              name, name, DeployManifests.REGENERATE)
          .isEqualTo(Files.readString(FILES.resolve(name)));
    }
    assertThat(DEPLOY.resolve("RUNBOOK.md")).isRegularFile();
  }

  @Test
  void everyAlertHasASummaryADescriptionAndARunbookSection() throws IOException {
    String runbook = Files.readString(DEPLOY.resolve("RUNBOOK.md"));
    List<String> alerts = new ArrayList<>();
    for (JsonNode rule :
        YAML.readTree(FILES.resolve("alerts.yaml").toFile()).path("groups").get(0).path("rules")) {
      String name = rule.path("alert").asText();
      alerts.add(name);
      JsonNode a = rule.path("annotations");
      assertThat(a.path("summary").asText()).as(name).contains("{{ $labels.virtualip }}");
      assertThat(a.path("description").asText()).as(name).contains("{{ $labels.virtualip }}");
      assertThat(a.path("runbook").asText())
          .as(name)
          .isEqualTo("deploy/monitoring/RUNBOOK.md#" + name.toLowerCase());
      assertThat(runbook).as("RUNBOOK.md section for " + name).contains("\n## " + name + "\n");
    }
    assertThat(alerts)
        .contains(
            "VirtualIPSplitBrain",
            "VirtualIPNoMaster",
            "VirtualIPAgentDown",
            "VirtualIPVRIDConflict",
            "VirtualIPDegraded",
            "VirtualIPAdvertsRejected",
            "VirtualIPFlapping");
  }

  @Test
  void promtoolUnitTestsPass() throws Exception {
    Requirements.tools("promtool"); // Debian's prometheus package; CI installs it
    Process p =
        new ProcessBuilder("promtool", "test", "rules", "alerts.test.yaml")
            .directory(DEPLOY.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool test rules:%n%s", out).isZero();
    assertThat(out).contains("SUCCESS");
  }

  @Test
  void prometheusRuleAndDashboardAreRenderedOnlyWhenEnabled() throws IOException {
    String defaults = Chart.render(Map.of());
    assertThat(defaults).doesNotContain("kind: PrometheusRule").doesNotContain("grafana_dashboard");

    String rendered =
        Chart.render(
            Map.of(
                "monitoring.prometheusRule.enabled",
                "true",
                "monitoring.grafanaDashboard.enabled",
                "true",
                "monitoring.prometheusRule.labels.release",
                "kube-prom"));
    JsonNode rule = null;
    JsonNode dashboard = null;
    for (String document : Chart.documents(rendered)) {
      JsonNode node = YAML.readTree(document);
      if ("PrometheusRule".equals(node.path("kind").asText())) {
        rule = node;
      } else if (node.path("metadata").path("labels").has("grafana_dashboard")) {
        dashboard = node;
      }
    }
    assertThat(rule).as("PrometheusRule").isNotNull();
    assertThat(rule.path("metadata").path("labels").path("release").asText())
        .isEqualTo("kube-prom");
    assertThat(rule.path("spec").path("groups"))
        .isEqualTo(YAML.readTree(FILES.resolve("alerts.yaml").toFile()).path("groups"));
    assertThat(dashboard).as("dashboard ConfigMap").isNotNull();
    assertThat(JSON.readTree(dashboard.path("data").path("virtualip.json").asText()))
        .isEqualTo(JSON.readTree(FILES.resolve("dashboard.json").toFile()));
  }

  /**
   * Every metric a dashboard query names is one that the agent and operator tests scraped from
   * running processes (MetricsEndpointTest and AgentReportsTest write what they scraped under their
   * target/ directories).
   */
  @Test
  void dashboardQueriesOnlyExportedMetrics() throws IOException {
    Path agent = Chart.repositoryRoot().resolve("agent/target/scraped-metrics/agent.txt");
    Path operator = Chart.repositoryRoot().resolve("operator/target/scraped-metrics/operator.txt");
    Requirements.files(
        "run the agent and operator tests first, e.g. mvn verify from the root", agent, operator);
    Set<String> exported = new TreeSet<>();
    exported.addAll(sampleNames(Files.readString(agent)));
    exported.addAll(sampleNames(Files.readString(operator)));
    assertThat(exported).contains("virtualip_agent_state", "virtualip_master");

    Set<String> queried = new TreeSet<>();
    collectExpressions(JSON.readTree(FILES.resolve("dashboard.json").toFile()), queried);
    Set<String> names = new TreeSet<>();
    for (String expr : queried) {
      names.addAll(metricNames(expr));
    }
    assertThat(names).as("metrics the dashboard queries").hasSizeGreaterThan(8);
    assertThat(exported).as("metrics scraped from a running agent and operator").containsAll(names);
    // The alert rules too: they are only useful on series that exist.
    Set<String> alertNames = new TreeSet<>();
    for (JsonNode rule :
        YAML.readTree(FILES.resolve("alerts.yaml").toFile()).path("groups").get(0).path("rules")) {
      alertNames.addAll(metricNames(rule.path("expr").asText()));
    }
    assertThat(exported)
        .as("metrics scraped from a running agent and operator")
        .containsAll(alertNames);
  }

  /**
   * Names of the samples in a text exposition (histogram/summary series keep their _bucket/_count
   * suffixes).
   */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static void collectExpressions(JsonNode node, Set<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("expr")) {
                  out.add(e.getValue().asText());
                } else {
                  collectExpressions(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collectExpressions(n, out));
    }
  }

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right");

  /**
   * The metric names of a PromQL expression: identifiers that are not functions (followed by "("),
   * keywords, label names (inside {} or the lists of by/without/on/ignoring) or Grafana variables.
   */
  static Set<String> metricNames(String expr) {
    String s =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
            .replaceAll("\\{[^}]*}", "") // label matchers
            .replaceAll("\\[[^]]*]", "") // range selectors
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
            .replaceAll("\\$\\w+", ""); // Grafana variables
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(s);
    while (m.find()) {
      String token = m.group().replaceAll("[\\s(]", "");
      if (m.group(1) == null && !KEYWORDS.contains(token) && !token.matches("[0-9eE]+|Inf|NaN")) {
        names.add(token);
      }
    }
    return names;
  }
}
