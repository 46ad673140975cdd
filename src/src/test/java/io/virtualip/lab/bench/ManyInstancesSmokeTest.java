package io.virtualip.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code many} benchmark at full width but short (255 VirtualIPs at 100 ms, 5 s windows, no
 * failover trials, no keepalived) as CI's smoke test of issue 14 item 4: it runs, the agents' CPU
 * and RSS are measured, and every VRID's adverts are seen on the wire. The figures themselves are
 * benchmarks (src/BENCHMARK.md), not asserted.
 */
class ManyInstancesSmokeTest {

  @Test
  void twoHundredFiftyFiveVirtualIpsAreMeasuredOnTheWireAndInProc(@TempDir Path out)
      throws Exception {
    Requirements.root("creates network namespaces and runs VRRP routers");
    Requirements.tools("ip", "tcpdump");
    ManyInstancesBenchmark bench = new ManyInstancesBenchmark();
    new CommandLine(bench)
        .parseArgs(
            "--instances",
            "255",
            "--warm-up",
            "2s",
            "--window",
            "5s",
            "--trials",
            "0",
            "--no-keepalived",
            "--out",
            out.toString());

    ManyInstancesBenchmark.Result result = bench.run(new PrintStream(System.out, true));

    ManyInstancesBenchmark.Steady ours = result.ours();
    assertThat(ours.lateness().vridsSeen()).as("VRIDs on the wire").isEqualTo(255);
    assertThat(ours.lateness().byVrid().values())
        .as("each VRID's lateness measured (at least two adverts in the window)")
        .allSatisfy(lateness -> assertThat(lateness).isNotEmpty());
    assertThat(ours.master().cpuPercent()).as("master CPU measured").isPositive();
    assertThat(ours.backup().cpuPercent()).as("backup CPU measured").isPositive();
    assertThat(ours.master().peakRssMib()).as("master RSS measured").isPositive();
    assertThat(result.keepalived()).isNull();
    assertThat(result.failovers()).isNull();
    assertThat(Files.readString(out.resolve("many-summary.csv"))).contains("lateness_p99_ms,ours");
    assertThat(Files.readAllLines(out.resolve("many-lateness.csv"))).hasSize(1 + 255);
  }
}
