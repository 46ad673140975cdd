package io.virtualip.lab.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.virtualip.testkit.kube.KubeVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The chart in helm/virtualip-operator, linted and rendered in-process by helm-java (Helm's Go
 * library over JNI), so the tests need no helm binary.
 */
public final class Chart {

  static final String RELEASE = "virtualip";
  static final String NAMESPACE = "virtualip-system";

  /**
   * helm-java assumes Kubernetes 1.20 unless told; render for the oldest version the chart claims.
   */
  static final String KUBE_VERSION = KubeVersions.OLDEST;

  private Chart() {}

  /** The repository root, found from the working directory (Maven runs module tests in src/). */
  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("helm/virtualip-operator"))
          && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no helm/virtualip-operator above " + Path.of("").toAbsolutePath());
  }

  static Path directory() {
    return repositoryRoot().resolve("helm/virtualip-operator");
  }

  static LintResult lintStrict() {
    return new Helm(directory()).lint().strict().call();
  }

  /** helm template with the default values plus {@code --set key=value} for each entry. */
  static String render(Map<String, ?> sets) {
    return render(RELEASE, sets);
  }

  static String render(String release, Map<String, ?> sets) {
    TemplateCommand template = template(release);
    sets.forEach(template::set);
    return template.call();
  }

  /**
   * helm template with a values file (for values --set cannot express, such as unknown keys or
   * lists).
   */
  static String render(Path valuesFile) {
    return template(RELEASE).withValuesFile(valuesFile).call();
  }

  private static TemplateCommand template(String release) {
    return new Helm(directory())
        .template()
        .withName(release)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
  }

  /**
   * Splits helm's multi-document output, dropping empty documents (templates that rendered
   * nothing).
   */
  static List<String> documents(String rendered) {
    List<String> documents = new ArrayList<>();
    for (String document : rendered.split("(?m)^---\\s*$")) {
      boolean hasContent =
          Arrays.stream(document.split("\n"))
              .anyMatch(line -> !line.isBlank() && !line.startsWith("#"));
      if (hasContent) {
        documents.add(document.strip() + "\n");
      }
    }
    return documents;
  }

  /** The rendered documents as typed fabric8 objects (Deployment, ClusterRole, ...). */
  static List<HasMetadata> objects(String rendered) {
    return documents(rendered).stream()
        .map(document -> (HasMetadata) Serialization.unmarshal(document))
        .toList();
  }

  static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> kind, String name) {
    List<T> matches =
        ofKind(objects, kind).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    if (matches.size() != 1) {
      throw new AssertionError(
          "expected one " + kind.getSimpleName() + " " + name + ", found " + matches.size());
    }
    return matches.get(0);
  }
}
