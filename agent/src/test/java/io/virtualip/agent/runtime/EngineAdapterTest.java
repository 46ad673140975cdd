package io.virtualip.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.api.v1.NodeState;
import io.virtualip.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent driven through the Kubernetes glue's seam, in a namespace, as the DaemonSet runs it.
 */
class EngineAdapterTest {

  private NetnsPair pair;
  private Agent agent;
  private EngineAdapter engine;
  private final List<String> updates = new CopyOnWriteArrayList<>();
  private final List<InstanceSnapshot> snapshots = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    pair = new NetnsPair();
    agent =
        new Agent(
            "node-a",
            List.of(),
            null,
            new AgentLog(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    NetworkNamespace.call(
        pair.a,
        () -> {
          agent.start();
          return null;
        });
    engine = new EngineAdapter(agent);
    engine.addListener(
        (name, snapshot) -> {
          updates.add(name + " " + snapshot.state());
          snapshots.add(snapshot);
        });
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.stop();
    }
    if (pair != null) {
      pair.close();
    }
  }

  private static VipDefinition instance(List<VipDefinition.InterfaceTrack> tracks) {
    return EngineAdapterSeamTest.definition("vip-a", 150, 10, tracks, List.of());
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what + "; updates " + updates);
      }
      Thread.sleep(20);
    }
  }

  private BooleanSupplier inState(NodeState state) {
    return () -> engine.snapshot("vip-a").map(s -> s.state() == state).orElse(false);
  }

  @Test
  void appliedInstanceRunsAndIsReportedAsTheApiWantsIt() throws Exception {
    Instant before = Instant.now();
    engine.apply("vip-a", instance(List.of()));
    await("master", inState(NodeState.Master));

    InstanceSnapshot s = engine.snapshot("vip-a").orElseThrow();
    assertThat(s.priority()).isEqualTo(150);
    assertThat(s.effectivePriority()).isEqualTo(150);
    assertThat(s.ownAddress()).isEqualTo("192.0.2.1");
    assertThat(s.masterAddress()).isEqualTo("192.0.2.1");
    assertThat(s.since()).isAfterOrEqualTo(before.minusMillis(50)).isBeforeOrEqualTo(Instant.now());
    assertThat(s.reason()).startsWith("master down interval expired");
    assertThat(s.advertsSent()).isPositive();
    assertThat(updates).contains("vip-a Backup", "vip-a Master");
    assertThat(NetnsPair.exec(pair.a, "ip", "-4", "addr")).contains("192.0.2.100/24");

    engine.remove("vip-a");
    await("removed", () -> engine.snapshot("vip-a").isEmpty());
    assertThat(NetnsPair.exec(pair.a, "ip", "-4", "addr")).doesNotContain("192.0.2.100");
  }

  @Test
  void podsTrackByNameStartsFailingAndStepDownIsHonoured() throws Exception {
    LabelSelector web = new LabelSelector(null, java.util.Map.of("app", "web"));
    engine.apply(
        "vip-a",
        EngineAdapterSeamTest.definition(
            "vip-a",
            150,
            10,
            List.of(new VipDefinition.InterfaceTrack("veth0", 10)),
            List.of(
                new VipDefinition.ExternalTrack(
                    "tracks[1] pods in default {app=web}",
                    0,
                    null,
                    new VipDefinition.PodsCheck("default", web)))));
    await("fault until the pods track is reported", inState(NodeState.Fault));

    engine.trackChanged("vip-a", "tracks[1] pods in default {app=web}", true);
    await("master once healthy", inState(NodeState.Master));
    assertThat(engine.snapshot("vip-a").orElseThrow().effectivePriority())
        .as("interface track +10")
        .isEqualTo(160);

    int seen = snapshots.size();
    engine.stepDown("vip-a", true);
    // Alone on the segment it takes over again after a Master_Down_Interval (the address must stay
    // reachable), so look at the transition itself rather than poll for a short-lived state.
    await(
        "stepped down",
        () -> snapshots.stream().skip(seen).anyMatch(s -> s.state() == NodeState.Backup));
    assertThat(
            snapshots.stream()
                .skip(seen)
                .filter(s -> s.state() == NodeState.Backup)
                .findFirst()
                .orElseThrow()
                .reason())
        .contains("step down requested");
  }
}
