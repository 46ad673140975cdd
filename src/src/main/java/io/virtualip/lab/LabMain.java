package io.virtualip.lab;

import io.virtualip.agent.vrrp.sim.SimulationDemo;
import io.virtualip.lab.bench.FailoverBenchmark;
import io.virtualip.lab.bench.ManyInstancesBenchmark;
import io.virtualip.lab.demo.Artifacts;
import io.virtualip.lab.demo.Demo;
import io.virtualip.lab.kube.ApiServerCommand;
import io.virtualip.lab.scale.ScaleCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar src/target/virtualip-lab.jar <command>}: the project's lab on this machine.
 *
 * <ul>
 *   <li>{@code simulate}: the simulated three-router timeline (no root, no network, milliseconds).
 *   <li>{@code demo}: a real three-node cluster in network namespaces with the operator and agents
 *       (root).
 *   <li>{@code bench}: the failover benchmark of our agent against keepalived (root; see
 *       src/BENCHMARK.md).
 *   <li>{@code many}: one agent with 255 VirtualIPs: CPU, RSS, advert lateness on the wire and
 *       failover with the others running, against keepalived (root; see src/BENCHMARK.md).
 *   <li>{@code api-server}: a real kube-apiserver + etcd on loopback until Ctrl-C (see
 *       src/kube-api-server).
 *   <li>{@code scale}: the operator and many simulated agents on a real API server (see
 *       src/BENCHMARK.md).
 * </ul>
 */
@Command(
    name = "virtualip-lab",
    mixinStandardHelpOptions = true,
    version = "virtualip-lab 0.1.0",
    description = "VirtualIP's lab: simulations and a real cluster on this machine",
    subcommands = {
      LabMain.Simulate.class,
      LabMain.DemoCommand.class,
      FailoverBenchmark.class,
      ManyInstancesBenchmark.class,
      ApiServerCommand.class,
      ScaleCommand.class
    })
public final class LabMain {

  public static void main(String[] args) {
    System.exit(new CommandLine(new LabMain()).execute(args));
  }

  @Command(
      name = "simulate",
      description = "Print the simulated timeline: election, partition, step-down, crash.")
  static final class Simulate implements Callable<Integer> {
    @Override
    public Integer call() {
      SimulationDemo.run(System.out);
      return 0;
    }
  }

  @Command(
      name = "demo",
      description = {
        "Build a three-node cluster in network namespaces (needs root), apply the seed's VirtualIP, kill the",
        "master, make and heal a split brain, and remove everything again (also on Ctrl-C).",
        "Uses agent/target/virtualip-agent.jar and operator/target/quarkus-app/quarkus-run.jar from the",
        "working directory (or -Dvirtualip.agent.jar=... -Dvirtualip.operator.jar=...)."
      })
  static final class DemoCommand implements Callable<Integer> {
    @Option(
        names = "--prometheus",
        description = {
          "Also run the machine's prometheus (e.g. Debian's) scraping the operator and the agents with the",
          "project's alert rules (deploy/monitoring/alerts.yaml), and print the alert it fires in the split brain."
        })
    boolean prometheus;

    @Override
    public Integer call() {
      if (!Lab.isRoot()) {
        System.err.println(
            "demo needs root: it creates network namespaces (try: sudo java -jar ...)");
        return 1;
      }
      Artifacts artifacts;
      try {
        artifacts = Artifacts.locate();
      } catch (LabException e) {
        System.err.println(e.getMessage());
        return 1;
      }
      if (prometheus && !Lab.hasTool("prometheus")) {
        System.err.println(
            "--prometheus needs prometheus on the PATH (Debian: apt-get install prometheus)");
        return 1;
      }
      return Demo.run(artifacts, System.out, prometheus);
    }
  }
}
