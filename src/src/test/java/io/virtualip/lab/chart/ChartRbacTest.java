package io.virtualip.lab.chart;

import static io.virtualip.lab.chart.RbacPermissions.ANY_NAME;
import static io.virtualip.lab.chart.RbacPermissions.CLUSTER;
import static io.virtualip.lab.chart.RbacPermissions.grant;
import static io.virtualip.lab.chart.RbacPermissions.union;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.virtualip.lab.chart.RbacPermissions.Permission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Least privilege: the operator and the agent get exactly the permissions their code uses, as
 * listed in operator/CONTRACT.md ("RBAC") and in the chart's README, nothing more. The expected
 * sets below are that list; change them together. Beyond the contract's first draft: the agent
 * reads Secrets through an informer (list, watch), and both write Events in "default", where Events
 * about cluster-scoped objects go.
 */
class ChartRbacTest {

  private static final String NS = Chart.NAMESPACE;

  /** Both write Events about the cluster-scoped VirtualIPs where client-go would: in "default". */
  private static final String EVENTS_NS = "default";

  private static final String APP = "virtualip.io";
  private static final String CORE = "";
  private static final String COORDINATION = "coordination.k8s.io";

  static final Set<Permission> OPERATOR =
      union(
          grant(CLUSTER, APP, "virtualips", ANY_NAME, "get,list,watch,update,patch"),
          grant(CLUSTER, APP, "virtualips/status", ANY_NAME, "get,update,patch"),
          grant(CLUSTER, APP, "virtualips/finalizers", ANY_NAME, "update"),
          grant(CLUSTER, CORE, "nodes", ANY_NAME, "get,list,watch"),
          grant(NS, "apps", "daemonsets", ANY_NAME, "get,list,watch,create,update,patch,delete"),
          grant(NS, COORDINATION, "leases", ANY_NAME, "get,list,watch,create"),
          grant(NS, COORDINATION, "leases", "virtualip-operator-leader", "update,patch"),
          grant(EVENTS_NS, CORE, "events", ANY_NAME, "create,patch"));

  static final Set<Permission> AGENT =
      union(
          grant(CLUSTER, APP, "virtualips", ANY_NAME, "get,list,watch"),
          grant(CLUSTER, APP, "virtualips/status", ANY_NAME, "get,update,patch"),
          grant(CLUSTER, CORE, "nodes", ANY_NAME, "get,list,watch"),
          grant(CLUSTER, CORE, "pods", ANY_NAME, "list,watch"),
          grant(NS, CORE, "secrets", ANY_NAME, "get,list,watch"),
          grant(NS, COORDINATION, "leases", ANY_NAME, "get,create,update"),
          grant(EVENTS_NS, CORE, "events", ANY_NAME, "create,patch"));

  private final List<HasMetadata> objects = Chart.objects(Chart.render(Map.of()));

  @Test
  void operatorGetsExactlyWhatItUses() {
    assertThat(RbacPermissions.of(objects, NS, "virtualip-operator"))
        .containsExactlyInAnyOrderElementsOf(OPERATOR);
  }

  @Test
  void agentGetsExactlyWhatItUses() {
    assertThat(RbacPermissions.of(objects, NS, "virtualip-agent"))
        .containsExactlyInAnyOrderElementsOf(AGENT);
  }

