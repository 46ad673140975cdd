package io.virtualip.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.agent.vrrp.Counters;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.Verdict;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.contract.FaultReason;
import io.virtualip.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The adapter's side of the glue's {@link InstanceEngine} seam: mappings without root, the engine
 * duties on a real agent in a namespace with root ({@link EngineAdapterTest} has more of those).
 */
class EngineAdapterSeamTest {

  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final long LOOP_NOW = 50_000_000_000L;

  /**
   * What the spec compiler makes of a VirtualIP (SpecCompilerTest and InstanceResolverTest show the
   * compiling).
   */
  static VipDefinition definition(
      String name,
      int priority,
      int intervalCentis,
      List<VipDefinition.InterfaceTrack> tracks,
      List<VipDefinition.ExternalTrack> external) {
    return new VipDefinition(
        "VirtualIP " + name,
        name,
        null,
        List.of(AddressPrefix.parse("192.0.2.100/24")),
        51,
        3,
        priority,
        intervalCentis,
        true,
        Duration.ZERO,
        null,
        List.of(),
        tracks,
        external);
  }

  private static VipDefinition definition(String name) {
    return definition(name, 150, 100, List.of(), List.of());
  }

  @Test
  void anInvalidConfigurationIsReportedAsFaultWithTheProblem() {
    EngineAdapter engine = new EngineAdapter(unstartedAgent(), Clock.fixed(NOW, ZoneOffset.UTC));
    AtomicReference<InstanceSnapshot> told = new AtomicReference<>();
    engine.addListener((name, snapshot) -> told.set(snapshot));

    engine.apply("v", definition("v"));
    engine.refuse("v", "spec.advertisementInterval: '15ms' is not a whole number of centiseconds");

    InstanceSnapshot fault = engine.snapshot("v").orElseThrow();
    assertThat(fault.state()).isEqualTo(NodeState.Fault);
    assertThat(fault.reason()).startsWith("invalid configuration: spec.advertisementInterval: ");
    assertThat(fault.fault()).isEqualTo(FaultReason.INVALID_SPEC);
    assertThat(fault.since()).isEqualTo(NOW);
    assertThat(told.get()).isEqualTo(fault);
    engine.remove("v");
    assertThat(engine.snapshot("v")).isEmpty();
  }

  @Test
  void reportBecomesSnapshotWithWallClockTimesAndOnlyHeardPeers() throws Exception {
    EngineAdapter engine = new EngineAdapter(unstartedAgent(), Clock.fixed(NOW, ZoneOffset.UTC));
    VipDefinition d = definition("vip-web");
    InetAddress self = InetAddress.getByName("192.0.2.1");
    long since = LOOP_NOW - 2_000_000_000L;
    List<PeerTable.PeerStatus> peers =
        List.of(
            new PeerTable.PeerStatus(
                InetAddress.getByName("192.0.2.2"),
                100,
                100,
                LOOP_NOW - 250_000_000L,
                7,
                0,
                Verdict.ACCEPTED,
                LOOP_NOW - 250_000_000L),
            new PeerTable.PeerStatus(
                InetAddress.getByName("192.0.2.3"),
                -1,
                0,
                Long.MIN_VALUE,
                0,
                3,
                Verdict.AUTH_MISMATCH,
                LOOP_NOW - 100_000_000L));
    InstanceStatus status =
        new InstanceStatus(
            51,
            State.MASTER,
            150,
            140,
            self,
            140,
            100,
            "preempting",
            since,
            new Counters.CounterSnapshot(
                12, 7, 0, 0, 1, Map.of("ACCEPTED", 7L), Map.of("AUTH_MISMATCH", 3L)),
            peers);

    InstanceSnapshot s =
        engine.toSnapshot(
            "vip-web",
            new InstanceReport(
                d, "veth0", "192.0.2.1", status, "preempting", 5, since, LOOP_NOW, null));

    assertThat(s)
        .isEqualTo(
            new InstanceSnapshot(
                NodeState.Master,
                150,
                140,
                "192.0.2.1",
                "192.0.2.1",
                Instant.parse("2026-11-26T09:59:58Z"),
                "preempting",
                12,
                7,
                Map.of("AUTH_MISMATCH", 3L),
                List.of(
                    new InstanceSnapshot.Peer(
                        "192.0.2.2", 100, Instant.parse("2026-11-26T09:59:59.750Z"))),
                null));

    // A renewal later, with a clock that drifted against the loop's: the same transition keeps its
    // time.
    InstanceSnapshot renewed =
        engine.toSnapshot(
            "vip-web",
            new InstanceReport(
                d,
                "veth0",
                "192.0.2.1",
                status,
                "preempting",
                5,
                since,
                LOOP_NOW + 3_000_000_007L,
                null));
    assertThat(renewed.since()).isEqualTo(s.since());
  }

