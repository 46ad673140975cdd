package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A resource type as discovery announces it and as {@code kubectl get} tabulates it.
 *
 * @param group API group, empty for the core group
 * @param version the one served version
 * @param plural resource name in URLs
 * @param singular singular name ({@code kubectl get virtualip})
 * @param kind object kind
 * @param namespaced whether objects live in namespaces
 * @param shortNames short names ({@code vip})
 * @param statusSubresource whether {@code <plural>/status} is a subresource
 * @param columns table columns after NAME: the CRD's printer columns, or AGE for built-in types
 */
record ApiResource(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    boolean statusSubresource,
    List<PrinterColumn> columns) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final PrinterColumn AGE =
      new PrinterColumn("Age", "date", ".metadata.creationTimestamp");

  /**
   * The types the lab's programs and kubectl use; each with NAME and AGE columns, as a real
   * server's default.
   */
  static final List<ApiResource> BUILT_IN =
      List.of(
          builtIn("", "namespaces", "Namespace", false, "ns"),
          builtIn("", "nodes", "Node", false, "no"),
          builtIn("", "pods", "Pod", true, "po"),
          builtIn("", "services", "Service", true, "svc"),
          builtIn("", "endpoints", "Endpoints", true, "ep"),
          builtIn("", "events", "Event", true, "ev"),
          builtIn("", "secrets", "Secret", true),
          builtIn("", "configmaps", "ConfigMap", true, "cm"),
          builtIn("", "serviceaccounts", "ServiceAccount", true, "sa"),
          builtIn("apps", "daemonsets", "DaemonSet", true, "ds"),
          builtIn("apps", "deployments", "Deployment", true, "deploy"),
          builtIn("coordination.k8s.io", "leases", "Lease", true),
          builtIn(
              "apiextensions.k8s.io",
              "customresourcedefinitions",
              "CustomResourceDefinition",
              false,
              "crd",
              "crds"),
          builtIn("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false),
          builtIn("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false),
          builtIn("rbac.authorization.k8s.io", "roles", "Role", true),
          builtIn("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true));

  private static ApiResource builtIn(
      String group, String plural, String kind, boolean namespaced, String... shortNames) {
    return new ApiResource(
        group,
        "v1",
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        kind,
        namespaced,
        List.of(shortNames),
        false,
        List.of(AGE));
  }

  /**
   * The served versions of a stored CustomResourceDefinition, with their printer columns (AGE when
   * none).
   */
  static List<ApiResource> fromCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
    List<ApiResource> served = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      List<PrinterColumn> columns = new ArrayList<>();
      for (JsonNode c : version.path("additionalPrinterColumns")) {
        columns.add(
            new PrinterColumn(
                c.path("name").asText(),
                c.path("type").asText("string"),
                c.path("jsonPath").asText()));
      }
      served.add(
          new ApiResource(
              spec.path("group").asText(),
              version.path("name").asText(),
              names.path("plural").asText(),
              names.path("singular").asText(),
              names.path("kind").asText(),
              "Namespaced".equals(spec.path("scope").asText()),
              List.copyOf(shortNames),
              version.path("subresources").has("status"),
              columns.isEmpty() ? List.of(AGE) : List.copyOf(columns)));
    }
    return served;
  }

  /** {@code group/version}, or just {@code version} for the core group. */
  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
