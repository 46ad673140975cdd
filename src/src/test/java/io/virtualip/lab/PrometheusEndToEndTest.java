package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.Conditions;
import io.virtualip.lab.demo.Artifacts;
import io.virtualip.lab.demo.ClusterLab;
import io.virtualip.lab.demo.LabPrometheus;
import io.virtualip.lab.demo.LabPrometheus.Alert;
import io.virtualip.lab.demo.LabPrometheus.Sample;
import io.virtualip.lab.demo.SeedVirtualIp;
import io.virtualip.testkit.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster lab with a real Prometheus ({@link LabPrometheus}: the machine's {@code prometheus},
 * scraping the operator and the three agents each second and evaluating {@code
 * deploy/monitoring/alerts.yaml} unchanged), asked through its HTTP API what an on-call engineer
 * would see: the master metric and the agents' transition counters moving in a failover (and no
 * NoMaster on the way), the VirtualIPSplitBrain alert firing while one node drops VRRP and resolved
 * after the heal. Waits are generous (CI shares the CPU); nothing here asserts a duration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusEndToEndTest {

  private static final String SEED = SeedVirtualIp.NAME;
  private static final Duration WAIT = Duration.ofSeconds(90);

  private ClusterLab cluster;
  private LabPrometheus prometheus;

  @BeforeAll
  void startCluster() {
    Requirements.root("builds network namespaces, runs agents with raw sockets");
    Requirements.tools("nft", "prometheus");
    Requirements.kubeApi();
    Artifacts artifacts = null;
    String missing = null;
    try {
      artifacts = Artifacts.locate();
    } catch (LabException e) {
      missing = e.getMessage();
    }
    Requirements.require(
        artifacts != null,
        "needs the built agent and operator: " + missing,
        Requirements.STRICT_ROOT,
        System.getenv());
    cluster =
        ClusterLab.start(
            artifacts, "vipprm-", 3, 0, line -> System.out.println("[lab] " + line), true);
    prometheus = cluster.prometheus();
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A test that failed half-way may leave n1's agent dead: every test starts with all agents
   * running.
   */
  @BeforeEach
  void restartDeadAgents() {
    for (Node node : cluster.kubeNodes()) {
      if (!cluster.agent(node).isAlive()) {
        cluster.startAgent(node);
        cluster.awaitAgentReady(node);
      }
    }
  }

  @Test
  @Order(1)
  void scrapesTheOperatorAndEveryAgent() {
    SeedVirtualIp.apply(cluster);
    awaitSettledOn("n1");

    Await.until(
        "every scrape target up",
        WAIT,
        () -> {
          var targets = prometheus.targets();
          return targets.size() == 4 && targets.values().stream().allMatch("up"::equals);
        });
    System.out.println("[prom] targets: " + prometheus.targets());
    assertThat(prometheus.targets().keySet())
        .anyMatch(url -> url.endsWith("/q/metrics"))
        .anyMatch(url -> url.contains("192.0.2.11:" + ClusterLab.AGENT_METRICS_PORT))
        .anyMatch(url -> url.contains("192.0.2.12:" + ClusterLab.AGENT_METRICS_PORT))
        .anyMatch(url -> url.contains("192.0.2.13:" + ClusterLab.AGENT_METRICS_PORT));
    Await.until(
        "virtualip_master to name n1", WAIT, () -> masterInPrometheus().equals(Set.of("n1")));
    // Before the election Ready said NoMaster, and the alert was pending; it goes once Prometheus
    // sees the series gone (the scrape after the operator dropped it). A healthy cluster then has
    // no alert at all.
    Await.until(
        "no alert (now: " + prometheus.alerts() + ")", WAIT, () -> prometheus.alerts().isEmpty());
  }

  @Test
  @Order(2)
  void failoverMovesTheMasterMetricAndCountsTransitionsWithoutNoMaster() {
    Await.until(
        "virtualip_master to name n1", WAIT, () -> masterInPrometheus().equals(Set.of("n1")));
    double becameMasterBefore = becameMaster("n2");
    Set<String> alertsSeen = new TreeSet<>();
    long killed = System.nanoTime();

    cluster.killAgent(cluster.node("n1"));
    Await.until(
        "virtualip_master to name n2 (alerts seen meanwhile: " + alertsSeen + ")",
        WAIT,
        () -> {
          prometheus.alerts().forEach(a -> alertsSeen.add(a.name() + " " + a.state()));
          return masterInPrometheus().equals(Set.of("n2"));
        });
    Await.until(
        "n2's BACKUP -> MASTER transitions to increase",
        WAIT,
        () -> becameMaster("n2") > becameMasterBefore);
    // The operator's Ready condition over the whole failover, as Prometheus recorded it: a killed
    // master stays the unconfirmed master until n2 claims, so Ready never said NoMaster (the series
    // exists only while it does).
    long window = (System.nanoTime() - killed) / 1_000_000_000L + 1;
    List<Sample> noMaster =
        prometheus.query(
            "max_over_time(virtualip_condition{virtualip=\""
                + SEED
                + "\",condition=\"Ready\",reason=\"NoMaster\"}["
                + window
                + "s])");
    System.out.printf(
        "[prom] failover: n2 BACKUP->MASTER %.0f -> %.0f, alerts seen %s, NoMaster samples %s%n",
        becameMasterBefore, becameMaster("n2"), alertsSeen, noMaster);

    assertThat(noMaster).as("Ready=False/NoMaster during a failover").allMatch(s -> s.value() == 0);
    assertThat(alertsSeen)
        .as("alerts during a failover")
        .noneMatch(a -> a.startsWith("VirtualIPNoMaster"))
        .noneMatch(a -> a.startsWith("VirtualIPSplitBrain"));

    // Back to n1 (priority 151, preemption), for the next test.
    cluster.startAgent(cluster.node("n1"));
    cluster.awaitAgentReady(cluster.node("n1"));
    awaitSettledOn("n1");
    Await.until(
        "virtualip_master to name n1 again", WAIT, () -> masterInPrometheus().equals(Set.of("n1")));
  }

  @Test
  @Order(3)
  void splitBrainAlertFiresWhileANodeDropsVrrpAndResolvesAfterTheHeal() {
    awaitSettledOn("n1");
    Node deaf = cluster.node("n2");
    cluster.lab().dropVrrp(deaf);
    boolean healed = false;
    try {
      Await.until(
          "VirtualIPSplitBrain firing in /api/v1/alerts",
          WAIT,
          () -> splitBrainAlerts().stream().anyMatch(a -> "firing".equals(a.state())));
      List<Alert> firing = splitBrainAlerts();
      firing.forEach(
          a ->
              System.out.println(
                  "[prom] "
                      + a.state()
                      + " "
                      + a.name()
                      + " "
                      + a.labels()
                      + " "
                      + a.annotations().get("summary")));
      assertThat(cluster.conditionStatus(SEED, Conditions.SPLIT_BRAIN)).isEqualTo(Conditions.TRUE);
      assertThat(firing)
          .allSatisfy(
              a -> {
                assertThat(a.labels())
                    .containsEntry("severity", "critical")
                    .containsEntry("virtualip", SEED);
                assertThat(a.annotations().get("summary"))
                    .contains(SEED)
                    .contains("more than one master");
              });
      // One alert per node claiming Master: n2, which hears nobody, is among them.
      assertThat(firing.stream().map(a -> a.labels().get("node")).collect(Collectors.toSet()))
          .contains("n2");

      cluster.lab().allowVrrp(deaf);
      healed = true;
      Await.until(
          "SplitBrain=False",
          WAIT,
          () -> Conditions.FALSE.equals(cluster.conditionStatus(SEED, Conditions.SPLIT_BRAIN)));
      Await.until(
          "VirtualIPSplitBrain gone from /api/v1/alerts", WAIT, () -> splitBrainAlerts().isEmpty());
      awaitSettledOn("n1");
    } finally {
      if (!healed) {
        cluster.lab().allowVrrp(deaf);
      }
    }
  }

  private List<Alert> splitBrainAlerts() {
    return prometheus.alerts().stream()
        .filter(
            a -> "VirtualIPSplitBrain".equals(a.name()) && SEED.equals(a.labels().get("virtualip")))
        .toList();
  }

  /**
   * Nodes {@code virtualip_master{virtualip=SEED}} names now (value 1), as Prometheus last scraped
   * the operator.
   */
  private Set<String> masterInPrometheus() {
    return prometheus.query("virtualip_master{virtualip=\"" + SEED + "\"} == 1").stream()
        .map(s -> s.labels().get("node"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * {@code node}'s agent's count of BACKUP -> MASTER transitions of the seed (0 before the first).
   */
  private double becameMaster(String node) {
    return prometheus
        .query(
            "sum(virtualip_agent_transitions_total{virtualip=\""
                + SEED
                + "\",node=\""
                + node
                + "\",from=\"BACKUP\",to=\"MASTER\"})")
        .stream()
        .mapToDouble(Sample::value)
        .sum();
  }

  private void awaitSettledOn(String node) {
    Await.until(
        "the seed settled on " + node,
        WAIT,
        () ->
            node.equals(cluster.master(SEED))
                && cluster.holders(SeedVirtualIp.ADDRESS).equals(Set.of(node))
                && Conditions.TRUE.equals(cluster.conditionStatus(SEED, Conditions.READY)));
  }
}
