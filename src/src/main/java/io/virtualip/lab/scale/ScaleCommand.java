package io.virtualip.lab.scale;

import io.virtualip.testkit.kube.KubeVersions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scale --virtualips N --nodes M --duration D --out DIR}: the scale lab of issue 14 ({@link
 * ScaleRun}); prints a PASS/MISS line per target and exits 0 once measured (a MISS is a finding,
 * not a failure of the lab).
 */
@Command(
    name = "scale",
    description = {
      "Real kube-apiserver, the real operator and M simulated nodes (the agent's Kubernetes glue over simulated VRRP)",
      "with N VirtualIPs: settle, measure a steady window, kill the busiest master, split two nodes, heal.",
      "Writes DIR/summary.json and DIR/timeline.png. Needs operator/target/quarkus-app (mvn package) and",
      "src/kube-api-server/build.sh."
    })
public final class ScaleCommand implements Callable<Integer> {

  @Option(names = "--virtualips", required = true, description = "VirtualIPs")
  int virtualIps;

  @Option(names = "--nodes", required = true, description = "simulated nodes")
  int nodes;

  @Option(
      names = "--nodes-per-vip",
      description = "nodes each VirtualIP selects (default ${DEFAULT-VALUE})")
  int nodesPerVip = 5;

  @Option(names = "--duration", description = "steady window in seconds (default ${DEFAULT-VALUE})")
  int durationSeconds = 60;

  @Option(
      names = "--interval-ms",
      description = "advertisement interval (default ${DEFAULT-VALUE})")
  int intervalMs = 1000;

  @Option(
      names = "--out",
      required = true,
      description = "directory for summary.json, timeline.png, logs")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (virtualIps < 1 || nodes < 2 || nodes > 500 || nodesPerVip < 2 || durationSeconds < 1) {
      System.err.println(
          "scale: need --virtualips >= 1, 2 <= --nodes <= 500, --nodes-per-vip >= 2, --duration >= 1");
      return 2;
    }
    if (!KubeVersions.built(KubeVersions.NEWEST)) {
      System.err.println("scale: " + KubeVersions.howToBuild(KubeVersions.NEWEST));
      return 2;
    }
    Map<String, Object> summary =
        new ScaleRun(
                new ScaleRun.Options(
                    virtualIps,
                    nodes,
                    Math.min(nodesPerVip, nodes),
                    Duration.ofSeconds(durationSeconds),
                    Duration.ofMillis(intervalMs),
                    out),
                System.out)
            .run();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> targets =
        (Map<String, Map<String, Object>>) summary.get("targets");
    targets.forEach(
        (name, t) ->
            System.out.printf(
                "%s %s: %s (target <= %s)%n",
                Boolean.TRUE.equals(t.get("pass")) ? "PASS" : "MISS",
                name,
                t.get("measured"),
                t.get("limit")));
    System.out.println("summary: " + out.resolve("summary.json").toAbsolutePath());
    return 0;
  }
}
