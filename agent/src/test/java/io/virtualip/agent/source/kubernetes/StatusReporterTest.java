package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reporter against a writer that can fail or hang like an unreachable API server. */
class StatusReporterTest {

  /**
   * Records writes; while {@code down} every call fails as a refused connection does; {@code hang}
   * blocks.
   */
  static final class FlakyWriter implements NodeStatusWriter {
    final List<NodeStatus> written = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile CountDownLatch hang;

    @Override
    public void write(String virtualIp, NodeStatus entry) {
      check();
      written.add(entry);
    }

    @Override
    public void remove(String virtualIp) {
      check();
      removed.add(virtualIp);
    }

    private void check() {
      CountDownLatch h = hang;
      if (h != null) {
        try {
          h.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (down) {
        throw new KubernetesClientException("connection refused");
      }
    }
  }

  static final class RecordingEvents extends TransitionEvents {
    final List<Event> created = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile CountDownLatch hang;
    volatile boolean hanging;

    RecordingEvents() {
      super(null, "node-a", "default");
    }

    @Override
    void create(Event event) {
      CountDownLatch h = hang;
      if (h != null) {
        hanging = true;
        try {
          h.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        hanging = false;
      }
      if (down) {
        throw new KubernetesClientException("connection refused");
      }
      created.add(event);
    }
  }

  private final FlakyWriter writer = new FlakyWriter();
  private final RecordingEvents events = new RecordingEvents();
  private final FakeEngine engine = new FakeEngine();
  private final VirtualIP vip = Fixtures.virtualIp("vip");
  private final StatusReporter reporter =
      new StatusReporter(
          "node-a",
          writer,
          events,
          name -> vip,
          engine,
          Clock.systemUTC(),
          Duration.ofMillis(500),
          Duration.ofSeconds(10));

  {
    vip.setMetadata(new ObjectMetaBuilder().withName("vip").withUid("uid-1").build());
    engine.addListener(reporter);
    reporter.start();
  }

  @AfterEach
  void close() {
    writer.down = false;
    if (writer.hang != null) {
      writer.hang.countDown();
    }
    if (events.hang != null) {
      events.hang.countDown();
    }
    reporter.close(Duration.ZERO);
  }

  /**
   * The CRD bounds status (the API server refuses a write that exceeds a bound, losing the whole
   * entry): an instance that hears 300 sources and has a very long reason still yields an entry the
   * schema accepts, keeping the most recently heard peers.
   */
  @Test
  void theEntryStaysWithinTheCrdBounds() {
    // Heard just now (peers silent for 3 intervals are not written).
    java.time.Instant t0 =
        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    List<InstanceSnapshot.Peer> peers = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      peers.add(
          new InstanceSnapshot.Peer(
              "198.51.100." + (i % 250) + (i >= 250 ? "0" : ""), 100, t0.plusMillis(i)));
    }
    java.util.Map<String, Long> rejected = new java.util.HashMap<>();
    for (int i = 0; i < 100; i++) {
      rejected.put("REASON_" + i, (long) i + 1);
    }
    InstanceSnapshot huge =
        new InstanceSnapshot(
            NodeState.Backup,
            100,
            100,
            "192.0.2.1",
            "192.0.2.2",
            t0,
            "track " + "x".repeat(5000) + " failed",
            1,
            1,
            rejected,
            peers,
            null);

    NodeStatus entry = reporter.toNodeStatus("vip", huge);

    assertThat(entry.peers()).hasSize(NodeStatus.MAX_PEERS);
    assertThat(java.time.Instant.parse(entry.peers().get(0).lastHeard()))
        .isEqualTo(t0.plusMillis(299));
    assertThat(entry.reason())
        .hasSize(NodeStatus.MAX_REASON_LENGTH)
        .startsWith("track xxx")
        .endsWith("\u2026");
    assertThat(entry.rejected())
        .hasSize(NodeStatus.MAX_REJECTED_REASONS)
        .containsEntry("REASON_99", 100L);
    VirtualIP withEntry = Fixtures.virtualIp("vip");
    withEntry.setStatus(withEntry.getStatus().withNodes(List.of(entry)));
    assertThat(io.virtualip.api.v1.validation.CrdValidator.load().validate(withEntry)).isEmpty();
  }

  @Test
  void writesTheEntryAndAnEventOnEachTransition() {
    reporter.observedGeneration("vip", 3);
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));

    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> events.created.size() == 2 && reporter.idle());
    NodeStatus last = writer.written.get(writer.written.size() - 1);
    assertThat(last.name()).isEqualTo("node-a");
    assertThat(last.state()).isEqualTo(NodeState.Master);
    assertThat(last.observedGeneration()).isEqualTo(3);
    assertThat(last.since()).isEqualTo("2026-11-26T10:00:01Z");
    assertThat(last.rejected()).containsEntry("AUTH_MISMATCH", 2L);
    assertThat(last.peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.address()).isEqualTo("192.0.2.2");
              assertThat(java.time.Instant.parse(p.lastHeard()))
                  .isAfter(java.time.Instant.now().minusSeconds(10));
            });
    assertThat(last.updated()).isNotNull();
    assertThat(events.created)
        .extracting(Event::getMessage)
        .containsExactly(
            "node-a INIT -> BACKUP: started",
            "node-a BACKUP -> MASTER: master down interval expired");
    Event e = events.created.get(1);
    assertThat(e.getReason()).isEqualTo("Transition");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("VirtualIP");
    assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-1");
    assertThat(e.getSource().getComponent()).isEqualTo("virtualip-agent");
    assertThat(e.getSource().getHost()).isEqualTo("node-a");
    assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
  }

  @Test
  void neverBlocksTheEngineEvenWhileAWriteHangs() throws Exception {
    reporter.observedGeneration("vip", 1);
    writer.hang = new CountDownLatch(1);
    // The engine's event loop, as a thread of its own: it must get through a flapping burst while
    // the API hangs.
    var eventLoop =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i <= 1000; i++) {
                engine.emit(
                    "vip",
                    Fixtures.snapshot(i % 2 == 0 ? NodeState.Backup : NodeState.Master, i, "flap"));
              }
            });
    eventLoop.get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(writer.written).isEmpty();
    writer.hang.countDown();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                reporter.idle()
                    && writer.written.get(writer.written.size() - 1).advertsSent() == 1000);
  }

  /**
   * Issue 14: equal-priority backups take over in the same instant and all but one yield a moment
   * later; a yielder writes once, as the Backup it ended as, not a short-lived Master claim first.
   */
  @Test
  void aMasterStateGivenUpInTheSameInstantIsNeverWritten() {
    reporter.observedGeneration("vip", 1);
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> writer.written.size() == 1 && reporter.idle());

    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 2, "higher priority advert"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.created.size() == 3 && reporter.idle());
    assertThat(writer.written).extracting(NodeStatus::state).doesNotContain(NodeState.Master);
    assertThat(writer.written).hasSize(2);
  }

  /**
   * Issue 14: Events cost the API server as much as entries; while an entry waits to be written the
   * Events wait, so a failover's entries are not slowed by its Events.
   */
  @Test
  void eventsWaitWhileAnEntryIsBeingWritten() {
    reporter.observedGeneration("vip", 1);
    events.hang = new CountDownLatch(1);
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.hanging);

    writer.hang = new CountDownLatch(1);
    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    events.hang.countDown(); // the first Event goes out; the second's entry is still being written
    await().atMost(Duration.ofSeconds(5)).until(() -> events.created.size() == 1);
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertThat(events.created).as("the Master Event waits for its entry").hasSize(1);

    writer.hang.countDown();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.created.size() == 2 && reporter.idle());
    assertThat(writer.written.get(writer.written.size() - 1).state()).isEqualTo(NodeState.Master);
  }

  /**
   * Issue 14: at a failover the new master's Events (one request per transition) held up the
   * entries of the VirtualIPs that changed next, so their takeovers showed seconds late.
   */
  @Test
  void anEventThatHangsDoesNotHoldUpTheNextEntry() {
    reporter.observedGeneration("vip", 1);
    events.hang = new CountDownLatch(1);
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.hanging);

    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> writer.written.stream().anyMatch(e -> e.state() == NodeState.Master));
    assertThat(events.created).isEmpty();

    events.hang.countDown();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.created.size() == 2 && reporter.idle());
    assertThat(events.created)
        .extracting(Event::getMessage)
        .containsExactly(
            "node-a INIT -> BACKUP: started",
            "node-a BACKUP -> MASTER: master down interval expired");
  }

  @Test
  void duringAnOutageOnlyTheLatestSnapshotIsKeptAndItCatchesUpAfter() {
    reporter.observedGeneration("vip", 1);
    writer.down = true;
    events.down = true;
    engine.emit("vip", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 7, "still master"));
    await().pollDelay(Duration.ofMillis(800)).until(() -> true);
    assertThat(writer.written).isEmpty();

    writer.down = false;
    events.down = false;
    await()
        .atMost(Duration.ofSeconds(8))
        .until(() -> !writer.written.isEmpty() && events.created.size() == 2);
    // The first write after the outage is the latest picture, not the backlog.
    assertThat(writer.written.get(0).advertsSent()).isEqualTo(7);
    assertThat(writer.written).extracting(NodeStatus::advertsSent).containsOnly(7L);
    assertThat(events.created)
        .extracting(Event::getMessage)
        .containsExactly(
            "node-a INIT -> BACKUP: started",
            "node-a BACKUP -> MASTER: master down interval expired");
  }

  @Test
  void aRemovedInstanceLosesItsEntryAndTheEnginesLastWordsDoNotBringItBack() {
    reporter.observedGeneration("vip", 1);
    engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "elected"));
    await().atMost(Duration.ofSeconds(2)).until(reporter::idle);
    reporter.removed("vip");
    engine.emit("vip", Fixtures.snapshot(NodeState.Init, 2, "shutdown"));
    await().atMost(Duration.ofSeconds(2)).until(() -> reporter.idle() && !writer.removed.isEmpty());
    int written = writer.written.size();
    await().pollDelay(Duration.ofMillis(1200)).until(() -> true);
    assertThat(writer.written).hasSize(written).allMatch(n -> n.state() == NodeState.Master);
    assertThat(events.created)
        .extracting(Event::getMessage)
        .contains("node-a MASTER -> INIT: shutdown");
  }

  @Test
  void theEnginesReportsAfterCloseAreIgnoredQuietly() {
    reporter.observedGeneration("vip", 1);
    reporter.close(Duration.ZERO);
    // The engine's last words arrive on its event loop: they must not throw there, and nothing goes
    // out.
    assertThatCode(() -> engine.emit("vip", Fixtures.snapshot(NodeState.Master, 1, "late")))
        .doesNotThrowAnyException();
    assertThat(writer.written).isEmpty();
    assertThat(events.created).isEmpty();
  }

  @Test
  void eventNamesFitTheApiServersLimit() {
    java.time.Instant at = java.time.Instant.parse("2026-11-26T10:00:00.000000001Z");
    assertThat(events.name("vip", at))
        .isEqualTo("vip.node-a." + Long.toHexString(1795687200_000_000_001L));
    String longName = "v".repeat(250) + "-x";
    assertThat(events.name(longName, at))
        .hasSizeLessThanOrEqualTo(253)
        .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
        .doesNotContain("..");
  }
}
