package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's node restriction (deploy/25-agent-node-restriction.yaml, a ValidatingAdmissionPolicy)
 * on a real API server at the newest and the oldest version the chart claims, with the chart's own
 * RBAC (deploy/20-rbac.yaml) and tokens as the pods get them: the agent of node n1 authenticates
 * with a token bound to its pod on n1. RBAC alone lets that agent write every VirtualIP's status
 * and every Lease of the agent namespace (asserted here, so that each refusal below is the
 * policy's); the policy leaves it its own status.nodes entry, by either of the agent's writers
 * (server-side apply and the JSON-patch fallback), and its own Lease. The operator is not
 * restricted.
 */
class NodeRestrictionPolicyTest {

  private static final String NS = "virtualip-system";
  private static final String POLICY = "virtualip-agent-node-restriction";
  private static final String LEADER_LEASE = "virtualip-operator-leader";
  private static final Map<String, Cluster> CLUSTERS = new ConcurrentHashMap<>();

  /**
   * One server per version, set up once: admin, the agent of n1 (pod-bound token), the operator, an
   * unbound agent token.
   */
  private record Cluster(
      KubernetesClient admin,
      KubernetesClient n1,
      KubernetesClient operator,
      KubernetesClient unbound) {}

  static List<String> versions() {
    return KubeVersions.ALL;
  }

  // ---- the agent of n1: what it may do ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void ownEntryByServerSideApplyIsAllowedAndLeavesEverythingElseAlone(String version) {
    Cluster c = cluster(version);
    // n1's entry is its own agent's from the start (an entry the operator wrote, the operator's
    // manager co-owns: an apply of an empty list would leave its name behind).
    VirtualIPStatus before = seed(c, "ssa-own", false);
    ServerSideApplyNodeStatusWriter writer = new ServerSideApplyNodeStatusWriter(c.n1(), "n1");

    writer.write("ssa-own", entry("n1", NodeState.Backup, 7));
    // Another agent's entry after n1's (written by admin, whom the policy does not restrict), so
    // n1's sits between.
    applyStatus(
        c.admin(),
        "ssa-own",
        "virtualip-agent-n4",
        Map.of("nodes", List.of(Map.of("name", "n4", "state", "Backup", "advertsSent", 5))));
    assertThat(status(c, "ssa-own").nodes())
        .containsExactly(
            entry("n2", NodeState.Master, 5),
            entry("n3", NodeState.Backup, 5),
            entry("n1", NodeState.Backup, 7),
            entry("n4", NodeState.Backup, 5));

    writer.write("ssa-own", entry("n1", NodeState.Master, 8));
    assertThat(status(c, "ssa-own").nodes())
        .containsExactly(
            entry("n2", NodeState.Master, 5),
            entry("n3", NodeState.Backup, 5),
            entry("n1", NodeState.Master, 8),
            entry("n4", NodeState.Backup, 5));
    assertThat(
            c.admin()
                .resources(VirtualIP.class)
                .withName("ssa-own")
                .get()
                .getMetadata()
                .getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains("virtualip-agent-n1");

    writer.remove("ssa-own");
    assertThat(status(c, "ssa-own").nodes())
        .containsExactly(
            entry("n2", NodeState.Master, 5),
            entry("n3", NodeState.Backup, 5),
            entry("n4", NodeState.Backup, 5));

    writer.write("ssa-own", entry("n1", NodeState.Backup, 9));
    assertThat(status(c, "ssa-own").nodes()).contains(entry("n1", NodeState.Backup, 9)).hasSize(4);
    assertUntouchedBesidesN1(before, status(c, "ssa-own"), "n4");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void ownEntryByTheJsonPatchFallbackIsAllowed(String version) {
    Cluster c = cluster(version);
    VirtualIPStatus before = seed(c, "patch-own", true);
    JsonPatchNodeStatusWriter writer = new JsonPatchNodeStatusWriter(c.n1(), "n1");

    writer.write("patch-own", entry("n1", NodeState.Master, 9)); // replace in the middle
    assertThat(status(c, "patch-own").nodes())
        .containsExactly(
            entry("n2", NodeState.Master, 5),
            entry("n1", NodeState.Master, 9),
            entry("n3", NodeState.Backup, 5));
    writer.remove("patch-own");
    assertThat(status(c, "patch-own").nodes())
        .containsExactly(entry("n2", NodeState.Master, 5), entry("n3", NodeState.Backup, 5));
    writer.write("patch-own", entry("n1", NodeState.Backup, 10)); // append
    assertThat(status(c, "patch-own").nodes())
        .containsExactly(
            entry("n2", NodeState.Master, 5),
            entry("n3", NodeState.Backup, 5),
            entry("n1", NodeState.Backup, 10));
    assertUntouchedBesidesN1(before, status(c, "patch-own"), "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void ownLeaseIsAllowed(String version) {
    Cluster c = cluster(version);
    LeaseHeartbeat heartbeat =
        new LeaseHeartbeat(
            c.n1(), NS, "n1", Duration.ofSeconds(4), Duration.ofSeconds(1), Clock.systemUTC());
    heartbeat.renew(); // create
    heartbeat.renew(); // update
    Lease lease = c.admin().leases().inNamespace(NS).withName("virtualip-agent-n1").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("n1");
    assertThat(lease.getMetadata().getResourceVersion()).isNotNull();
  }

  // ---- the agent of n1: what RBAC allows and the policy refuses ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void anotherNodesEntryIsRefusedWhicheverWriterIsUsed(String version) {
    Cluster c = cluster(version);
    VirtualIPStatus before = seed(c, "other-entry", true);
    assertThat(
            rbacAllows(
                c.n1(), "patch", "virtualip.io", "virtualips", "status", null, "other-entry"))
        .isTrue();

    // A forged Master entry for n3 (a fake split brain), by apply and by JSON patch.
    assertRefused(
        () ->
            new ServerSideApplyNodeStatusWriter(c.n1(), "n3")
                .write("other-entry", entry("n3", NodeState.Master, 6)),
        "agent-own-status-entry",
        "not the entries of other nodes (n3)");
    assertRefused(
        () ->
            new JsonPatchNodeStatusWriter(c.n1(), "n3")
                .write("other-entry", entry("n3", NodeState.Master, 6)),
        "agent-own-status-entry",
        "(n3)");
    // Removing n2's entry, or adding one for a node that has none.
    assertRefused(
        () -> new JsonPatchNodeStatusWriter(c.n1(), "n2").remove("other-entry"),
        "agent-own-status-entry",
        "(n2)");
    assertRefused(
        () ->
            new ServerSideApplyNodeStatusWriter(c.n1(), "n4")
                .write("other-entry", entry("n4", NodeState.Master, 1)),
        "agent-own-status-entry",
        "(n4)");
    // Its own entry together with another's, in one apply.
    assertRefused(
        () ->
            applyStatus(
                c.n1(),
                "other-entry",
                Map.of(
                    "nodes",
                    List.of(
                        Map.of("name", "n1", "state", "Master"),
                        Map.of("name", "n2", "state", "Backup")))),
        "agent-own-status-entry",
        "(n2)");

    assertThat(status(c, "other-entry")).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void theOperatorsStatusFieldsAreRefused(String version) {
    Cluster c = cluster(version);
    VirtualIPStatus before = seed(c, "operator-fields", true);

    Map<String, Object> forged =
        Map.of(
            "stepDown",
            List.of("n2", "n3"),
            "virtualRouterId",
            99,
            "master",
            "n1",
            "conditions",
            List.of(
                Map.of(
                    "type",
                    "Ready",
                    "status",
                    "False",
                    "reason",
                    "Forged",
                    "message",
                    "x",
                    "lastTransitionTime",
                    "2024-01-01T00:00:00Z")),
            "observedGeneration",
            42);
    for (Map.Entry<String, Object> field : forged.entrySet()) {
      String patch =
          c.n1()
              .getKubernetesSerialization()
              .asJson(Map.of("status", Map.of(field.getKey(), field.getValue())));
      assertRefused(
          () ->
              c.n1()
                  .resources(VirtualIP.class)
                  .withName("operator-fields")
                  .subresource("status")
                  .patch(PatchContext.of(PatchType.JSON_MERGE), patch),
          "agent-own-status-entry",
          "not status." + field.getKey());
    }
    // Removing a field counts too.
    assertRefused(
        () ->
            c.n1()
                .resources(VirtualIP.class)
                .withName("operator-fields")
                .subresource("status")
                .patch(
                    PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"remove\",\"path\":\"/status/stepDown\"}]"),
        "agent-own-status-entry",
        "not status.stepDown");
    // Its own entry plus stepDown in one apply: all or nothing.
    assertRefused(
        () ->
            applyStatus(
                c.n1(),
                "operator-fields",
                Map.of(
                    "nodes",
                    List.of(Map.of("name", "n1", "state", "Master")),
                    "stepDown",
                    List.of("n2"))),
        "agent-own-status-entry",
        "not status.stepDown");

    assertThat(status(c, "operator-fields")).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void otherLeasesAreRefused(String version) {
    Cluster c = cluster(version);
    assertThat(
            rbacAllows(c.n1(), "update", "coordination.k8s.io", "leases", null, NS, LEADER_LEASE))
        .isTrue();
    assertThat(rbacAllows(c.n1(), "create", "coordination.k8s.io", "leases", null, NS, null))
        .isTrue();

    // n2's heartbeat: neither created nor, once there, renewed by n1's agent.
    LeaseHeartbeat n2 =
        new LeaseHeartbeat(
            c.n1(), NS, "n2", Duration.ofSeconds(4), Duration.ofSeconds(1), Clock.systemUTC());
    assertRefused(n2::renew, "agent-own-lease", "not virtualip-agent-n2");
    c.admin().resource(lease("virtualip-agent-n2", "n2")).forceConflicts().serverSideApply();
    assertRefused(n2::renew, "agent-own-lease", "not virtualip-agent-n2");

    // The operator's leader Lease: taking it would stop the operator.
    c.admin().resource(lease(LEADER_LEASE, "operator-0")).forceConflicts().serverSideApply();
    Lease leader = c.n1().leases().inNamespace(NS).withName(LEADER_LEASE).get();
    leader.getSpec().setHolderIdentity("n1");
    assertRefused(() -> c.n1().resource(leader).update(), "agent-own-lease", "not " + LEADER_LEASE);
    // Deleting it RBAC refuses already (the agent has no delete on Leases); the policy would too.
    assertRefused(() -> c.n1().leases().inNamespace(NS).withName(LEADER_LEASE).delete(), "", "");

    assertThat(
            c.admin()
                .leases()
                .inNamespace(NS)
                .withName(LEADER_LEASE)
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo("operator-0");
    assertThat(
            c.admin()
                .leases()
                .inNamespace(NS)
                .withName("virtualip-agent-n2")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo("n2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void anAgentTokenWithoutANodeMayWriteNothing(String version) {
    Cluster c = cluster(version);
    seed(c, "no-node", true);
    assertRefused(
        () ->
            new ServerSideApplyNodeStatusWriter(c.unbound(), "n1")
                .write("no-node", entry("n1", NodeState.Master, 1)),
        "agent-node-token",
        "projected ServiceAccount token");
    assertRefused(
        () ->
            new LeaseHeartbeat(
                    c.unbound(),
                    NS,
                    "n1",
                    Duration.ofSeconds(4),
                    Duration.ofSeconds(1),
                    Clock.systemUTC())
                .renew(),
        "agent-node-token",
        "");
  }

  // ---- the operator: unaffected ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void theOperatorStillWritesEveryStatusFieldAndItsLeaderLease(String version) {
    Cluster c = cluster(version);
    seed(c, "operator-writes", true);

    VirtualIP vip = c.operator().resources(VirtualIP.class).withName("operator-writes").get();
    vip.setStatus(
        vip.getStatus()
            .withStepDown(List.of("n2"))
            .withVirtualRouterId(52)
            .withMaster("n1")
            .withNodes(
                List.of(entry("n1", NodeState.Master, 1), entry("n2", NodeState.Unknown, 1))));
    c.operator().resource(vip).subresource("status").update();
    c.operator()
        .resources(VirtualIP.class)
        .withName("operator-writes")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/status/nodes/1\"}]");
    VirtualIPStatus stored = status(c, "operator-writes");
    assertThat(stored.stepDown()).containsExactly("n2");
    assertThat(stored.virtualRouterId()).isEqualTo(52);
    assertThat(stored.master()).isEqualTo("n1");
    assertThat(stored.nodes()).containsExactly(entry("n1", NodeState.Master, 1));

    c.admin().leases().inNamespace(NS).withName(LEADER_LEASE).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> c.admin().leases().inNamespace(NS).withName(LEADER_LEASE).get() == null);
    Lease created = c.operator().resource(lease(LEADER_LEASE, "operator-1")).create();
    created.getSpec().setLeaseTransitions(1);
    assertThat(c.operator().resource(created).update().getSpec().getLeaseTransitions())
        .isEqualTo(1);
  }

  // ---- setup ----

  /**
   * The shared server of {@code version} with deploy/'s namespace, CRD, RBAC and policy, and the
   * clients.
   */
  private static Cluster cluster(String version) {
    Requirements.kubeApi(version);
    return CLUSTERS.computeIfAbsent(version, NodeRestrictionPolicyTest::install);
  }

  private static Cluster install(String version) {
    KubeApi api = KubeApi.shared(version);
    InstalledChart chart = InstalledChart.on(api);
    KubernetesClient admin = api.admin();
    for (String node : List.of("n1", "n2")) {
      admin
          .resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build())
          .serverSideApply();
    }
    return new Cluster(
        admin,
        api.client(chart.agentToken("n1")),
        api.client(chart.operatorToken()),
        api.client(api.token(NS, "virtualip-agent")));
  }

  /**
   * A VirtualIP whose status the operator wrote (with its own token): VRID, master, stepDown, a
   * condition, and the entries of n2, n1 (if {@code withN1}) and n3 in that order, so n1's entry
   * sits between two others.
   */
  private static VirtualIPStatus seed(Cluster c, String name, boolean withN1) {
    c.admin().resource(Fixtures.virtualIp(name)).create();
    VirtualIP vip = c.operator().resources(VirtualIP.class).withName(name).get();
    List<NodeStatus> nodes =
        new ArrayList<>(
            List.of(entry("n2", NodeState.Master, 5), entry("n3", NodeState.Backup, 5)));
    if (withN1) {
      nodes.add(1, entry("n1", NodeState.Backup, 5));
    }
    vip.setStatus(
        new VirtualIPStatus(
            1L,
            51,
            "n2",
            nodes,
            List.of("n3"),
            List.of(
                new ConditionBuilder()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("MasterElected")
                    .withMessage("n2 holds the addresses")
                    .withLastTransitionTime("2024-01-01T00:00:00Z")
                    .build())));
    c.operator().resource(vip).subresource("status").update();
    return status(c, name);
  }

  private static VirtualIPStatus status(Cluster c, String name) {
    return c.admin().resources(VirtualIP.class).withName(name).get().getStatus();
  }

  /**
   * Everything but n1's entry (and that of {@code added}, written since) is as the operator wrote
   * it.
   */
  private static void assertUntouchedBesidesN1(
      VirtualIPStatus before, VirtualIPStatus after, String added) {
    assertThat(after.virtualRouterId()).isEqualTo(before.virtualRouterId());
    assertThat(after.master()).isEqualTo(before.master());
    assertThat(after.stepDown()).isEqualTo(before.stepDown());
    assertThat(after.conditions()).isEqualTo(before.conditions());
    assertThat(after.observedGeneration()).isEqualTo(before.observedGeneration());
    assertThat(after.nodes())
        .filteredOn(n -> !"n1".equals(n.name()) && !added.equals(n.name()))
        .containsExactlyElementsOf(
            before.nodes().stream().filter(n -> !"n1".equals(n.name())).toList());
  }

  private static NodeStatus entry(String node, NodeState state, long sent) {
    return NodeStatus.builder().name(node).state(state).advertsSent(sent).build();
  }

  private static Lease lease(String name, String holder) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(holder)
        .withLeaseDurationSeconds(15)
        .endSpec()
        .build();
  }

  /**
   * Server-side apply of {@code status} as the agent of n1 applies (field manager
   * virtualip-agent-n1, force).
   */
  private static void applyStatus(
      KubernetesClient client, String name, Map<String, Object> status) {
    applyStatus(client, name, "virtualip-agent-n1", status);
  }

  private static void applyStatus(
      KubernetesClient client, String name, String fieldManager, Map<String, Object> status) {
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "virtualip.io/v1",
            "kind",
            "VirtualIP",
            "metadata",
            Map.of("name", name),
            "status",
            status);
    PatchContext context = PatchContext.of(PatchType.SERVER_SIDE_APPLY);
    context.setFieldManager(fieldManager);
    context.setForce(true);
    client
        .resources(VirtualIP.class)
        .withName(name)
        .subresource("status")
        .patch(context, client.getKubernetesSerialization().asJson(body));
  }

  /**
   * What RBAC alone says (a SelfSubjectAccessReview): the refusals in these tests must come from
   * the policy.
   */
  private static boolean rbacAllows(
      KubernetesClient client,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name) {
    SelfSubjectAccessReview review =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb(verb)
            .withGroup(group)
            .withResource(resource)
            .withSubresource(subresource)
            .withNamespace(namespace)
            .withName(name)
            .endResourceAttributes()
            .endSpec()
            .build();
    return client
        .authorization()
        .v1()
        .selfSubjectAccessReview()
        .create(review)
        .getStatus()
        .getAllowed();
  }

  /**
   * Refused with 403 by the policy (when {@code rule} is given: naming the rule and {@code
   * detail}).
   */
  private static void assertRefused(ThrowingCallable write, String rule, String detail) {
    assertThatThrownBy(write)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(
            e -> {
              KubernetesClientException k = (KubernetesClientException) e;
              assertThat(k.getCode()).as(k.getMessage()).isEqualTo(403);
              if (!rule.isEmpty()) {
                assertThat(k.getMessage()).contains(POLICY, rule + ":", detail);
              }
            });
  }
}
