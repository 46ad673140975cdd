package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.virtualip.testkit.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/ stays what the chart renders, and kubectl can read it. */
class DeployManifestsTest {

  private static final Path DEPLOY = Chart.repositoryRoot().resolve("deploy");
  private static Map<String, String> expected;

  @BeforeAll
  static void render() throws IOException {
    if (Boolean.getBoolean("virtualip.deploy.write")) {
      DeployManifests.write(DEPLOY);
    }
    expected = DeployManifests.render();
  }

  @Test
  void deployDirectoryEqualsTheChartRenderedWithDefaults() throws IOException {
    assertThat(manifestFiles())
        .as(
            "YAML files directly under deploy/ (kubectl apply -f deploy/ applies all of them); regenerate with:\n"
                + DeployManifests.REGENERATE)
        .containsExactlyElementsOf(expected.keySet());
    for (Map.Entry<String, String> file : expected.entrySet()) {
      assertThat(Files.readString(DEPLOY.resolve(file.getKey())))
          .as(
              "deploy/%s is out of date with helm/virtualip-operator; regenerate with:%n%s",
              file.getKey(), DeployManifests.REGENERATE)
          .isEqualTo(file.getValue());
    }
  }

  @Test
  void deployCrdIsTheCommittedCrd() throws IOException {
    String committed =
        Files.readString(Chart.repositoryRoot().resolve("crds/virtualips.virtualip.io-v1.yml"));
    assertThat(Files.readString(DEPLOY.resolve("10-crd.yaml"))).endsWith(committed);
  }

  @Test
  void everyObjectIsAKnownKindWithOnlyKnownFields() {
    List<HasMetadata> objects = expectedObjects();

    List<String> unknown =
        objects.stream()
            .flatMap(
                o ->
                    UnknownFields.in(o).stream()
                        .map(path -> o.getKind() + " " + o.getMetadata().getName() + ": " + path))
            .toList();

    assertThat(objects).hasSizeGreaterThan(10);
    assertThat(unknown).as("fields the Kubernetes API does not know").isEmpty();
  }

  /**
   * {@code kubectl apply --dry-run=client} still asks the API server for discovery and OpenAPI, and
   * there is none here, so this uses {@code kubectl annotate --local}: the same file reader and
   * decoder as apply, no server. It proves every file under deploy/ parses as Kubernetes objects
   * and that kubectl sees exactly the objects we rendered (and nothing from deploy/examples/).
   */
  @Test
  void kubectlReadsEveryObjectInDeploy(@TempDir Path temp) throws Exception {
    // kubectl is not packaged in Debian but is on every machine of this kind, CI included: strict
    // there.
    Requirements.tools("kubectl");
    Path kubectl =
        Stream.of("/usr/bin/kubectl", "/usr/local/bin/kubectl")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow();

    ProcessBuilder annotate =
        new ProcessBuilder(
                kubectl.toString(),
                "annotate",
                "--local",
                "-f",
                DEPLOY.toString(),
                "-o",
                "name",
                "virtualip.io/manifest-check=true")
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("kubectl.out").toFile());
    // No kubeconfig: proves nothing here depends on a cluster, and a developer's config cannot
    // interfere.
    annotate.environment().put("KUBECONFIG", "/dev/null");
    Process process = annotate.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl annotate --local did not finish within 60 s");
    }
    String output = Files.readString(temp.resolve("kubectl.out"));
    assertThat(process.exitValue())
        .as("kubectl annotate --local -f deploy/ failed:%n%s", output)
        .isZero();

    List<String> expectedNames =
        expectedObjects().stream().map(DeployManifestsTest::kubectlName).toList();
    assertThat(output.lines().toList()).containsExactlyInAnyOrderElementsOf(expectedNames);
  }

  private static List<HasMetadata> expectedObjects() {
    return expected.values().stream().flatMap(content -> Chart.objects(content).stream()).toList();
  }

  private static String kubectlName(HasMetadata object) {
    String group =
        object.getApiVersion().contains("/")
            ? "." + object.getApiVersion().substring(0, object.getApiVersion().indexOf('/'))
            : "";
    return object.getKind().toLowerCase(Locale.ROOT) + group + "/" + object.getMetadata().getName();
  }

  private static List<String> manifestFiles() throws IOException {
    if (!Files.isDirectory(DEPLOY)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(DEPLOY)) {
      return files
          .filter(Files::isRegularFile)
          .map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))
          .sorted()
          .toList();
    }
  }
}
