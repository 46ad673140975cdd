package io.virtualip.lab.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale lab at a small size (50 VirtualIPs x 10 nodes, a 10 s steady window) as CI's smoke test
 * of issue 14's first target: in a quiet cluster the API sees about one write per node and Lease
 * renewal period, however many VirtualIPs there are (today's design wrote every master's entry
 * every second). The other figures are measured and written, not asserted: they are benchmarks
 * (src/BENCHMARK.md). Needs the real API binaries and the operator's build
 * (operator/target/quarkus-app).
 */
class ScaleSmokeTest {

  @Test
  void aQuietClusterCostsAboutOneWritePerNodeAndRenewal(@TempDir Path out) throws Exception {
    Requirements.kubeApi();
    Map<String, Object> summary =
        new ScaleRun(
                new ScaleRun.Options(50, 10, 5, Duration.ofSeconds(10), Duration.ofSeconds(1), out),
                System.out)
            .run();
    assertThat(summary.get("settled")).as("every VirtualIP got Ready").isEqualTo(true);
    double limit = 10 / (ScaleRun.LEASE_RENEW.toMillis() / 1000.0) + 1;
    assertThat(((Number) summary.get("steadyWritesPerSecond")).doubleValue())
        .as(
            "API writes/s in the steady window, by resource %s",
            summary.get("steadyWritesPerSecondByResource"))
        .isLessThanOrEqualTo(limit);
    assertThat(out.resolve("summary.json")).exists();
    assertThat(Files.size(out.resolve("timeline.png"))).isPositive();
  }
}
