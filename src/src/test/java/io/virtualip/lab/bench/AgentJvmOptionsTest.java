package io.virtualip.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.lab.chart.Chart;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The benchmark measures the agent as the image runs it, so its figures hold for the product. */
class AgentJvmOptionsTest {

  private static final Pattern TOOL_OPTIONS =
      Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"");

  @Test
  void benchmarkRunsTheAgentWithTheImagesJvmOptionsUnderTheChartsMemoryLimit() throws IOException {
    Matcher m =
        TOOL_OPTIONS.matcher(
            Files.readString(Chart.repositoryRoot().resolve("images/agent.Dockerfile")));
    assertThat(m.find()).as("JAVA_TOOL_OPTIONS in images/agent.Dockerfile").isTrue();
    List<String> image =
        Arrays.stream(m.group(1).split("\\s+"))
            .filter(
                option ->
                    !option.startsWith("-Djava.io.tmpdir=")) // the pod's emptyDir, not a JVM tuning
            .toList();

    List<String> bench = List.of(FailoverBenchmark.AGENT_JVM_OPTIONS.split("\\s+"));

    // MaxRAM stands in for the container's cgroup limit, which is the chart's agent memory limit.
    assertThat(bench).first().isEqualTo("-XX:MaxRAM=128m");
    assertThat(bench.subList(1, bench.size())).containsExactlyElementsOf(image);
    assertThat(
            Files.readString(Chart.repositoryRoot().resolve("helm/virtualip-operator/values.yaml")))
        .contains("limits:\n      cpu: 500m\n      memory: 128Mi");
  }
}
