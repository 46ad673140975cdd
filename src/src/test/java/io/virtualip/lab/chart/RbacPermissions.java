package io.virtualip.lab.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a ServiceAccount may do according to rendered RBAC objects, flattened to one {@link
 * Permission} per (scope, group, resource, name, verb), so that how the rules are grouped does not
 * matter, only what they grant.
 */
final class RbacPermissions {

  /** Scope of a permission granted through a ClusterRoleBinding. */
  static final String CLUSTER = "*cluster*";

  /** Resource name of a rule without resourceNames: every object. */
  static final String ANY_NAME = "";

  /**
   * One allowed request: verb on apiGroup/resource (optionally one named object) in a namespace or
   * cluster-wide.
   */
  record Permission(
      String scope, String apiGroup, String resource, String resourceName, String verb) {
    @Override
    public String toString() {
      String object = apiGroup.isEmpty() ? resource : resource + "." + apiGroup;
      return verb
          + " "
          + object
          + (resourceName.isEmpty() ? "" : "/" + resourceName)
          + " in "
          + scope;
    }
  }

  private RbacPermissions() {}

  /** Permissions of ServiceAccount namespace/name from the bindings among objects. */
  static Set<Permission> of(List<HasMetadata> objects, String namespace, String serviceAccount) {
    Set<Permission> granted = new HashSet<>();
    for (ClusterRoleBinding binding : Chart.ofKind(objects, ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), namespace, serviceAccount)) {
        granted.addAll(expand(CLUSTER, rules(objects, binding.getRoleRef(), null)));
      }
    }
    for (RoleBinding binding : Chart.ofKind(objects, RoleBinding.class)) {
      if (binds(binding.getSubjects(), namespace, serviceAccount)) {
        String scope = binding.getMetadata().getNamespace();
        granted.addAll(expand(scope, rules(objects, binding.getRoleRef(), scope)));
      }
    }
    return granted;
  }

  /** Expected permissions: each verb of a comma-separated list on one resource. */
  static Set<Permission> grant(
      String scope, String apiGroup, String resource, String resourceName, String verbs) {
    Set<Permission> permissions = new HashSet<>();
    for (String verb : verbs.split(",")) {
      permissions.add(new Permission(scope, apiGroup, resource, resourceName, verb.strip()));
    }
    return permissions;
  }

  @SafeVarargs
  static Set<Permission> union(Set<Permission>... sets) {
    Set<Permission> union = new HashSet<>();
    Arrays.stream(sets).forEach(union::addAll);
    return union;
  }

  private static boolean binds(List<Subject> subjects, String namespace, String serviceAccount) {
    return subjects.stream()
        .anyMatch(
            s ->
                "ServiceAccount".equals(s.getKind())
                    && serviceAccount.equals(s.getName())
                    && namespace.equals(s.getNamespace()));
  }

  /**
   * The rules a binding refers to; a missing role is an error, since the binding would grant
   * nothing.
   */
  private static List<PolicyRule> rules(
      List<HasMetadata> objects, RoleRef ref, String roleNamespace) {
    if ("ClusterRole".equals(ref.getKind())) {
      return Chart.single(objects, ClusterRole.class, ref.getName()).getRules();
    }
    Role role = Chart.single(objects, Role.class, ref.getName());
    if (!roleNamespace.equals(role.getMetadata().getNamespace())) {
      throw new AssertionError(
          "RoleBinding in "
              + roleNamespace
              + " refers to Role "
              + ref.getName()
              + " in "
              + role.getMetadata().getNamespace());
    }
    return role.getRules();
  }

  private static Set<Permission> expand(String scope, List<PolicyRule> rules) {
    Set<Permission> permissions = new HashSet<>();
    for (PolicyRule rule : rules) {
      if (!rule.getNonResourceURLs().isEmpty()) {
        throw new AssertionError("unexpected nonResourceURLs rule: " + rule);
      }
      List<String> names =
          rule.getResourceNames().isEmpty() ? List.of(ANY_NAME) : rule.getResourceNames();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            for (String verb : rule.getVerbs()) {
              permissions.add(new Permission(scope, group, resource, name, verb));
            }
          }
        }
      }
    }
    return permissions;
  }
}