  @Test
  void aDetachedInstanceIsAFaultWithItsReason() {
    EngineAdapter engine = new EngineAdapter(unstartedAgent(), Clock.fixed(NOW, ZoneOffset.UTC));
    VipDefinition d = definition("v");

    InstanceSnapshot s =
        engine.toSnapshot(
            "v",
            new InstanceReport(
                d,
                "eth9",
                null,
                null,
                "interface eth9 not found",
                0,
                LOOP_NOW - 1_000_000_000L,
                LOOP_NOW,
                FaultReason.INTERFACE_MISSING));

    assertThat(s)
        .isEqualTo(
            new InstanceSnapshot(
                NodeState.Fault,
                150,
                0,
                null,
                null,
                Instant.parse("2026-11-26T09:59:59Z"),
                "interface eth9 not found",
                0,
                0,
                Map.of(),
                List.of(),
                FaultReason.INTERFACE_MISSING));
  }

  @Test
  void statesMapOneToOne() {
    assertThat(EngineAdapter.state(State.INITIALIZE)).isEqualTo(NodeState.Init);
    assertThat(EngineAdapter.state(State.BACKUP)).isEqualTo(NodeState.Backup);
    assertThat(EngineAdapter.state(State.MASTER)).isEqualTo(NodeState.Master);
    assertThat(EngineAdapter.state(State.FAULT)).isEqualTo(NodeState.Fault);
  }

  /**
   * The engine's duties on a real agent in a namespace: an unreported track counts as failing, a
   * reported one by its index reaches the right track, a changed priority is applied in place, and
   * step-down holds.
   */
  @Test
  void trackIndexReachesTheAgentAndItsHealthSurvivesAReplacement() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    List<Agent> agents = new ArrayList<>();
    try (NetnsPair pair = new NetnsPair()) {
      Agent agent = started(pair.a, agents);
      try {
        EngineAdapter engine = new EngineAdapter(agent);
        List<NodeState> told = new CopyOnWriteArrayList<>();
        engine.addListener((name, snapshot) -> told.add(snapshot.state()));
        VipDefinition config =
            definition(
                "v",
                150,
                10,
                List.of(new VipDefinition.InterfaceTrack(NetnsPair.IFACE, 0)),
                List.of(
                    new VipDefinition.ExternalTrack(
                        "tracks[1] pods in web {}",
                        0,
                        null,
                        new VipDefinition.PodsCheck("web", null))));

        engine.apply("v", config);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.snapshot("v").isPresent());
        assertThat(engine.snapshot("v").orElseThrow().state()).isEqualTo(NodeState.Fault);
        assertThat(engine.snapshot("v").orElseThrow().reason()).contains("tracks[1] pods in web");

        engine.trackChanged("v", "tracks[1] pods in web {}", true);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().state() == NodeState.Master);
        InstanceSnapshot master = engine.snapshot("v").orElseThrow();
        assertThat(master.ownAddress()).isEqualTo("192.0.2.1");
        assertThat(master.masterAddress()).isEqualTo("192.0.2.1");
        assertThat(told).contains(NodeState.Fault, NodeState.Master);

