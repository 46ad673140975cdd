package io.virtualip.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.runtime.Agent;
import io.virtualip.agent.runtime.AgentLog;
import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two running agents on a veth pair, each with its metrics endpoint on loopback, scraped over HTTP
 * as Prometheus does: the series move with what the agents do (election, adverts, rejected
 * passwords).
 */
class MetricsEndpointTest {

  private static final String VIP =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata: {name: vi-1}
            spec:
              addresses: [192.0.2.100/24]
              interface: veth0
              virtualRouterId: 51
              advertisementInterval: 100ms
              priorities: {node-a: 151, node-b: 100}
            """;

  private NetnsPair pair;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    pair = new NetnsPair();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  /**
   * An agent in {@code ns} with its endpoint on a free loopback port of the test's own namespace.
   */
  private MetricsEndpoint start(String ns, String node, String yaml) throws Exception {
    return start(ns, node, yaml, null);
  }

  private MetricsEndpoint start(String ns, String node, String yaml, Path secrets)
      throws Exception {
    Agent agent =
        new Agent(
            node,
            new ConfigLoader(node, secrets).parse("vips.yaml", yaml),
            null,
            new AgentLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    NetworkNamespace.call(
        ns,
        () -> {
          agent.start();
          return null;
        });
    closing.add(agent::stop);
    MetricsEndpoint endpoint = MetricsEndpoint.start(agent, InetAddress.getLoopbackAddress(), 0);
    closing.add(endpoint);
    return endpoint;
  }

  @Test
  void electionAndAdvertsShowInTheScrapedSeries() throws Exception {
    MetricsEndpoint a = start(pair.a, "node-a", VIP);
    MetricsEndpoint b = start(pair.b, "node-b", VIP);
    String labelsA = "virtualip=\"vi-1\",vrid=\"51\",node=\"node-a\",interface=\"veth0\"";
    String labelsB = "virtualip=\"vi-1\",vrid=\"51\",node=\"node-b\",interface=\"veth0\"";
    await(
        "a master, b backup hearing it",
        () ->
            value(scrape(a), "virtualip_agent_state", labelsA, "state=\"MASTER\"") == 1
                && value(scrape(b), "virtualip_agent_state", labelsB, "state=\"BACKUP\"") == 1
                && value(scrape(b), "virtualip_agent_adverts_received_total", labelsB) > 3);

    String sa = scrape(a);
    String sb = scrape(b);
    assertThat(value(sa, "virtualip_agent_state", labelsA, "state=\"BACKUP\"")).isZero();
    assertThat(value(sa, "virtualip_agent_priority", labelsA)).isEqualTo(151);
    assertThat(value(sa, "virtualip_agent_effective_priority", labelsA)).isEqualTo(151);
    assertThat(
            value(
                sa,
                "virtualip_agent_transitions_total",
                labelsA,
                "from=\"INITIALIZE\"",
                "to=\"BACKUP\"",
                "reason=\"STARTUP\""))
        .isEqualTo(1);
    assertThat(
            value(
                sa,
                "virtualip_agent_transitions_total",
                labelsA,
                "from=\"BACKUP\"",
                "to=\"MASTER\"",
                "reason=\"MASTER_DOWN\""))
        .isEqualTo(1);
    assertThat(value(sa, "virtualip_agent_master_down_timer_expiries_total", labelsA)).isEqualTo(1);
    assertThat(value(sa, "virtualip_agent_adverts_sent_total", labelsA)).isPositive();
    assertThat(find(sa, "virtualip_agent_master_advert_age_seconds", labelsA))
        .isEmpty(); // a is the master

    assertThat(value(sb, "virtualip_agent_state", labelsB, "state=\"MASTER\"")).isZero();
    assertThat(value(sb, "virtualip_agent_peers_heard", labelsB)).isEqualTo(1);
    assertThat(value(sb, "virtualip_agent_master_advert_age_seconds", labelsB)).isBetween(0.0, 1.0);
    assertThat(value(sb, "virtualip_agent_master_down_timer_expiries_total", labelsB)).isZero();
    assertThat(
            value(
                sb, "virtualip_agent_adverts_rejected_total", labelsB, "reason=\"AUTH_MISMATCH\""))
        .isZero();
    // Process metrics from the Prometheus client's JVM instrumentation.
    assertThat(sb).contains("\nprocess_cpu_seconds_total ").contains("\njvm_memory_used_bytes{");

    // Keep what a running agent exports for the dashboard check in src/ (no hand-kept list of
    // names).
    Path out = Path.of("target", "scraped-metrics", "agent.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, sb);
  }

  @Test
  void aWrongPasswordIsCountedByReason() throws Exception {
    String v2 =
        """
                apiVersion: virtualip.io/v1
                kind: VirtualIP
                metadata: {name: vi-2}
                spec:
                  addresses: [192.0.2.100/24]
                  interface: veth0
                  virtualRouterId: 52
                  version: 2
                  advertisementInterval: 1s
                  priorities: {node-a: 151, node-b: 100}
                  authentication: {type: Password, secretRef: {name: vrrp, key: password}}
                """;
    MetricsEndpoint a = start(pair.a, "node-a", v2, secrets("secret-a"));
    MetricsEndpoint b = start(pair.b, "node-b", v2, secrets("secret-b"));
    String labelsB = "virtualip=\"vi-2\",vrid=\"52\",node=\"node-b\",interface=\"veth0\"";
    await(
        "b rejects a's adverts",
        () ->
            value(
                    scrape(b),
                    "virtualip_agent_adverts_rejected_total",
                    labelsB,
                    "reason=\"AUTH_MISMATCH\"")
                >= 2);
    String sb = scrape(b);
    assertThat(value(sb, "virtualip_agent_adverts_received_total", labelsB)).isZero();
    assertThat(value(sb, "virtualip_agent_peers_heard", labelsB)).isZero();
    assertThat(
            value(sb, "virtualip_agent_adverts_rejected_total", labelsB, "reason=\"BAD_CHECKSUM\""))
        .isZero();
    assertThat(
            value(
                scrape(a),
                "virtualip_agent_state",
                labelsB.replace("node-b", "node-a"),
                "state=\"MASTER\""))
        .isEqualTo(1);
  }

  private Path secrets(String password) throws IOException {
    Path dir = Files.createTempDirectory("vip-secrets");
    Files.createDirectories(dir.resolve("vrrp"));
    Files.writeString(dir.resolve("vrrp").resolve("password"), password);
    closing.add(
        () -> {
          Files.delete(dir.resolve("vrrp").resolve("password"));
          Files.delete(dir.resolve("vrrp"));
          Files.delete(dir);
        });
    return dir;
  }

  static String scrape(MetricsEndpoint endpoint) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              new URL("http://127.0.0.1:" + endpoint.port() + "/metrics").openConnection();
      c.setRequestProperty("Accept", "text/plain; version=0.0.4");
      assertThat(c.getResponseCode()).isEqualTo(200);
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The value of the one sample of {@code name} whose labels contain every fragment; -1 when there
   * is none.
   */
  static double value(String exposition, String name, String... fragments) {
    return find(exposition, name, fragments).orElse(-1);
  }

  static OptionalDouble find(String exposition, String name, String... fragments) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$").matcher(exposition);
    OptionalDouble found = OptionalDouble.empty();
    while (m.find()) {
      boolean all = true;
      List<String> labels = List.of(m.group(1).split(","));
      for (String f : fragments) {
        all &= labels.containsAll(List.of(f.split(",")));
      }
      if (all) {
        assertThat(found).as("one sample of %s with %s", name, List.of(fragments)).isEmpty();
        found = OptionalDouble.of(Double.parseDouble(m.group(2)));
      }
    }
    return found;
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what + "\n--- log:\n" + log);
      }
      Thread.sleep(50);
    }
  }
}
