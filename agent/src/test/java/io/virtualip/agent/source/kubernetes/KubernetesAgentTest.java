package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.agent.source.kubernetes.FakeEngine.Apply;
import io.virtualip.agent.source.kubernetes.FakeEngine.Remove;
import io.virtualip.agent.source.kubernetes.FakeEngine.StepDown;
import io.virtualip.agent.source.kubernetes.FakeEngine.TrackChanged;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.api.v1.HttpGetTrack;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.PodsTrack;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.testkit.kube.KubeApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the real API server with the agent's own token, and a recording engine: what
 * the glue does, end to end. The agent reaches the server through a relay on loopback, so an API
 * outage is the relay cut ({@link KubeApi#cutRelays()}) while the test's admin client (direct)
 * arranges and checks.
 */
class KubernetesAgentTest {

  private static final String NS = "virtualip-system";
  private static final Map<String, String> EDGE = Map.of("role", "edge");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path tmp;
  private KubeApi api;
  private KubernetesClient admin;
  private KubernetesClient agentClient;
  private final FakeEngine engine = new FakeEngine();
  private KubernetesAgent agent;

  @BeforeEach
  void setUp() throws Exception {
    api = RealApi.shared();
    admin = api.admin();
    admin.resource(Fixtures.node("node-a", EDGE, "192.0.2.1")).create();
    admin.resource(Fixtures.node("node-b", EDGE, "192.0.2.2")).create();
    admin.resource(Fixtures.node("node-x", Map.of("role", "other"), "192.0.2.9")).create();
  }

  private KubernetesClient agentClient() {
    return RealApi.agentClient(api, "node-a", RealApi.loopbackRelay(api));
  }

  private void startAgent() throws Exception {
    agentClient = agentClient();
    agent =
        new KubernetesAgent(
                agentClient,
                engine,
                AgentConfig.defaults("node-a", NS).withReadyFile(tmp.resolve("run/ready")))
            .start();
    agent.awaitReady(WAIT);
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    if (agentClient != null) {
      agentClient.close();
    }
    api.restoreRelays();
  }

  private VirtualIP create(VirtualIP vip) {
    return Fixtures.create(admin, vip);
  }

  private void edit(String name, UnaryOperator<VirtualIP> change) {
    admin.resources(VirtualIP.class).withName(name).edit(change);
  }

  private void editStatus(String name, UnaryOperator<VirtualIPStatus> change) {
    VirtualIP vip = admin.resources(VirtualIP.class).withName(name).get();
    vip.setStatus(change.apply(vip.getStatus() == null ? VirtualIPStatus.EMPTY : vip.getStatus()));
    admin.resource(vip).updateStatus();
  }

  private List<Apply> applies(String name) {
    return engine.calls(Apply.class).stream().filter(a -> a.name().equals(name)).toList();
  }

  private VipDefinition lastConfig(String name) {
    List<Apply> a = applies(name);
    return a.isEmpty() ? null : a.get(a.size() - 1).config();
  }

  private VirtualIPStatus storedStatus(String name) {
    return admin.resources(VirtualIP.class).withName(name).get().getStatus();
  }

  private static VirtualIP unicastWithPassword(String name) {
    VirtualIP vip = Fixtures.virtualIp(name);
    vip.setSpec(
        vip.getSpec().toBuilder()
            .version(2)
            .mode(Mode.Unicast)
            .nodeSelector(EDGE)
            .priorities(Map.of("node-a", 150, "node-b", 120))
            .authentication(Fixtures.passwordFromSecret("vrrp", "password"))
            .build());
    return vip;
  }

  private static java.net.InetAddress ip(String text) {
    return io.virtualip.agent.spec.AddressPrefix.parseAddress(text);
  }

  @Test
  void appliesEachSelectedVirtualIpAndFollowsNodesAsTheyComeAndGo() throws Exception {
    admin
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("vrrp")
                .withNamespace(NS)
                .endMetadata()
                .addToData(
                    "password",
                    Base64.getEncoder().encodeToString("secret".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    create(unicastWithPassword("a"));
    create(Fixtures.virtualIp("b", 52));
    startAgent();

    assertThat(Files.readString(tmp.resolve("run/ready"))).isEqualTo("ready\n");
    VipDefinition a = lastConfig("a");
    assertThat(a.vrid()).isEqualTo(51);
    assertThat(a.version()).isEqualTo(2);
    assertThat(a.priority()).isEqualTo(150);
    assertThat(new String(a.password(), StandardCharsets.UTF_8)).isEqualTo("secret");
    assertThat(a.unicastPeers())
        .containsExactly(io.virtualip.agent.spec.AddressPrefix.parseAddress("192.0.2.2"));
    assertThat(lastConfig("b").priority()).isEqualTo(100);
    assertThat(lastConfig("b").vrid()).isEqualTo(52);

    admin.resource(Fixtures.node("node-c", EDGE, "192.0.2.3")).create();
    await()
        .atMost(WAIT)
        .until(
            () -> lastConfig("a").unicastPeers().equals(List.of(ip("192.0.2.2"), ip("192.0.2.3"))));
    admin.nodes().withName("node-b").delete();
    await()
        .atMost(WAIT)
        .until(() -> lastConfig("a").unicastPeers().equals(List.of(ip("192.0.2.3"))));
    // b is multicast: nodes coming and going are not a change for it.
    assertThat(applies("b")).hasSize(1);
    assertThat(engine.calls(Remove.class)).isEmpty();
  }

  @Test
  void changingOneVirtualIpNeverTouchesAnother() throws Exception {
    create(Fixtures.virtualIp("a"));
    create(Fixtures.virtualIp("b", 52));
    startAgent();
    List<FakeEngine.Call> aBefore = engine.callsFor("a");
    assertThat(aBefore).hasSize(1);

    edit(
        "b",
        v -> {
          v.setSpec(v.getSpec().toBuilder().defaultPriority(80).build());
          return v;
        });
    await().atMost(WAIT).until(() -> lastConfig("b").priority() == 80);
    // Writes that change nothing this node runs: another node's priority, the operator's status.
    edit(
        "a",
        v -> {
          v.setSpec(v.getSpec().toBuilder().priorities(Map.of("node-b", 200)).build());
          return v;
        });
    editStatus("a", s -> s.withMaster("node-b"));
    edit(
        "b",
        v -> {
          v.setSpec(v.getSpec().toBuilder().defaultPriority(70).build());
          return v;
        });
    await().atMost(WAIT).until(() -> lastConfig("b").priority() == 70);
    assertThat(engine.callsFor("a")).isEqualTo(aBefore);
  }

  @Test
  void aVirtualIpWhosePlacementNoLongerSelectsThisNodeIsRemovedWithItsEntry() throws Exception {
    create(Fixtures.virtualIp("a"));
    startAgent();
    engine.emit("a", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                storedStatus("a") != null
                    && storedStatus("a").nodes() != null
                    && storedStatus("a").nodes().size() == 1);

    edit(
        "a",
        v -> {
          v.setSpec(v.getSpec().toBuilder().nodeSelector(Map.of("role", "other")).build());
          return v;
        });
    await().atMost(WAIT).until(() -> engine.calls(Remove.class).contains(new Remove("a")));
    // The real server drops the list when the last entry's manager applies an empty one (the mock
    // kept []).
    await()
        .atMost(WAIT)
        .until(() -> storedStatus("a").nodes() == null || storedStatus("a").nodes().isEmpty());
  }

  @Test
  void runsOnlyTheOperatorsVirtualRouterIdNeverTheSpecsDirectly() throws Exception {
    // spec.virtualRouterId 51 but no status.virtualRouterId: the operator has not confirmed it (a
    // conflict, say).
    VirtualIP vip = Fixtures.virtualIp("a");
    vip.setStatus(null);
    create(vip);
    startAgent();
    assertThat(applies("a")).isEmpty();

    editStatus("a", s -> s.withVirtualRouterId(9));
    await().atMost(WAIT).until(() -> lastConfig("a") != null && lastConfig("a").vrid() == 9);
  }

  @Test
  void honoursTheOperatorsStepDown() throws Exception {
    create(Fixtures.virtualIp("a"));
    startAgent();
    editStatus("a", s -> s.withStepDown(List.of("node-b")));
    editStatus("a", s -> s.withStepDown(List.of("node-b", "node-a")));
    await()
        .atMost(WAIT)
        .until(() -> engine.calls(StepDown.class).equals(List.of(new StepDown("a", true))));
    // A re-apply while listed repeats the instruction, so an engine that rebuilt the instance
    // cannot forget it.
    edit(
        "a",
        v -> {
          v.setSpec(v.getSpec().toBuilder().defaultPriority(90).build());
          return v;
        });
    await().atMost(WAIT).until(() -> applies("a").size() == 2);
    assertThat(engine.callsFor("a").subList(1, 4))
        .containsExactly(
            new StepDown("a", true), new Apply("a", lastConfig("a")), new StepDown("a", true));
    editStatus("a", s -> s.withStepDown(List.of()));
    await()
        .atMost(WAIT)
        .until(
            () ->
                engine
                    .calls(StepDown.class)
                    .equals(
                        List.of(
                            new StepDown("a", true),
                            new StepDown("a", true),
                            new StepDown("a", false))));
  }

  @Test
  void reportsItsOwnEntryEventsAndLeaseWithoutTouchingOtherNodesEntries() throws Exception {
    create(Fixtures.virtualIp("a"));
    NodeStatus other = NodeStatus.builder().name("node-b").state(NodeState.Backup).build();
    editStatus("a", s -> s.withNodes(List.of(other)));
    startAgent();

    engine.emit("a", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    engine.emit("a", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                storedStatus("a").nodes().size() == 2
                    && storedStatus("a").nodes().get(1).state() == NodeState.Master);
    assertThat(storedStatus("a").nodes().get(0)).isEqualTo(other);
    NodeStatus mine = storedStatus("a").nodes().get(1);
    assertThat(mine.name()).isEqualTo("node-a");
    assertThat(mine.observedGeneration())
        .isEqualTo(
            admin.resources(VirtualIP.class).withName("a").get().getMetadata().getGeneration());

    await()
        .atMost(WAIT)
        .until(() -> admin.v1().events().inNamespace("default").list().getItems().size() == 2);
    assertThat(admin.v1().events().inNamespace("default").list().getItems())
        .allMatch(
            e -> e.getReason().equals("Transition") && e.getInvolvedObject().getName().equals("a"))
        .extracting(io.fabric8.kubernetes.api.model.Event::getMessage)
        .containsExactlyInAnyOrder(
            "node-a INIT -> BACKUP: started",
            "node-a BACKUP -> MASTER: master down interval expired");

    Lease lease = admin.leases().inNamespace(NS).withName("virtualip-agent-node-a").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");

    // The claim lives by the node's Lease, renewed on its own; the entry is not rewritten without a
    // change.
    java.time.ZonedDateTime renewed = lease.getSpec().getRenewTime();
    await()
        .atMost(WAIT)
        .until(
            () ->
                !admin
                    .leases()
                    .inNamespace(NS)
                    .withName("virtualip-agent-node-a")
                    .get()
                    .getSpec()
                    .getRenewTime()
                    .equals(renewed));
  }

  /**
   * The API server goes away: the engine is told nothing, transitions are kept (latest only), and
   * when the server returns the entry, the events and the Lease catch up and the watches resume.
   */
  @Test
  void anApiOutageNeverReachesTheEngineAndReportsCatchUpAfter() throws Exception {
    create(Fixtures.virtualIp("a"));
    startAgent();
    engine.emit("a", Fixtures.snapshot(NodeState.Backup, 0, "started"));
    await()
        .atMost(WAIT)
        .until(() -> storedStatus("a") != null && storedStatus("a").nodes() != null);
    List<FakeEngine.Call> before = engine.calls();

    api.cutRelays();
    engine.emit("a", Fixtures.snapshot(NodeState.Master, 1, "master down interval expired"));
    engine.emit("a", Fixtures.snapshot(NodeState.Master, 9, "master down interval expired"));
    Thread.sleep(3_000);
    assertThat(engine.calls()).isEqualTo(before);
    ZonedDateTime renewedBefore = ZonedDateTime.now().minusSeconds(1);

    api.restoreRelays();
    await().atMost(WAIT).until(() -> storedStatus("a").nodes().get(0).advertsSent() == 9);
    assertThat(storedStatus("a").nodes())
        .singleElement()
        .satisfies(n -> assertThat(n.state()).isEqualTo(NodeState.Master));
    await()
        .atMost(WAIT)
        .until(
            () ->
                admin.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(
                        e ->
                            e.getMessage()
                                .equals("node-a BACKUP -> MASTER: master down interval expired")));
    await()
        .atMost(WAIT)
        .until(
            () ->
                admin
                    .leases()
                    .inNamespace(NS)
                    .withName("virtualip-agent-node-a")
                    .get()
                    .getSpec()
                    .getRenewTime()
                    .isAfter(renewedBefore));
    assertThat(engine.calls()).isEqualTo(before);

    // The watches came back by themselves: a change made after the outage reaches the engine.
    edit(
        "a",
        v -> {
          v.setSpec(v.getSpec().toBuilder().defaultPriority(77).build());
          return v;
        });
    await().atMost(Duration.ofSeconds(20)).until(() -> lastConfig("a").priority() == 77);
  }

  @Test
  void anAgentStartedDuringAnOutageBecomesReadyWhenTheApiReturns() throws Exception {
    create(Fixtures.virtualIp("a"));
    agentClient = agentClient();
    api.cutRelays();
    agent =
        new KubernetesAgent(
                agentClient,
                engine,
                AgentConfig.defaults("node-a", NS).withReadyFile(tmp.resolve("run/ready")))
            .start();
    Thread.sleep(2_000);
    assertThat(agent.ready()).isNotDone();
    assertThat(tmp.resolve("run/ready")).doesNotExist();
    assertThat(engine.calls()).isEmpty();

    api.restoreRelays();
    agent.awaitReady(Duration.ofSeconds(20));
    assertThat(tmp.resolve("run/ready")).exists();
    assertThat(applies("a")).hasSize(1);
  }

  /**
   * The CLI's entry: configuration from the environment, client from the standard kubeconfig
   * discovery.
   */
  @Test
  void theCliEntryStartsFromTheEnvironment() throws Exception {
    create(Fixtures.virtualIp("a"));
    Path kubeconfig = tmp.resolve("kubeconfig");
    Files.writeString(kubeconfig, api.kubeconfig(RealApi.agentToken(api, "node-a"), api.url()));
    String previous = System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      agent =
          KubernetesAgent.start(
              engine,
              Map.of(
                  "NODE_NAME",
                  "node-a",
                  "POD_NAMESPACE",
                  NS,
                  "VIRTUALIP_READY_FILE",
                  tmp.resolve("ready").toString()));
      agent.awaitReady(WAIT);
    } finally {
      if (previous == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", previous);
      }
    }
    assertThat(tmp.resolve("ready")).exists();
    assertThat(applies("a")).hasSize(1);
    agent.close();
    agent = null;
    assertThat(tmp.resolve("ready")).doesNotExist();
  }

  private static Pod pod(String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ingress")
        .addToLabels("app", "lb")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("c")
        .withImage("x")
        .endContainer()
        .endSpec()
        .build();
  }

  private void setReady(String name, boolean ready) {
    Pod p = admin.pods().inNamespace("ingress").withName(name).get();
    p.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .build());
    admin.resource(p).updateStatus();
  }

  private static final String PODS_TRACK = "tracks[0] pods in ingress {app=lb}";

  @Test
  void podsTrackFollowsTheReadyPodsOfItsSelectorOnThisNode() throws Exception {
    VirtualIP vip = Fixtures.virtualIp("a");
    PodsTrack pods =
        new PodsTrack("ingress", new LabelSelectorBuilder().addToMatchLabels("app", "lb").build());
    Track track = new Track(null, null, pods, null, null, null, null);
    vip.setSpec(vip.getSpec().toBuilder().tracks(List.of(track)).build());
    create(vip);
    startAgent();
    assertThat(engine.calls(TrackChanged.class))
        .containsExactly(new TrackChanged("a", PODS_TRACK, false));

    // What a cluster has and this one lacks without its controllers: the namespace's default
    // ServiceAccount.
    api.namespace("ingress");
    admin
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName("default")
                .withNamespace("ingress")
                .endMetadata()
                .build())
        .serverSideApply();
    admin.resource(pod("elsewhere", "node-b")).create();
    setReady("elsewhere", true);
    admin.resource(pod("here", "node-a")).create();
    setReady("here", false);
    Thread.sleep(1_000);
    assertThat(engine.calls(TrackChanged.class))
        .containsExactly(new TrackChanged("a", PODS_TRACK, false));

    setReady("here", true);
    await()
        .atMost(WAIT)
        .until(
            () ->
                engine
                    .calls(TrackChanged.class)
                    .equals(
                        List.of(
                            new TrackChanged("a", PODS_TRACK, false),
                            new TrackChanged("a", PODS_TRACK, true))));
    // No kubelet here to finish a graceful deletion: delete at once, as the kubelet finally does.
    admin.pods().inNamespace("ingress").withName("here").withGracePeriod(0).delete();
    await().atMost(WAIT).until(() -> engine.calls(TrackChanged.class).size() == 3);
    assertThat(engine.calls(TrackChanged.class).get(2))
        .isEqualTo(new TrackChanged("a", PODS_TRACK, false));
  }

  /**
   * The glue hands an httpGet track to the engine with its thresholds and never reports it: the
   * engine probes it (EngineAdapterSeamTest shows the probing), the same check as in standalone
   * mode.
   */
  @Test
  void httpGetTrackIsLeftToTheEngine() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/healthz",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    http.start();
    try {
      VirtualIP vip = Fixtures.virtualIp("a");
      HttpGetTrack get = new HttpGetTrack(http.getAddress().getPort(), "/healthz", null);
      Track track = new Track(null, get, null, null, 1, 3, 2);
      vip.setSpec(vip.getSpec().toBuilder().tracks(List.of(track)).build());
      create(vip);
      startAgent();

      await().atMost(WAIT).until(() -> applies("a").size() == 1);
      assertThat(applies("a").get(0).config().externalTracks())
          .containsExactly(
              new VipDefinition.ExternalTrack(
                  "tracks[0] httpGet 127.0.0.1:" + http.getAddress().getPort() + "/healthz",
                  0,
                  new VipDefinition.HttpGetCheck(
                      "127.0.0.1", http.getAddress().getPort(), "/healthz", 1, 3, 2)));
      Thread.sleep(1_500);
      assertThat(engine.calls(TrackChanged.class)).isEmpty();
      assertThat(requests.get()).as("the glue itself sends no request").isZero();
    } finally {
      http.stop(0);
    }
  }
}
