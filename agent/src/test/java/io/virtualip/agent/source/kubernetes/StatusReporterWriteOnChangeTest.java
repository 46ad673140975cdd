package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an agent writes a VirtualIP's entry only when something a reader uses changed; a quiet
 * master costs no write (its claim lives by the node's Lease). Checks every 100 ms here; repairs
 * 500 ms after the last write.
 */
class StatusReporterWriteOnChangeTest {

  static final class Writer implements NodeStatusWriter {
    final List<NodeStatus> written = new CopyOnWriteArrayList<>();

    @Override
    public void write(String virtualIp, NodeStatus entry) {
      written.add(entry);
    }

    @Override
    public void remove(String virtualIp) {}
  }

  static final class NoEvents extends TransitionEvents {
    NoEvents() {
      super(null, "node-a", "default");
    }

    @Override
    void create(Event event) {}
  }

  /**
   * An engine whose snapshot can move on without a transition (as a real one's counters do every
   * advert).
   */
  static final class Engine implements InstanceEngine {
    final Map<String, InstanceSnapshot> snapshots = new java.util.concurrent.ConcurrentHashMap<>();
    final List<Listener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void apply(String name, io.virtualip.agent.spec.VipDefinition config) {}

    @Override
    public void refuse(String name, String problem) {}

    @Override
    public void remove(String name) {}

    @Override
    public void stepDown(String name, boolean stepDown) {}

    @Override
    public void trackChanged(String name, String trackName, boolean healthy) {}

    @Override
    public java.util.Optional<InstanceSnapshot> snapshot(String name) {
      return java.util.Optional.ofNullable(snapshots.get(name));
    }

    @Override
    public void addListener(Listener listener) {
      listeners.add(listener);
    }

    void emit(String name, InstanceSnapshot s) {
      snapshots.put(name, s);
      listeners.forEach(l -> l.updated(name, s));
    }

    void snapshotOnly(String name, InstanceSnapshot s) {
      snapshots.put(name, s);
    }
  }

  private final Writer writer = new Writer();
  private final Engine engine = new Engine();
  private final VirtualIP vip = Fixtures.virtualIp("vip");
  private final StatusReporter reporter =
      new StatusReporter(
          "node-a",
          writer,
          new NoEvents(),
          name -> vip,
          engine,
          Clock.systemUTC(),
          Duration.ofMillis(100),
          Duration.ofMillis(500));

  {
    vip.setMetadata(new ObjectMetaBuilder().withName("vip").withUid("uid-1").build());
    vip.setSpec(vip.getSpec().toBuilder().advertisementInterval("100ms").build());
    engine.addListener(reporter);
    reporter.start();
  }

  @AfterEach
  void close() {
    reporter.close(Duration.ZERO);
  }

  private static InstanceSnapshot master(long advertsSent, Map<String, Long> rejected) {
    return new InstanceSnapshot(
        NodeState.Master,
        100,
        100,
        "192.0.2.1",
        "192.0.2.1",
        Instant.parse("2026-11-26T10:00:00Z"),
        "elected",
        advertsSent,
        0,
        rejected,
        List.of(),
        null);
  }

  private static InstanceSnapshot backupHearing(Instant lastHeard) {
    return new InstanceSnapshot(
        NodeState.Backup,
        100,
        100,
        "192.0.2.2",
        "192.0.2.1",
        Instant.parse("2026-11-26T10:00:00Z"),
        "started",
        0,
        5,
        Map.of(),
        List.of(new InstanceSnapshot.Peer("192.0.2.2", 150, lastHeard)),
        null);
  }

  /** Shows the entry as the API would after the last write, so the repair finds nothing to do. */
  private void apiShowsLastWrite() {
    VirtualIPStatus status =
        VirtualIPStatus.EMPTY.withNodes(List.of(writer.written.get(writer.written.size() - 1)));
    vip.setStatus(status);
  }

  /** Issue 11: agents wrote to deleted VirtualIPs and logged the 404s. */
  @Test
  void aVirtualIpThatIsGoneIsNotWrittenTo() {
    Writer goneWriter = new Writer();
    Engine goneEngine = new Engine();
    StatusReporter gone =
        new StatusReporter(
            "node-a",
            goneWriter,
            new NoEvents(),
            name -> null,
            goneEngine,
            Clock.systemUTC(),
            Duration.ofMillis(100),
            Duration.ofMillis(500));
    goneEngine.addListener(gone);
    gone.start();
    try {
      gone.observedGeneration("deleted", 1);
      goneEngine.emit("deleted", master(1, Map.of()));
      await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(gone::idle);
      assertThat(goneWriter.written).isEmpty();
    } finally {
      gone.close(Duration.ZERO);
    }
  }

  @Test
  void aQuietMasterWritesOnceHoweverItsAdvertCountersMove() throws Exception {
    reporter.observedGeneration("vip", 1);
    engine.emit("vip", master(1, Map.of()));
    await().atMost(Duration.ofSeconds(2)).until(() -> writer.written.size() == 1);
    apiShowsLastWrite();
    for (int i = 2; i < 15; i++) {
      // the engine's snapshot moves on without a transition, as a master's does every advert
      engine.snapshotOnly("vip", master(i, Map.of()));
      Thread.sleep(100);
    }
    assertThat(writer.written).hasSize(1);
  }

  @Test
  void growingRejectionCountersAreWrittenButNotOnEveryCheck() throws Exception {
    reporter.observedGeneration("vip", 1);
    engine.emit("vip", master(1, Map.of()));
    await().atMost(Duration.ofSeconds(2)).until(() -> writer.written.size() == 1);
    apiShowsLastWrite();
    for (long n = 1; n <= 10; n++) {
      engine.snapshotOnly("vip", master(1, Map.of("AUTH_MISMATCH", n)));
      Thread.sleep(100);
    }
    // At most one write per REJECTED_EVERY (5 s) while they grow: the first check after the initial
    // write is too early.
    assertThat(writer.written).hasSize(1);
  }

  @Test
  void aPeerGoingSilentIsWrittenWithoutItTwoIntervalsLaterAndAHeardPeerIsListed() {
    reporter.observedGeneration("vip", 1);
    Instant heard = Instant.now();
    engine.emit("vip", backupHearing(heard));
    await().atMost(Duration.ofSeconds(2)).until(() -> !writer.written.isEmpty());
    assertThat(writer.written.get(0).peers())
        .extracting(p -> p.address())
        .containsExactly("192.0.2.2");
    apiShowsLastWrite();
    // No more adverts from 192.0.2.2: after 3 intervals (300 ms) it is silent, which is a change
    // worth a write, made PEER_SILENCE_DELAY_INTERVALS (200 ms) after it was first seen.
    await().atMost(Duration.ofSeconds(3)).until(() -> writer.written.size() == 2);
    assertThat(writer.written.get(1).peers()).isEmpty();
    assertThat(writer.written.get(1).state()).isEqualTo(NodeState.Backup);
    assertThat(Duration.between(heard, Instant.parse(writer.written.get(1).updated())))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  /** Issue 14: the silence of a dead master must not cost a write of its own at the takeover. */
  @Test
  void aTakeoverWhileAPeersSilenceWaitsWritesAtOnceWithoutThePeerAndNothingMore() {
    // 1 s adverts: the peer is silent 3 s after it was heard, and its silence alone would be
    // written 2 s after that.
    vip.setSpec(vip.getSpec().toBuilder().advertisementInterval("1s").build());
    reporter.observedGeneration("vip", 1);
    Instant heard = Instant.now();
    engine.emit("vip", backupHearing(heard));
    await().atMost(Duration.ofSeconds(2)).until(() -> !writer.written.isEmpty());
    apiShowsLastWrite();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Instant.now().isAfter(heard.plusMillis(3500))); // silent, its write waiting
    assertThat(writer.written).hasSize(1);
    engine.emit(
        "vip",
        new InstanceSnapshot(
            NodeState.Master,
            100,
            100,
            "192.0.2.1",
            "192.0.2.1",
            Instant.now(),
            "master down interval expired",
            1,
            5,
            Map.of(),
            List.of(new InstanceSnapshot.Peer("192.0.2.2", 150, heard)),
            null));
    await().atMost(Duration.ofSeconds(1)).until(() -> writer.written.size() == 2);
    assertThat(writer.written.get(1).state()).isEqualTo(NodeState.Master);
    assertThat(writer.written.get(1).peers()).isEmpty();
    apiShowsLastWrite();
    await()
        .atMost(Duration.ofSeconds(8))
        .until(() -> Instant.now().isAfter(heard.plusMillis(6000)));
    assertThat(writer.written).as("no write for the silence alone").hasSize(2);
  }

  @Test
  void anEntryTheOperatorMarkedUnknownIsWrittenAgain() {
    reporter.observedGeneration("vip", 1);
    engine.emit("vip", master(1, Map.of()));
    await().atMost(Duration.ofSeconds(2)).until(() -> writer.written.size() == 1);
    NodeStatus marked =
        NodeStatus.builder()
            .name("node-a")
            .state(NodeState.Unknown)
            .updated(writer.written.get(0).updated())
            .build();
    VirtualIPStatus status = VirtualIPStatus.EMPTY.withNodes(List.of(marked));
    vip.setStatus(status);
    await().atMost(Duration.ofSeconds(3)).until(() -> writer.written.size() == 2);
    assertThat(writer.written.get(1).state()).isEqualTo(NodeState.Master);
  }
}
