package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.testkit.kube.KubeApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each agent writes only its own element of status.nodes; asserted on the stored object of the real
 * API server. The JSON patch is the writer for servers without server-side apply; the real server
 * takes both, so both are proven here, each with the agent's own token.
 */
class NodeStatusWriterTest {

  private KubeApi api;
  private KubernetesClient admin;
  private final Map<String, KubernetesClient> agents = new java.util.HashMap<>();

  @BeforeEach
  void start() {
    api = RealApi.shared();
    admin = api.admin();
    admin.resource(Fixtures.virtualIp("vip")).create();
  }

  @AfterEach
  void stop() {
    agents.values().forEach(KubernetesClient::close);
  }

  /** The agent's client on {@code node} (one per node, closed after the test). */
  private KubernetesClient agent(String node) {
    return agents.computeIfAbsent(node, n -> RealApi.agentClient(api, n));
  }

  /** The agent's client on {@code node} with {@code interceptor} in its HTTP client. */
  private KubernetesClient agent(String node, String name, Interceptor interceptor) {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                KubernetesAgent.agentClientConfig(
                    api.config(RealApi.agentToken(api, node), api.url())))
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(name, interceptor))
            .build();
    agents.put(node + "/" + name, client);
    return client;
  }

  private static NodeStatus entry(String node, NodeState state, long sent) {
    return NodeStatus.builder().name(node).state(state).advertsSent(sent).build();
  }

  private VirtualIPStatus stored() {
    return admin.resources(VirtualIP.class).withName("vip").get().getStatus();
  }

  @Test
  void createsTheStatusThenReplacesOnlyItsOwnEntryLeavingOthersAndTheOperatorsFieldsAlone() {
    {
      KubernetesClient client = agent("node-a");
      new JsonPatchNodeStatusWriter(client, "node-a")
          .write("vip", entry("node-a", NodeState.Backup, 0));
      assertThat(stored().nodes()).containsExactly(entry("node-a", NodeState.Backup, 0));

      // The operator's fields and another agent's entry, written by others in between.
      VirtualIP vip = admin.resources(VirtualIP.class).withName("vip").get();
      vip.setStatus(
          vip.getStatus()
              .withMaster("node-b")
              .withConditions(
                  List.of(
                      new ConditionBuilder()
                          .withType("Ready")
                          .withStatus("True")
                          .withReason("OneMaster")
                          .withLastTransitionTime("2026-11-26T10:00:00Z")
                          .build())));
      admin.resource(vip).updateStatus();
      new JsonPatchNodeStatusWriter(agent("node-b"), "node-b")
          .write("vip", entry("node-b", NodeState.Master, 5));

      new JsonPatchNodeStatusWriter(client, "node-a")
          .write("vip", entry("node-a", NodeState.Backup, 1));
      new JsonPatchNodeStatusWriter(client, "node-a")
          .write("vip", entry("node-a", NodeState.Master, 2));

      VirtualIPStatus status = stored();
      assertThat(status.nodes())
          .containsExactly(
              entry("node-a", NodeState.Master, 2), entry("node-b", NodeState.Master, 5));
      assertThat(status.master()).isEqualTo("node-b");
      assertThat(status.conditions()).extracting("type").containsExactly("Ready");

      new JsonPatchNodeStatusWriter(client, "node-a").remove("vip");
      assertThat(stored().nodes()).containsExactly(entry("node-b", NodeState.Master, 5));
      new JsonPatchNodeStatusWriter(client, "node-a").remove("vip");
      assertThat(stored().nodes()).containsExactly(entry("node-b", NodeState.Master, 5));
    }
  }

  @Test
  void aVirtualIpThatIsGoneIsNotAnError() {
    KubernetesClient client = agent("node-a");
    List<NodeStatusWriter> writers =
        List.of(
            new JsonPatchNodeStatusWriter(client, "node-a"),
            new ServerSideApplyNodeStatusWriter(client, "node-a"));
    for (NodeStatusWriter writer : writers) {
      assertThatCode(() -> writer.write("missing", entry("node-a", NodeState.Backup, 0)))
          .as(writer.getClass().getSimpleName())
          .doesNotThrowAnyException();
      assertThatCode(() -> writer.remove("missing"))
          .as(writer.getClass().getSimpleName())
          .doesNotThrowAnyException();
    }
    // Nothing written anywhere: no VirtualIP brought back by an apply, none other touched.
    assertThat(admin.resources(VirtualIP.class).withName("missing").get()).isNull();
    VirtualIPStatus other = stored();
    assertThat(other == null ? null : other.nodes()).isNullOrEmpty();
  }

  /**
   * Three agents race from an empty status; each entry survives, exactly once, with its agent's
   * last write.
   */
  @Test
  void concurrentAgentsAllSurviveByRetryingLostRaces() throws Exception {
    List<String> nodes = List.of("node-a", "node-b", "node-c");
    int writes = 15;
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (String node : nodes) {
      KubernetesClient client = agent(node);
      JsonPatchNodeStatusWriter writer = new JsonPatchNodeStatusWriter(client, node);
      writers.add(
          CompletableFuture.runAsync(
              () -> {
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
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();

    assertThat(stored().nodes())
        .containsExactlyInAnyOrder(
            entry("node-a", NodeState.Backup, writes),
            entry("node-b", NodeState.Backup, writes),
            entry("node-c", NodeState.Backup, writes));
  }

  /**
   * A newcomer's append must not need a quiet moment: here another agent rewrites its own entry
   * between every read and every patch of the newcomer (as busy agents do on each counter change),
   * yet the append goes through, first time. A guard on the object's resourceVersion would lose
   * every one of these races.
   */
  @Test
  void aNewcomerAppendsWhileAnotherAgentRewritesItsEntryBeforeEveryPatch() {
    new JsonPatchNodeStatusWriter(agent("node-a"), "node-a")
        .write("vip", entry("node-a", NodeState.Master, 0));
    java.util.concurrent.atomic.AtomicInteger patches =
        new java.util.concurrent.atomic.AtomicInteger();
    Interceptor otherAgentFirst =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if ("PATCH".equals(request.method())) {
              int n = patches.incrementAndGet();
              new JsonPatchNodeStatusWriter(agent("node-a"), "node-a")
                  .write("vip", entry("node-a", NodeState.Master, n));
            }
          }
        };
    KubernetesClient newcomer = agent("node-c", "other-agent-first", otherAgentFirst);
    new JsonPatchNodeStatusWriter(newcomer, "node-c")
        .write("vip", entry("node-c", NodeState.Backup, 1));
    assertThat(patches).hasValue(1);
    assertThat(stored().nodes())
        .containsExactly(
            entry("node-a", NodeState.Master, 1), entry("node-c", NodeState.Backup, 1));
  }

  /**
   * A concurrent append is a lost race: the retry sees the other element and still appends exactly
   * once.
   */
  @Test
  void anAppendRacingAnotherAppendRetriesAndAddsItsElementOnce() {
    new JsonPatchNodeStatusWriter(agent("node-a"), "node-a")
        .write("vip", entry("node-a", NodeState.Master, 0));
    java.util.concurrent.atomic.AtomicInteger patches =
        new java.util.concurrent.atomic.AtomicInteger();
    Interceptor otherAppendsFirst =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if ("PATCH".equals(request.method()) && patches.incrementAndGet() == 1) {
              new JsonPatchNodeStatusWriter(agent("node-b"), "node-b")
                  .write("vip", entry("node-b", NodeState.Backup, 0));
            }
          }
        };
    KubernetesClient newcomer = agent("node-c", "other-appends-first", otherAppendsFirst);
    new JsonPatchNodeStatusWriter(newcomer, "node-c")
        .write("vip", entry("node-c", NodeState.Backup, 1));
    assertThat(patches).as("the first append lost, the retry won").hasValue(2);
    assertThat(stored().nodes())
        .containsExactly(
            entry("node-a", NodeState.Master, 0),
            entry("node-b", NodeState.Backup, 0),
            entry("node-c", NodeState.Backup, 1));
  }

  /**
   * An append that timed out yet was applied after the next read would leave a second element of
   * ours on a server that let it (the writer's next write drops it, see JsonPatchNodeStatusWriter).
   * The real server never stores one: status.nodes is a list-map keyed by name, so such a late
   * append is refused like any duplicate.
   */
  @Test
  void theServerRefusesASecondElementForTheSameNode() {
    VirtualIP vip = admin.resources(VirtualIP.class).withName("vip").get();
    vip.setStatus(
        VirtualIPStatus.EMPTY.withNodes(
            List.of(
                entry("node-a", NodeState.Backup, 1),
                entry("node-b", NodeState.Master, 7),
                entry("node-a", NodeState.Backup, 2))));
    assertThatThrownBy(() -> admin.resource(vip).updateStatus())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    new JsonPatchNodeStatusWriter(agent("node-a"), "node-a")
        .write("vip", entry("node-a", NodeState.Master, 3));
    assertThat(stored().nodes()).containsExactly(entry("node-a", NodeState.Master, 3));
  }

  /**
   * The agent's default: server-side apply of its own entry, as its own field manager; the server
   * merges the list-map by name, so other agents' entries and the operator's fields stay, and an
   * empty apply removes the entry.
   */
  @Test
  void serverSideApplyWritesAndRemovesOnlyItsOwnEntry() {
    VirtualIP vip = admin.resources(VirtualIP.class).withName("vip").get();
    VirtualIPStatus status =
        VirtualIPStatus.EMPTY
            .withMaster("node-b")
            .withNodes(List.of(entry("node-b", NodeState.Master, 5)));
    vip.setStatus(status);
    admin.resource(vip).updateStatus();

    NodeStatusWriter writer =
        ServerSideApplyNodeStatusWriter.withFallback(
            new ServerSideApplyNodeStatusWriter(agent("node-a"), "node-a"),
            new JsonPatchNodeStatusWriter(agent("node-a"), "node-a"));
    writer.write("vip", entry("node-a", NodeState.Backup, 0));
    writer.write("vip", entry("node-a", NodeState.Backup, 1));
    assertThat(stored().nodes())
        .containsExactly(
            entry("node-b", NodeState.Master, 5), entry("node-a", NodeState.Backup, 1));
    assertThat(stored().master()).isEqualTo("node-b");
    assertThat(
            admin.resources(VirtualIP.class).withName("vip").get().getMetadata().getManagedFields())
        .as("written by apply, as the agent's own field manager")
        .anySatisfy(
            f -> {
              assertThat(f.getManager()).isEqualTo("virtualip-agent-node-a");
              assertThat(f.getOperation()).isEqualTo("Apply");
              assertThat(f.getSubresource()).isEqualTo("status");
            });

    writer.remove("vip");
    assertThat(stored().nodes()).containsExactly(entry("node-b", NodeState.Master, 5));
  }

  /**
   * A server without server-side apply answers the apply content type with 415 Unsupported Media
   * Type; the real server has apply, so here the apply writer answers as such a server would (the
   * one thing not from the server), and the fallback's JSON patches go to the real server.
   */
  @Test
  void autoModeFallsBackToTheJsonPatchWhenTheServerHasNoApply() {
    java.util.concurrent.atomic.AtomicInteger applies =
        new java.util.concurrent.atomic.AtomicInteger();
    NodeStatusWriter noApply =
        new NodeStatusWriter() {
          @Override
          public void write(String virtualIp, NodeStatus entry) {
            applies.incrementAndGet();
            throw new KubernetesClientException("Unsupported Media Type", 415, null);
          }

          @Override
          public void remove(String virtualIp) {
            applies.incrementAndGet();
            throw new KubernetesClientException("Unsupported Media Type", 415, null);
          }
        };
    NodeStatusWriter writer =
        ServerSideApplyNodeStatusWriter.withFallback(
            noApply, new JsonPatchNodeStatusWriter(agent("node-a"), "node-a"));
    writer.write("vip", entry("node-a", NodeState.Backup, 0));
    writer.write("vip", entry("node-a", NodeState.Master, 1));
    assertThat(stored().nodes()).containsExactly(entry("node-a", NodeState.Master, 1));
    assertThat(applies).as("apply is tried once, then never again").hasValue(1);
    assertThat(
            admin.resources(VirtualIP.class).withName("vip").get().getMetadata().getManagedFields())
        .noneSatisfy(f -> assertThat(f.getOperation()).isEqualTo("Apply"));
  }
}
