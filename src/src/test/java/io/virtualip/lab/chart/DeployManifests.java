package io.virtualip.lab.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * deploy/ as rendered from the chart with its default values, release {@value Chart#RELEASE} in
 * namespace {@value Chart#NAMESPACE}, for {@code kubectl apply -f deploy/}. kubectl applies a
 * directory's files in name order, hence the numbered names: namespace, CRD, RBAC (with the
 * ServiceAccounts), the agents' admission policy, then the operator. deploy/examples/ is not part
 * of it (kubectl -f without -R does not descend into it).
 */
final class DeployManifests {

  static final String REGENERATE =
      "mvn -B -q -pl src -am test -Dtest=DeployManifestsTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dvirtualip.deploy.write=true";

  private static final Set<String> RBAC_KINDS =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  /**
   * The agents' node restriction, a file of its own: in force before the operator starts any agent.
   */
  private static final Set<String> POLICY_KINDS =
      Set.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");

  private DeployManifests() {}

  /** File name under deploy/ to its content, in the order kubectl applies them. */
  static Map<String, String> render() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("00-namespace.yaml", header() + namespace());
    files.put(
        "10-crd.yaml",
        header() + read(Chart.directory().resolve("crds/virtualips.virtualip.io-v1.yml")));
    List<String> rbac = new ArrayList<>();
    List<String> policy = new ArrayList<>();
    List<String> operator = new ArrayList<>();
    for (String document : Chart.documents(Chart.render(Map.of()))) {
      HasMetadata object = (HasMetadata) Serialization.unmarshal(document);
      (RBAC_KINDS.contains(object.getKind())
              ? rbac
              : POLICY_KINDS.contains(object.getKind()) ? policy : operator)
          .add(document);
    }
    files.put("20-rbac.yaml", header() + String.join("---\n", rbac));
    files.put("25-agent-node-restriction.yaml", header() + String.join("---\n", policy));
    files.put("30-operator.yaml", header() + String.join("---\n", operator));
    return files;
  }

  static void write(Path deployDirectory) throws IOException {
    Files.createDirectories(deployDirectory);
    for (Map.Entry<String, String> file : render().entrySet()) {
      Files.writeString(deployDirectory.resolve(file.getKey()), file.getValue());
    }
    // The alert rules, their promtool tests and the dashboard, for a Prometheus / Grafana without
    // the chart.
    Files.createDirectories(deployDirectory.resolve("monitoring"));
    for (String name : List.of("alerts.yaml", "alerts.test.yaml", "dashboard.json")) {
      Files.copy(
          Chart.directory().resolve("files").resolve(name),
          deployDirectory.resolve("monitoring").resolve(name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Regenerates deploy/ (the same as {@link #REGENERATE}, from an IDE). */
  public static void main(String[] args) throws IOException {
    write(Chart.repositoryRoot().resolve("deploy"));
  }

  private static String header() {
    return "# Generated from helm/virtualip-operator (release "
        + Chart.RELEASE
        + ", namespace "
        + Chart.NAMESPACE
        + ", default values). Do not edit; regenerate with:\n# "
        + REGENERATE
        + "\n---\n";
  }

  /**
   * Helm leaves the release namespace to the installer, so the plain manifests bring their own. The
   * agents need hostNetwork and NET_ADMIN/NET_RAW, which only the "privileged" Pod Security level
   * admits.
   */
  private static String namespace() {
    return """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: %s
          labels:
            app.kubernetes.io/part-of: virtualip
            pod-security.kubernetes.io/enforce: privileged
        """
        .formatted(Chart.NAMESPACE);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
