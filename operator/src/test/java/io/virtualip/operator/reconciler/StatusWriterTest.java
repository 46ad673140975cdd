package io.virtualip.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's status writes on a real kube-apiserver of their own (no operator running there),
 * with the operator's ServiceAccount: one request per change and no read first (issue 14: a read
 * before each write doubled the requests of every reconcile at a failover), and still right when
 * the cache is behind the writer's own last write or behind an agent's.
 */
class StatusWriterTest {
  private static KubeApi api;
  private static KubernetesClient admin;
  private static KubernetesClient operator;
  private static final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    Requirements.kubeApi();
    api = KubeApi.start(KubeVersions.selected());
    admin = api.admin();
    String token = InstalledChart.on(api).operatorToken();
    operator =
        new KubernetesClientBuilder()
            .withConfig(api.config(token, api.url()))
            .withHttpClientBuilderConsumer(
                b ->
                    b.addOrReplaceInterceptor(
                        "count",
                        new Interceptor() {
                          @Override
                          public void before(
                              BasicBuilder builder, HttpRequest request, RequestTags tags) {
                            requests
                                .computeIfAbsent(request.method(), m -> new AtomicInteger())
                                .incrementAndGet();
                          }
                        }))
            .build();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @BeforeEach
  void resetCounts() {
    requests.clear();
  }

  private static int count(String method) {
    return requests.getOrDefault(method, new AtomicInteger()).get();
  }

  private static VirtualIP create(String name) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName(name);
    VirtualIPSpec spec =
        VirtualIPSpec.builder()
            .addresses(List.of("192.0.2.10/24"))
            .advertisementInterval("1s")
            .build();
    vip.setSpec(spec);
    return admin.resource(vip).create();
  }

  private static Aggregate aggregate(String master, Set<String> agentDown) {
    return new Aggregate(
        20,
        master,
        List.of(),
        List.of(),
        agentDown,
        Set.of(),
        Optional.empty(),
        "",
        Optional.empty(),
        Optional.empty());
  }

  private static VirtualIP stored(String name) {
    return admin.resources(VirtualIP.class).withName(name).get();
  }

  /** What an agent does: its own entry in status.nodes. */
  private static void agentWrites(String vip, String node, String state, String updated) {
    admin
        .resources(VirtualIP.class)
        .withName(vip)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"nodes\":[{\"name\":\""
                + node
                + "\",\"state\":\""
                + state
                + "\",\"updated\":\""
                + updated
                + "\"}]}}");
  }

  @Test
  void aChangeIsOnePatchWithoutAReadEvenWhenTheCacheIsBehindTheWritersOwnWrite() {
    VirtualIP cached = create("sw-own-write");
    StatusWriter writer = new StatusWriter(operator);
    writer.write(cached, aggregate(null, Set.of())); // the first status: read, then PUT
    assertThat(stored("sw-own-write").getStatus().virtualRouterId()).isEqualTo(20);
    requests.clear();

    // The cache still shows no status at all: the writer's own answer is newer.
    writer.write(cached, aggregate("node-a", Set.of()));
    assertThat(count("GET")).isZero();
    assertThat(count("PATCH")).isEqualTo(1);
    assertThat(stored("sw-own-write").getStatus().master()).isEqualTo("node-a");

    // Diffed against that write, not the stale cache (which has no master either): written.
    writer.write(cached, aggregate(null, Set.of()));
    assertThat(stored("sw-own-write").getStatus().master()).isNull();

    requests.clear();
    writer.write(cached, aggregate(null, Set.of())); // nothing changed: no request at all
    assertThat(requests).isEmpty();
  }

  @Test
  void anEntryIsShownUnknownInTheSamePatchUnlessItsAgentWroteSinceTheCache() {
    VirtualIP created = create("sw-unknown");
    StatusWriter writer = new StatusWriter(operator);
    writer.write(created, aggregate(null, Set.of()));
    agentWrites("sw-unknown", "node-a", "Backup", "2026-12-04T12:00:00Z");
    VirtualIP cached = stored("sw-unknown");
    agentWrites("sw-unknown", "node-a", "Backup", "2026-12-04T12:00:05Z"); // it came back

    // The entry is left alone; the operator's own fields are still written.
    writer.write(cached, aggregate("node-b", Set.of("node-a")));
    VirtualIP after = stored("sw-unknown");
    assertThat(after.getStatus().nodes().get(0).state()).isEqualTo(NodeState.Backup);
    assertThat(after.getStatus().master()).isEqualTo("node-b");

    requests.clear();
    writer.write(after, aggregate(null, Set.of("node-a")));
    assertThat(count("GET")).isZero();
    assertThat(count("PATCH")).isEqualTo(1);
    VirtualIP marked = stored("sw-unknown");
    assertThat(marked.getStatus().nodes().get(0).state()).isEqualTo(NodeState.Unknown);
    assertThat(marked.getStatus().master()).isNull();
  }
}
