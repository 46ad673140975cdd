package io.virtualip.lab.scale;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.virtualip.testkit.kube.InstalledChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the chart runs the operator's JVM, read from the rendered Deployment
 * (deploy/30-operator.yaml) so the lab measures what ships: its JVM options (JDK_JAVA_OPTIONS,
 * after the image's JAVA_TOOL_OPTIONS), the environment that sizes native memory
 * (MALLOC_ARENA_MAX), and the container's memory limit, which the JVM in a pod reads from its
 * cgroup and here is told with -XX:MaxRAM (without it the JVM would size its heap from the whole
 * machine).
 *
 * @param javaOptions the java command's options, in the order the JVM in the pod sees them
 * @param environment the environment variables that change the JVM's memory
 */
record OperatorPod(List<String> javaOptions, Map<String, String> environment) {

  /** The image's JAVA_TOOL_OPTIONS (images/operator.Dockerfile) that size the JVM. */
  static final List<String> IMAGE_OPTIONS = List.of("-XX:MaxRAMPercentage=75");

  static final String FILE = "30-operator.yaml";

  static OperatorPod fromChart() {
    Path file = InstalledChart.deployDirectory().resolve(FILE);
    try {
      List<Object> objects = new ArrayList<>();
      for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
        if (document.contains("kind:")) {
          objects.add(Serialization.unmarshal(document, HasMetadata.class));
        }
      }
      return of(objects);
    } catch (IOException e) {
      throw new UncheckedIOException("the chart's rendered " + file, e);
    }
  }

  static OperatorPod of(Object rendered) {
    List<?> objects = rendered instanceof List<?> l ? l : List.of(rendered);
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Deployment in deploy/" + FILE));
    Container operator =
        deployment.getSpec().getTemplate().getSpec().getContainers().stream()
            .filter(c -> "operator".equals(c.getName()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no operator container in " + FILE));
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : operator.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    List<String> options = new ArrayList<>(IMAGE_OPTIONS);
    Quantity limit =
        operator.getResources() == null || operator.getResources().getLimits() == null
            ? null
            : operator.getResources().getLimits().get("memory");
    if (limit != null) {
      options.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(limit).longValue());
    }
    String jdkOptions = env.get("JDK_JAVA_OPTIONS");
    if (jdkOptions != null && !jdkOptions.isBlank()) {
      options.addAll(List.of(jdkOptions.trim().split("\\s+")));
    }
    Map<String, String> memoryEnv = new LinkedHashMap<>();
    if (env.containsKey("MALLOC_ARENA_MAX")) {
      memoryEnv.put("MALLOC_ARENA_MAX", env.get("MALLOC_ARENA_MAX"));
    }
    return new OperatorPod(List.copyOf(options), Map.copyOf(memoryEnv));
  }
}