  @Test
  void anotherReleaseNameRenamesAccountsAndBindingsTogether() {
    List<HasMetadata> other = Chart.objects(Chart.render("edge", Map.of()));

    assertThat(RbacPermissions.of(other, NS, "edge-virtualip-operator"))
        .containsExactlyInAnyOrderElementsOf(OPERATOR);
    assertThat(RbacPermissions.of(other, NS, "edge-virtualip-agent"))
        .containsExactlyInAnyOrderElementsOf(AGENT);
    assertThat(
            Chart.single(other, Deployment.class, "edge-virtualip-operator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv())
        .anySatisfy(
            env -> {
              assertThat(env.getName()).isEqualTo("VIRTUALIP_AGENT_SERVICE_ACCOUNT");
              assertThat(env.getValue()).isEqualTo("edge-virtualip-agent");
            });
  }

  @Test
  void operatorCannotReadSecrets() {
    assertThat(RbacPermissions.of(objects, NS, "virtualip-operator"))
        .noneMatch(p -> p.resource().equals("secrets"));
  }

  @Test
  void leaderElectionPassesTheOperatorSdksStartupCheck() {
    // JOSDK refuses to start leader election unless rules for leases (without resourceNames, or
    // naming the leader Lease) in the Lease's namespace together allow create, update and get.
    assertThat(RbacPermissions.of(objects, NS, "virtualip-operator"))
        .filteredOn(
            p ->
                p.scope().equals(NS)
                    && p.resource().equals("leases")
                    && (p.resourceName().isEmpty()
                        || p.resourceName().equals("virtualip-operator-leader")))
        .extracting(Permission::verb)
        .contains("create", "update", "get");
  }

  /**
   * RBAC cannot tell one node's agent from another's; the chart's admission policy does (its
   * behaviour is tested on a real API server in the agent module's NodeRestrictionPolicyTest). On
   * by default, for the release's agent account.
   */
  @Test
  void agentNodeRestrictionPolicyIsOnByDefaultForTheReleasesAgentAccount() {
    List<HasMetadata> other = Chart.objects(Chart.render("edge", Map.of()));

    ValidatingAdmissionPolicy policy =
        Chart.single(
            other, ValidatingAdmissionPolicy.class, "edge-virtualip-agent-node-restriction");
    assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
    assertThat(policy.getSpec().getMatchConditions())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getExpression())
                    .isEqualTo(
                        "request.userInfo.username == 'system:serviceaccount:"
                            + NS
                            + ":edge-virtualip-agent'"));
    assertThat(policy.getSpec().getValidations())
        .extracting(v -> v.getMessage().substring(0, v.getMessage().indexOf(':')))
        .containsExactly(
            "agent-node-token",
            "agent-own-lease",
            "agent-own-status-entry",
            "agent-own-status-entry");
    ValidatingAdmissionPolicyBinding binding =
        Chart.single(
            other, ValidatingAdmissionPolicyBinding.class, "edge-virtualip-agent-node-restriction");
    assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");

    List<HasMetadata> off =
        Chart.objects(Chart.render(Map.of("agent.nodeRestriction.enabled", "false")));
    assertThat(off).noneMatch(o -> o.getKind().startsWith("ValidatingAdmissionPolicy"));
  }

  @Test
  void noRuleUsesWildcardsOrPrivilegeEscalationVerbs() {
    List<PolicyRule> rules =
        Stream.concat(
                Chart.ofKind(objects, ClusterRole.class).stream()
                    .flatMap(r -> r.getRules().stream()),
                Chart.ofKind(objects, Role.class).stream().flatMap(r -> r.getRules().stream()))
            .toList();

    assertThat(rules)
        .isNotEmpty()
        .allSatisfy(
            rule -> {
              assertThat(rule.getApiGroups()).doesNotContain("*");
              assertThat(rule.getResources()).doesNotContain("*").noneMatch(r -> r.endsWith("/*"));
              assertThat(rule.getVerbs())
                  .doesNotContain("*", "escalate", "bind", "impersonate", "deletecollection");
            });
  }

  @Test
  void eachRoleIsBoundToItsOwnServiceAccount() {
    assertThat(Chart.ofKind(objects, ServiceAccount.class))
        .extracting(sa -> sa.getMetadata().getNamespace() + "/" + sa.getMetadata().getName())
        .containsExactlyInAnyOrder(NS + "/virtualip-operator", NS + "/virtualip-agent");
    assertThat(Chart.ofKind(objects, ClusterRoleBinding.class))
        .extracting(
            b ->
                b.getRoleRef().getKind()
                    + "/"
                    + b.getRoleRef().getName()
                    + " -> "
                    + subjects(b.getSubjects()))
        .containsExactlyInAnyOrder(
            "ClusterRole/virtualip-operator -> [" + NS + "/virtualip-operator]",
            "ClusterRole/virtualip-agent -> [" + NS + "/virtualip-agent]");
    assertThat(Chart.ofKind(objects, RoleBinding.class))
        .extracting(
            b ->
                b.getMetadata().getNamespace()
                    + ": "
                    + b.getRoleRef().getKind()
                    + "/"
                    + b.getRoleRef().getName()
                    + " -> "
                    + subjects(b.getSubjects()))
        .containsExactlyInAnyOrder(
            NS + ": Role/virtualip-operator -> [" + NS + "/virtualip-operator]",
            NS + ": Role/virtualip-agent -> [" + NS + "/virtualip-agent]",
            EVENTS_NS + ": Role/virtualip-operator-events -> [" + NS + "/virtualip-operator]",
            EVENTS_NS + ": Role/virtualip-agent-events -> [" + NS + "/virtualip-agent]");
    assertThat(Chart.ofKind(objects, ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("virtualip-operator", "virtualip-agent");
    assertThat(Chart.ofKind(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder(
            NS + "/virtualip-operator",
            NS + "/virtualip-agent",
            EVENTS_NS + "/virtualip-operator-events",
            EVENTS_NS + "/virtualip-agent-events");
  }

  private static List<String> subjects(List<Subject> subjects) {
    return subjects.stream()
        .map(
            s ->
                s.getKind().equals("ServiceAccount")
                    ? s.getNamespace() + "/" + s.getName()
                    : s.getKind() + ":" + s.getName())
        .toList();
  }
}
