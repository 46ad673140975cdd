package io.virtualip.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each agent writes only its own element of status.nodes; asserted on the stored object. */
class NodeStatusWriterTest {

  private MockApi api;
  private KubernetesClient admin;

  @BeforeEach
  void start() throws Exception {
    api = new MockApi();
    admin = api.admin();
    admin.resource(Fixtures.virtualIp("vip")).create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static NodeStatus entry(String node, NodeState state, long sent) {
    NodeStatus n = new NodeStatus();
    n.setName(node);
    n.setState(state);
    n.setAdvertsSent(sent);
    return n;
  }

  private VirtualIPStatus stored() {
    return admin.resources(VirtualIP.class).withName("vip").get().getStatus();
  }

  @Test
  void createsTheStatusThenReplacesOnlyItsOwnEntryLeavingOthersAndTheOperatorsFieldsAlone() {
    try (KubernetesClient client = api.client()) {
      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Backup, 0));
      assertThat(stored().getNodes()).containsExactly(entry("node-a", NodeState.Backup, 0));

      // The operator's fields and another agent's entry, written by others in between.
      VirtualIP vip = admin.resources(VirtualIP.class).withName("vip").get();
      vip.getStatus().setMaster("node-b");
      vip.getStatus().setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("True")
          .withReason("OneMaster").withLastTransitionTime("2026-11-26T10:00:00Z").build()));
      admin.resource(vip).updateStatus();
      new JsonPatchNodeStatusWriter(client, "node-b").write("vip", entry("node-b", NodeState.Master, 5));

      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Backup, 1));
      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Master, 2));

      VirtualIPStatus status = stored();
      assertThat(status.getNodes()).containsExactly(entry("node-a", NodeState.Master, 2),
          entry("node-b", NodeState.Master, 5));
      assertThat(status.getMaster()).isEqualTo("node-b");
      assertThat(status.getConditions()).extracting("type").containsExactly("Ready");

      new JsonPatchNodeStatusWriter(client, "node-a").remove("vip");
      assertThat(stored().getNodes()).containsExactly(entry("node-b", NodeState.Master, 5));
      new JsonPatchNodeStatusWriter(client, "node-a").remove("vip");
      assertThat(stored().getNodes()).containsExactly(entry("node-b", NodeState.Master, 5));
    }
  }

  @Test
  void aVirtualIpThatIsGoneIsNotAnError() {
    try (KubernetesClient client = api.client()) {
      new JsonPatchNodeStatusWriter(client, "node-a").write("missing", entry("node-a", NodeState.Backup, 0));
      new JsonPatchNodeStatusWriter(client, "node-a").remove("missing");
    }
  }

  /** Three agents race from an empty status; each entry survives, exactly once, with its agent's last write. */
  @Test
  void concurrentAgentsAllSurviveByRetryingLostRaces() throws Exception {
    List<String> nodes = List.of("node-a", "node-b", "node-c");
    int writes = 15;
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> agents = new ArrayList<>();
    List<KubernetesClient> clients = new ArrayList<>();
    for (String node : nodes) {
      KubernetesClient client = api.client();
      clients.add(client);
      JsonPatchNodeStatusWriter writer = new JsonPatchNodeStatusWriter(client, node);
      agents.add(CompletableFuture.runAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 1; i <= writes; i++) {
          writer.write("vip", entry(node, NodeState.Backup, i));
        }
      }));
    }
    go.countDown();
    CompletableFuture.allOf(agents.toArray(CompletableFuture[]::new)).get();
    clients.forEach(KubernetesClient::close);

    assertThat(stored().getNodes()).containsExactlyInAnyOrder(entry("node-a", NodeState.Backup, writes),
        entry("node-b", NodeState.Backup, writes), entry("node-c", NodeState.Backup, writes));
  }

  /**
   * A newcomer's append must not need a quiet moment: here another agent rewrites its own entry between every read
   * and every patch of the newcomer (as busy agents do on each counter change), yet the append goes through, first
   * time. A guard on the object's resourceVersion would lose every one of these races.
   */
  @Test
  void aNewcomerAppendsWhileAnotherAgentRewritesItsEntryBeforeEveryPatch() {
    try (KubernetesClient client = api.client()) {
      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Master, 0));
    }
    java.util.concurrent.atomic.AtomicInteger patches = new java.util.concurrent.atomic.AtomicInteger();
    Interceptor otherAgentFirst = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if ("PATCH".equals(request.method())) {
          int n = patches.incrementAndGet();
          try (KubernetesClient other = api.client()) {
            new JsonPatchNodeStatusWriter(other, "node-a").write("vip", entry("node-a", NodeState.Master, n));
          }
        }
      }
    };
    try (KubernetesClient newcomer = new KubernetesClientBuilder().withConfig(admin.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("other-agent-first", otherAgentFirst))
        .build()) {
      new JsonPatchNodeStatusWriter(newcomer, "node-c").write("vip", entry("node-c", NodeState.Backup, 1));
    }
    assertThat(patches).hasValue(1);
    assertThat(stored().getNodes()).containsExactly(entry("node-a", NodeState.Master, 1),
        entry("node-c", NodeState.Backup, 1));
  }

  /** A concurrent append is a lost race: the retry sees the other element and still appends exactly once. */
  @Test
  void anAppendRacingAnotherAppendRetriesAndAddsItsElementOnce() {
    try (KubernetesClient client = api.client()) {
      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Master, 0));
    }
    java.util.concurrent.atomic.AtomicInteger patches = new java.util.concurrent.atomic.AtomicInteger();
    Interceptor otherAppendsFirst = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if ("PATCH".equals(request.method()) && patches.incrementAndGet() == 1) {
          try (KubernetesClient other = api.client()) {
            new JsonPatchNodeStatusWriter(other, "node-b").write("vip", entry("node-b", NodeState.Backup, 0));
          }
        }
      }
    };
    try (KubernetesClient newcomer = new KubernetesClientBuilder().withConfig(admin.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("other-appends-first", otherAppendsFirst))
        .build()) {
      new JsonPatchNodeStatusWriter(newcomer, "node-c").write("vip", entry("node-c", NodeState.Backup, 1));
    }
    assertThat(patches).as("the first append lost, the retry won").hasValue(2);
    assertThat(stored().getNodes()).containsExactly(entry("node-a", NodeState.Master, 0),
        entry("node-b", NodeState.Backup, 0), entry("node-c", NodeState.Backup, 1));
  }

  /** An append that timed out yet was applied after the next read left a second element: the next write drops it. */
  @Test
  void aSecondElementOfOursIsRemovedByTheNextWrite() {
    VirtualIP vip = admin.resources(VirtualIP.class).withName("vip").get();
    VirtualIPStatus status = new VirtualIPStatus();
    status.setNodes(List.of(entry("node-a", NodeState.Backup, 1), entry("node-b", NodeState.Master, 7),
        entry("node-a", NodeState.Backup, 2)));
    vip.setStatus(status);
    admin.resource(vip).updateStatus();
    try (KubernetesClient client = api.client()) {
      new JsonPatchNodeStatusWriter(client, "node-a").write("vip", entry("node-a", NodeState.Master, 3));
    }
    assertThat(stored().getNodes()).containsExactly(entry("node-a", NodeState.Master, 3),
        entry("node-b", NodeState.Master, 7));
  }

  @Test
  void autoModeFallsBackToTheJsonPatchWhenTheServerHasNoApply() {
    try (KubernetesClient client = api.client()) {
      NodeStatusWriter writer = ServerSideApplyNodeStatusWriter.withFallback(
          new ServerSideApplyNodeStatusWriter(client, "node-a"), new JsonPatchNodeStatusWriter(client, "node-a"));
      writer.write("vip", entry("node-a", NodeState.Backup, 0));
      writer.write("vip", entry("node-a", NodeState.Master, 1));
      assertThat(stored().getNodes()).containsExactly(entry("node-a", NodeState.Master, 1));
    }
  }
}
