package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.operator.dependent.AgentDaemonSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent DaemonSets, their owners and the VRIDs, against the real API server, the operator
 * running with its ServiceAccount's token.
 */
@QuarkusTest
@WithTestResource(RealApiServer.class)
@ExtendWith(RealApiServer.Available.class)
class AgentDaemonSetLifecycleTest {
  /**
   * Ceiling for lifecycle steps (no latency bound is claimed here); generous for a loaded CI
   * machine.
   */
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The test's own hand on the cluster (admin); the operator has its ServiceAccount's token. */
  final KubernetesClient client = RealApiServer.admin();

  ClusterSteps cluster;

  @BeforeEach
  void steps() {
    cluster = new ClusterSteps(client);
  }

  private DaemonSet daemonSet(Map<String, String> selector) {
    String name = AgentDaemonSet.name(new Placement(selector, List.of()));
    return client.apps().daemonSets().inNamespace(RealApiServer.NAMESPACE).withName(name).get();
  }

  private static List<String> owners(DaemonSet ds) {
    return ds.getMetadata().getOwnerReferences().stream().map(OwnerReference::getName).toList();
  }

  /**
   * Edits a VirtualIP's spec as a user would, again on a conflict: the operator writes the
   * VirtualIP too (its placement label, its status), so a read-modify-write may lose a race.
   */
  private void editSpec(String name, java.util.function.UnaryOperator<VirtualIPSpec> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .resources(VirtualIP.class)
            .withName(name)
            .edit(
                v -> {
                  v.setSpec(change.apply(v.getSpec()));
                  return v;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  @Test
  void firstVirtualIPGetsAnAgentDaemonSetWithTheHardenedPod() {
    Map<String, String> selector = Map.of("role", "ds-first");
    VirtualIP vip = cluster.apply("ds-first", selector, null, null);

    DaemonSet ds = await().atMost(WAIT).until(() -> daemonSet(selector), d -> d != null);
    assertThat(ds.getMetadata().getName()).matches("virtualip-agent-[0-9a-f]{10}");
    assertThat(ds.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "virtualip-agent")
        .containsEntry("app.kubernetes.io/managed-by", "virtualip-operator")
        .containsEntry(
            "virtualip.io/placement",
            ds.getMetadata().getName().substring("virtualip-agent-".length()));
    OwnerReference owner = ds.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getKind()).isEqualTo("VirtualIP");
    assertThat(owner.getApiVersion()).isEqualTo("virtualip.io/v1");
    assertThat(owner.getUid()).isEqualTo(cluster.get("ds-first").getMetadata().getUid());
    assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isEqualTo(1);

    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(pod.getServiceAccountName()).isEqualTo("virtualip-agent");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(10L);
    assertThat(pod.getNodeSelector()).isEqualTo(selector);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());

    Container agent = pod.getContainers().get(0);
    assertThat(agent.getImage()).isEqualTo("virtualip/agent:0.1.0");
    // The metrics endpoint on the chart's default port, on every node address (host network).
    assertThat(agent.getArgs())
        .containsExactly("kubernetes", "--metrics-address", "0.0.0.0", "--metrics-port", "9477");
    assertThat(agent.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getContainerPort()).isEqualTo(9477);
            });
    assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9477");
    assertThat(agent.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("NODE_NAME");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            });
    assertThat(agent.getEnv())
        .anySatisfy(
            e -> {
              // The agent runs only the VirtualIPs of its own placement, parsed the way the agent
              // parses it.
              assertThat(e.getName()).isEqualTo("VIRTUALIP_PLACEMENT");
              VirtualIPSpec placement =
                  client.getKubernetesSerialization().unmarshal(e.getValue(), VirtualIPSpec.class);
              assertThat(placement.nodeSelector()).isEqualTo(selector);
              assertThat(placement.tolerations()).isNullOrEmpty();
            });
    assertThat(agent.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.namespace");
            });
    var sc = agent.getSecurityContext();
    assertThat(sc.getRunAsUser()).isZero();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW");
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(agent.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/run/virtualip"));
    assertThat(agent.getReadinessProbe().getExec().getCommand())
        .containsExactly("cat", "/run/virtualip/ready");
    assertThat(agent.getResources().getRequests())
        .containsEntry("cpu", new Quantity("50m"))
        .containsEntry("memory", new Quantity("64Mi"));
    assertThat(agent.getResources().getLimits())
        .containsEntry("cpu", new Quantity("500m"))
        .containsEntry("memory", new Quantity("128Mi"));
    assertThat(vip.getMetadata().getName()).isEqualTo(owner.getName());
  }

  @Test
  void virtualIPsWithOnePlacementShareTheDaemonSetAndNeverChangeItsPodTemplate() {
    Map<String, String> selector = Map.of("role", "ds-shared");
    cluster.apply("ds-shared-a", selector, null, null);
    DaemonSet before = await().atMost(WAIT).until(() -> daemonSet(selector), d -> d != null);
    String templateBefore =
        client.getKubernetesSerialization().asJson(before.getSpec().getTemplate());

    cluster.apply("ds-shared-b", selector, null, null);
    DaemonSet after =
        await().atMost(WAIT).until(() -> daemonSet(selector), d -> owners(d).size() == 2);

    assertThat(owners(after)).containsExactly("ds-shared-a", "ds-shared-b");
    assertThat(client.getKubernetesSerialization().asJson(after.getSpec().getTemplate()))
        .isEqualTo(templateBefore);
    assertThat(after.getMetadata().getAnnotations())
        .isEqualTo(before.getMetadata().getAnnotations());

    // Changing a VirtualIP (not its placement) leaves the DaemonSet alone: no agent restart, no
    // failover.
    editSpec(
        "ds-shared-a",
        spec -> spec.toBuilder().addresses(List.of("192.0.2.20/24", "192.0.2.21/24")).build());
    await()
        .atMost(WAIT)
        .until(
            () -> cluster.get("ds-shared-a").getStatus(),
            s ->
                s != null
                    && s.observedGeneration() != null
                    && s.observedGeneration()
                        .equals(cluster.get("ds-shared-a").getMetadata().getGeneration()));
    DaemonSet untouched = daemonSet(selector);
    assertThat(untouched.getMetadata().getResourceVersion())
        .isEqualTo(after.getMetadata().getResourceVersion());
    assertThat(
            client
                .apps()
                .daemonSets()
                .inNamespace(RealApiServer.NAMESPACE)
                .withLabel(
                    "virtualip.io/placement",
                    before.getMetadata().getLabels().get("virtualip.io/placement"))
                .list()
                .getItems())
        .hasSize(1);
  }

  @Test
  void anotherPlacementGetsAnotherDaemonSet() {
    cluster.apply("ds-place-a", Map.of("role", "ds-place-a"), null, null);
    cluster.apply("ds-place-b", Map.of("role", "ds-place-b"), null, null);
    DaemonSet a =
        await().atMost(WAIT).until(() -> daemonSet(Map.of("role", "ds-place-a")), d -> d != null);
    DaemonSet b =
        await().atMost(WAIT).until(() -> daemonSet(Map.of("role", "ds-place-b")), d -> d != null);
    assertThat(a.getMetadata().getName()).isNotEqualTo(b.getMetadata().getName());
    assertThat(owners(a)).containsExactly("ds-place-a");
    assertThat(owners(b)).containsExactly("ds-place-b");
  }

  @Test
  void aDeletedDaemonSetIsRecreatedWithItsOwners() {
    Map<String, String> selector = Map.of("role", "ds-recreate");
    cluster.apply("ds-recreate", selector, null, null);
    DaemonSet first = await().atMost(WAIT).until(() -> daemonSet(selector), d -> d != null);

    client.resource(first).delete();
    DaemonSet again =
        await()
            .atMost(WAIT)
            .until(
                () -> daemonSet(selector),
                d -> d != null && !d.getMetadata().getUid().equals(first.getMetadata().getUid()));
    assertThat(owners(again)).containsExactly("ds-recreate");
    assertThat(again.getSpec()).isEqualTo(first.getSpec());
  }

  @Test
  void changingThePlacementMovesTheVirtualIPToAnotherDaemonSet() {
    Map<String, String> from = Map.of("role", "ds-move-from");
    Map<String, String> to = Map.of("role", "ds-move-to");
    cluster.apply("ds-move", from, null, null);
    await().atMost(WAIT).until(() -> daemonSet(from), d -> d != null);

    editSpec("ds-move", spec -> spec.toBuilder().nodeSelector(to).build());
    await()
        .atMost(WAIT)
        .until(() -> daemonSet(to), d -> d != null && owners(d).equals(List.of("ds-move")));
    await().atMost(WAIT).until(() -> daemonSet(from) == null);
  }

  @Test
  void deletingReleasesTheOwnerReferenceAndTheLastOneDeletesTheDaemonSet() {
    Map<String, String> selector = Map.of("role", "ds-delete");
    cluster.apply("ds-delete-a", selector, null, null);
    cluster.apply("ds-delete-b", selector, null, null);
    await().atMost(WAIT).until(() -> daemonSet(selector), d -> d != null && owners(d).size() == 2);

    client.resources(VirtualIP.class).withName("ds-delete-a").delete();
    await()
        .atMost(WAIT)
        .until(
            () -> daemonSet(selector), d -> d != null && owners(d).equals(List.of("ds-delete-b")));
    await().atMost(WAIT).until(() -> cluster.get("ds-delete-a") == null);

    client.resources(VirtualIP.class).withName("ds-delete-b").delete();
    await().atMost(WAIT).until(() -> daemonSet(selector) == null);
  }

  /**
   * Issue 11: {@code kubectl delete vip --all} on 21 VirtualIPs left the DaemonSet owned by deleted
   * VirtualIPs (the operator re-applied a stale owner list after a 409; no garbage collector runs
   * here to hide it). Deleted all at once, from several threads, the DaemonSet must go with the
   * last of them.
   */
  @Test
  void aBulkDeleteDeletesTheDaemonSetWithTheLastVirtualIP() throws Exception {
    Map<String, String> selector = Map.of("role", "ds-bulk");
    List<String> names =
        java.util.stream.IntStream.rangeClosed(1, 21).mapToObj(i -> "ds-bulk-" + i).toList();
    names.forEach(n -> cluster.apply(n, selector, null, null));
    await()
        .atMost(WAIT)
        .until(() -> daemonSet(selector), d -> d != null && owners(d).size() == names.size());

    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (String n : names) {
        pool.submit(() -> client.resources(VirtualIP.class).withName(n).delete());
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    await().atMost(WAIT).until(() -> names.stream().allMatch(n -> cluster.get(n) == null));
    await().atMost(WAIT).until(() -> daemonSet(selector) == null);
  }

  /**
   * Issue 11 #4 under load: 21 VirtualIPs, 18 of them deleted at once from 6 threads in a shuffled
   * order while the operator reconciles on 4 threads, then the last 3 at once. After the first wave
   * the DaemonSet must be owned by exactly the 3 survivors (the last cleanup deleting the DaemonSet
   * would hide owners left behind, so they are checked while it lives), after the second it must be
   * gone; at no check may a DaemonSet be owned by a deleted VirtualIP.
   */
  @Test
  void concurrentDeletesLeaveExactlyTheLiveOwnersAndTheLastDeletesTheDaemonSet() throws Exception {
    Map<String, String> selector = Map.of("role", "ds-waves");
    List<String> names =
        java.util.stream.IntStream.rangeClosed(1, 21).mapToObj(i -> "ds-waves-" + i).toList();
    Map<String, String> uids = new java.util.HashMap<>();
    names.forEach(n -> uids.put(cluster.apply(n, selector, null, null).getMetadata().getUid(), n));
    await()
        .atMost(WAIT)
        .until(() -> daemonSet(selector), d -> d != null && owners(d).size() == names.size());

    List<String> order = new java.util.ArrayList<>(names);
    java.util.Collections.shuffle(order, new java.util.Random(11));
    List<String> firstWave = order.subList(0, 18);
    List<String> survivors = order.subList(18, 21);

    deleteAtOnce(firstWave, 6);
    await().atMost(WAIT).until(() -> firstWave.stream().allMatch(n -> cluster.get(n) == null));
    await()
        .atMost(WAIT)
        .until(
            () -> daemonSet(selector),
            d -> d != null && owners(d).equals(survivors.stream().sorted().toList()));
    assertThat(daemonSetsOwnedByDeleted(uids)).isEmpty();

    deleteAtOnce(survivors, 3);
    await().atMost(WAIT).until(() -> survivors.stream().allMatch(n -> cluster.get(n) == null));
    await().atMost(WAIT).until(() -> daemonSet(selector) == null);
    assertThat(daemonSetsOwnedByDeleted(uids)).isEmpty();
  }

  /** Deletes {@code names} from {@code threads} threads released together. */
  private void deleteAtOnce(List<String> names, int threads) throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    var start = new java.util.concurrent.CountDownLatch(1);
    try {
      List<java.util.concurrent.Future<?>> deletes = new java.util.ArrayList<>();
      for (String n : names) {
        deletes.add(
            pool.submit(
                () -> {
                  start.await();
                  return client.resources(VirtualIP.class).withName(n).delete();
                }));
      }
      start.countDown();
      for (var delete : deletes) {
        delete.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * "DaemonSet owner" for each owner reference, among {@code uids} (uid to name), whose VirtualIP
   * no longer exists.
   */
  private List<String> daemonSetsOwnedByDeleted(Map<String, String> uids) {
    java.util.Set<String> live =
        client.resources(VirtualIP.class).list().getItems().stream()
            .map(v -> v.getMetadata().getUid())
            .collect(java.util.stream.Collectors.toSet());
    return client
        .apps()
        .daemonSets()
        .inNamespace(RealApiServer.NAMESPACE)
        .list()
        .getItems()
        .stream()
        .flatMap(
            ds ->
                ds.getMetadata().getOwnerReferences().stream()
                    .filter(o -> uids.containsKey(o.getUid()) && !live.contains(o.getUid()))
                    .map(o -> ds.getMetadata().getName() + " " + o.getName()))
        .toList();
  }

  @Test
  void allocatesTheLowestFreeVridSkippingReservedOnes() {
    Map<String, String> selector = Map.of("role", "vrid-alloc");
    cluster.node("vrid-alloc-n1", selector);
    cluster.apply("vrid-alloc-a", selector, null, null);
    await()
        .atMost(WAIT)
        .until(
            () -> cluster.get("vrid-alloc-a").getStatus(),
            s -> s != null && s.virtualRouterId() != null);
    // application.properties reserves 1-10 under test.
    assertThat(cluster.get("vrid-alloc-a").getStatus().virtualRouterId()).isEqualTo(11);
    cluster.apply("vrid-alloc-b", selector, null, null);
    await()
        .atMost(WAIT)
        .until(
            () -> cluster.get("vrid-alloc-b").getStatus(),
            s -> s != null && Integer.valueOf(12).equals(s.virtualRouterId()));
    // The event follows the status write.
    await()
        .atMost(WAIT)
        .until(() -> cluster.events("vrid-alloc-b", "VRIDAllocated"), l -> l.size() == 1);
    assertThat(cluster.events("vrid-alloc-b", "VRIDAllocated").get(0).getMessage()).contains("12");
  }

  @Test
  void newerVirtualIPPinningAnOlderOnesVridOnTheSameNodesGetsVridConflict() {
    Map<String, String> selector = Map.of("role", "vrid-conflict");
    cluster.node("vrid-conflict-n1", selector);
    cluster.apply("vrid-conflict-older", selector, 42, null);
    await()
        .atMost(WAIT)
        .until(
            () -> cluster.get("vrid-conflict-older").getStatus(),
            s -> s != null && Integer.valueOf(42).equals(s.virtualRouterId()));
    cluster.apply("vrid-conflict-newer", selector, 42, null);

    await()
        .atMost(WAIT)
        .until(
            () -> cluster.summary("vrid-conflict-newer", Conditions.READY),
            "False/VRIDConflict"::equals);
    assertThat(
            cluster.condition("vrid-conflict-newer", Conditions.READY).orElseThrow().getMessage())
        .contains("vrid-conflict-older");
    assertThat(cluster.get("vrid-conflict-newer").getStatus().virtualRouterId()).isNull();
    await()
        .atMost(WAIT)
        .until(() -> cluster.events("vrid-conflict-newer", "VRIDConflict"), l -> l.size() == 1);
    assertThat(cluster.events("vrid-conflict-newer", "VRIDConflict").get(0).getMessage())
        .contains("vrid-conflict-older");

    assertThat(cluster.get("vrid-conflict-older").getStatus().virtualRouterId()).isEqualTo(42);
    assertThat(cluster.summary("vrid-conflict-older", Conditions.READY))
        .isNotEqualTo("False/VRIDConflict");
    assertThat(cluster.events("vrid-conflict-older", "VRIDConflict")).isEmpty();
  }

  /**
   * The mock stored any VirtualIP, so this test used to watch the operator mark a schema-breaking
   * spec Ready=False/InvalidSpec; a real server refuses it at the door (the operator's own check
   * for a lax server or an old CRD is covered by StatusAggregatorTest). What remains to check here:
   * the refusal names the field, and the operator carries on with the others.
   */
  @Test
  void aSpecTheSchemaRejectsIsRefusedByTheServerAndTheOperatorCarriesOn() {
    VirtualIP bad = new VirtualIP();
    bad.getMetadata().setName("invalid-spec");
    bad.setSpec(
        VirtualIPSpec.builder().addresses(List.of("not-an-address", "2001:db8::1/64")).build());

    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("spec.addresses");
            });
    assertThat(cluster.get("invalid-spec")).isNull();
    cluster.apply("after-invalid", Map.of("role", "after-invalid"), null, null);
    await().atMost(WAIT).until(() -> daemonSet(Map.of("role", "after-invalid")), d -> d != null);
  }
}