        // A changed priority (a VirtualIP's priorities edited) is applied in place: the instance
        // stays Master, never Init (issue 11), the track health is kept, and the change is reported
        // at once.
        told.clear();
        engine.apply("v", definition("v", 140, 10, config.tracks(), config.externalTracks()));
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().priority() == 140);
        assertThat(engine.snapshot("v").orElseThrow().state()).isEqualTo(NodeState.Master);
        await().atMost(Duration.ofSeconds(5)).until(() -> !told.isEmpty());
        assertThat(told).as("states reported after the edit").containsOnly(NodeState.Master);

        engine.stepDown("v", true);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().state() == NodeState.Backup);
        assertThat(engine.snapshot("v").orElseThrow().reason()).contains("step down requested");

        engine.remove("v");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.snapshot("v").isEmpty());
      } finally {
        agent.stop();
      }
      assertThat(new EngineAdapter(agent).snapshot("v"))
          .as("a stopped agent has no instances")
          .isEmpty();
    }
  }

  /**
   * Kubernetes mode probes httpGet tracks with the standalone agent's check, in the agent's
   * namespace: failing until the first verdict, a redirect (not followed) healthy, a 5xx failing
   * after failureThreshold checks.
   */
  @Test
  void httpGetTrackIsProbedByTheAgentWithItsThresholds() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    List<Agent> agents = new ArrayList<>();
    try (NetnsPair pair = new NetnsPair()) {
      HealthzServer server = NetworkNamespace.call(pair.a, HealthzServer::new);
      server.answer.set(302);
      try {
        EngineAdapter engine = new EngineAdapter(started(pair.a, agents));
        engine.apply(
            "v",
            definition(
                "v",
                150,
                10,
                List.of(),
                List.of(
                    new VipDefinition.ExternalTrack(
                        "tracks[0] httpGet 127.0.0.1:" + server.port() + "/healthz",
                        0,
                        new VipDefinition.HttpGetCheck(
                            "127.0.0.1", server.port(), "/healthz", 1, 2, 2)))));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.snapshot("v").isPresent());
        assertThat(engine.snapshot("v").orElseThrow().state())
            .as("failing until the first verdict")
            .isEqualTo(NodeState.Fault);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().state() == NodeState.Master);

        server.answer.set(503);
        long failedAt = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().state() == NodeState.Fault);
        assertThat(Duration.ofNanos(System.nanoTime() - failedAt))
            .as("failureThreshold 2 at 1 s")
            .isGreaterThan(Duration.ofMillis(900));
        assertThat(engine.snapshot("v").orElseThrow().reason())
            .contains("tracks[0] httpGet 127.0.0.1:");

        server.answer.set(200);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> engine.snapshot("v").orElseThrow().state() == NodeState.Master);
      } finally {
        agents.forEach(Agent::stop);
        server.close();
      }
    }
  }

  /**
   * A backup's first master arrives without a transition; the listener still hears of it, so
   * status.nodes does not show a backup following nobody until the next periodic report.
   */
  @Test
  void listenerHearsWhenABackupLearnsItsMaster() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    VipDefinition config = definition("v", 150, 10, List.of(), List.of());
    VipDefinition lower = definition("v", 100, 10, List.of(), List.of());
    List<Agent> agents = new ArrayList<>();
    try (NetnsPair pair = new NetnsPair()) {
      try {
        EngineAdapter a = new EngineAdapter(started(pair.a, agents));
        a.apply("v", config);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    a.snapshot("v").map(InstanceSnapshot::state).orElse(null) == NodeState.Master);

        EngineAdapter b = new EngineAdapter(started(pair.b, agents));
        List<InstanceSnapshot> told = new CopyOnWriteArrayList<>();
        b.addListener((name, snapshot) -> told.add(snapshot));
        b.apply("v", lower);

        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    told.stream()
                        .anyMatch(
                            t ->
                                t.state() == NodeState.Backup
                                    && "192.0.2.1".equals(t.masterAddress())));
        assertThat(told.get(0).state()).isEqualTo(NodeState.Backup);
        assertThat(told.get(0).masterAddress())
            .as("the transition itself happens before any advert")
            .isNull();
      } finally {
        agents.forEach(Agent::stop);
      }
    }
  }

  private static Agent started(String ns, List<Agent> agents) throws Exception {
    Agent agent = unstartedAgent();
    NetworkNamespace.call(
        ns,
        () -> {
          agent.start();
          return null;
        });
    agents.add(agent);
    return agent;
  }

  private static Agent unstartedAgent() {
    return new Agent(
        "node-a",
        List.of(),
        null,
        new AgentLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }
}
