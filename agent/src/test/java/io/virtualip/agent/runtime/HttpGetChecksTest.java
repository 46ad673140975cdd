package io.virtualip.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.VipDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one httpGet check of both modes, against a server on loopback; no root needed. */
class HttpGetChecksTest {

  private static final Duration WAIT = Duration.ofSeconds(6);

  private record Verdict(String track, boolean healthy) {}

  private final List<Verdict> verdicts = new CopyOnWriteArrayList<>();
  private HealthzServer server;
  private HttpGetChecks checks;

  @BeforeEach
  void start() throws IOException {
    server = new HealthzServer();
    checks =
        new HttpGetChecks((instance, track, healthy) -> verdicts.add(new Verdict(track, healthy)));
  }

  @AfterEach
  void stop() {
    checks.close();
    server.close();
  }

  private static VipDefinition definition(
      int priority, int port, int failureThreshold, int successThreshold) {
    VipDefinition.HttpGetCheck check =
        new VipDefinition.HttpGetCheck(
            "127.0.0.1", port, "/healthz", 1, failureThreshold, successThreshold);
    return new VipDefinition(
        "test",
        "v",
        "lo",
        List.of(AddressPrefix.parse("192.0.2.100/24")),
        51,
        3,
        priority,
        100,
        true,
        Duration.ZERO,
        null,
        List.of(),
        List.of(),
        List.of(new VipDefinition.ExternalTrack("t", 0, check)));
  }

  @Test
  void healthyAfterSuccessThresholdThenFlipsWithTheThresholds() throws Exception {
    long started = System.nanoTime();
    checks.apply(definition(100, server.port(), 2, 2));

    await().atMost(WAIT).until(() -> !verdicts.isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("successThreshold 2 at 1 s: no verdict before")
        .isGreaterThan(Duration.ofMillis(900));
    assertThat(verdicts).containsExactly(new Verdict("t", true));

    server.answer.set(503);
    long failedAt = System.nanoTime();
    await().atMost(WAIT).until(() -> verdicts.size() == 2);
    assertThat(Duration.ofNanos(System.nanoTime() - failedAt))
        .as("failureThreshold 2 at 1 s")
        .isGreaterThan(Duration.ofMillis(900));
    assertThat(verdicts.get(1)).isEqualTo(new Verdict("t", false));

    // A redirect is healthy and not followed (its target answers 500).
    server.answer.set(302);
    await().atMost(WAIT).until(() -> verdicts.size() == 3);
    assertThat(verdicts.get(2)).isEqualTo(new Verdict("t", true));
  }

  @Test
  void aFirstFailingVerdictIsReportedToo() {
    server.answer.set(500);
    checks.apply(definition(100, server.port(), 1, 1));
    await().atMost(WAIT).until(() -> !verdicts.isEmpty());
    assertThat(verdicts).containsExactly(new Verdict("t", false));
  }

  @Test
  void aRefusedConnectionIsAFailure() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    checks.apply(definition(100, closedPort, 1, 1));
    await().atMost(WAIT).until(() -> !verdicts.isEmpty());
    assertThat(verdicts).containsExactly(new Verdict("t", false));
  }

  @Test
  void aServerThatNeverAnswersTimesOutAsAFailure() throws Exception {
    // Connections complete in the backlog but nobody reads the request.
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      long started = System.nanoTime();
      checks.apply(definition(100, silent.getLocalPort(), 1, 1));
      await().atMost(WAIT).until(() -> !verdicts.isEmpty());
      assertThat(verdicts).containsExactly(new Verdict("t", false));
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("after the 1 s read timeout")
          .isGreaterThan(Duration.ofMillis(900));
    }
  }

  @Test
  void anEqualReapplyKeepsTheCheckAndStopEndsIt() throws Exception {
    checks.apply(definition(100, server.port(), 1, 1));
    await().atMost(WAIT).until(() -> !verdicts.isEmpty());

    // Other priority, same tracks: the check keeps its state, so the failure after it is still
    // reported.
    checks.apply(definition(90, server.port(), 1, 1));
    Thread.sleep(1_500);
    assertThat(verdicts).as("not restarted, so not reported again").hasSize(1);
    server.answer.set(500);
    await().atMost(WAIT).until(() -> verdicts.size() == 2);
    assertThat(verdicts).containsExactly(new Verdict("t", true), new Verdict("t", false));

    checks.stop("v");
    int seen = server.requests.get();
    Thread.sleep(1_500);
    assertThat(server.requests.get())
        .as("at most one check already in flight")
        .isLessThanOrEqualTo(seen + 1);
    assertThat(verdicts).hasSize(2);
  }
}
