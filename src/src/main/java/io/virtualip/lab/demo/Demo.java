package io.virtualip.lab.demo;

import io.fabric8.kubernetes.api.model.Event;
import io.virtualip.api.v1.Conditions;
import io.virtualip.lab.Await;
import io.virtualip.lab.ExecResult;
import io.virtualip.lab.Node;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The README's main command, {@code virtualip-lab.jar demo}: the seed's split brain, reproduced and
 * explained on a three-node cluster built on this machine. Election, failover after the master's
 * agent is killed, split brain from a firewall dropping IP protocol 112 on one node (with the
 * operator's diagnosis), and the heal.
 */
public final class Demo {

  private static final Duration STEP = Duration.ofSeconds(45);

  private final ClusterLab cluster;
  private final PrintStream out;
  private final long start = System.nanoTime();

  private final boolean prometheus;

  private Demo(ClusterLab cluster, PrintStream out, boolean prometheus) {
    this.cluster = cluster;
    this.out = out;
    this.prometheus = prometheus;
  }

  /** Builds the cluster, tells the story, removes everything; returns the process exit code. */
  public static int run(Artifacts artifacts, PrintStream out) {
    return run(artifacts, out, false);
  }

  /**
   * As {@link #run(Artifacts, PrintStream)}; with {@code prometheus}, a real Prometheus scrapes the
   * lab and the demo prints the alert it fires during the split brain, asked of its HTTP API.
   */
  public static int run(Artifacts artifacts, PrintStream out, boolean prometheus) {
    out.println(
        "== VirtualIP lab: three nodes, one Kubernetes API, the operator and one agent per node"
            + (prometheus ? ", Prometheus" : ""));
    out.println("   Kubernetes API: " + ClusterLab.apiKind());
    try (ClusterLab cluster =
        ClusterLab.start(
            artifacts, "viplab-", 3, 0, line -> out.println("   " + line), prometheus)) {
      new Demo(cluster, out, prometheus).story();
      out.println("\n== done; removing the lab (agents, operator, API, namespaces)");
      return 0;
    } catch (RuntimeException e) {
      out.println("\n!! demo failed: " + e.getMessage());
      out.println("   (the lab's logs stay under target/lab/)");
      return 1;
    }
  }

  private void story() {
    String name = SeedVirtualIp.NAME;
    String address = SeedVirtualIp.ADDRESS;

    step(
        "apply the seed's VirtualIP "
            + name
            + " ("
            + address
            + "/24, VRID 51, VRRPv2 with password; "
            + "priorities n1 151, n2 100, n3 90)");
    SeedVirtualIp.apply(cluster);
    String master = awaitSingleMaster(name, address);
    say("elected: " + master + " holds " + address + " and status.master says so");
    table();

    step("kill -9 the agent on the master " + master + " (a crash: no priority-0 advertisement)");
    long killed = System.nanoTime();
    cluster.killAgent(cluster.node(master));
    Await.until(
        "another node to take " + address,
        STEP,
        () -> cluster.holders(address).stream().anyMatch(n -> !n.equals(master)));
    String successor =
        cluster.holders(address).stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
    say(
        successor
            + " took the address after "
            + seconds(killed)
            + " (Master_Down_Interval = 3 x 1 s + skew)");
    Await.until("status.master to name " + successor, STEP, () -> successor.equals(master(name)));
    say("status.master = " + successor + " after " + seconds(killed));
    table();

    step(
        "restart the agent on "
            + master
            + ": with priority 151 and preemption it takes the address back");
    cluster.startAgent(cluster.node(master));
    cluster.awaitAgentReady(cluster.node(master));
    Await.until(
        master + " to be master again",
        STEP,
        () -> master.equals(master(name)) && cluster.holders(address).equals(Set.of(master)));
    table();

    Node backup =
        cluster.kubeNodes().stream()
            .filter(n -> !n.name().equals(master))
            .findFirst()
            .orElseThrow();
    step(
        "drop incoming IP protocol 112 on "
            + backup.name()
            + " (the seed's host firewall): it hears no "
            + "advertisements and makes itself master too");
    long dropped = System.nanoTime();
    cluster.lab().dropVrrp(backup);
    Await.until(
        "SplitBrain=True", STEP, () -> conditionIs(name, Conditions.SPLIT_BRAIN, Conditions.TRUE));
    say(
        "SplitBrain=True after "
            + seconds(dropped)
            + "; nodes holding "
            + address
            + ": "
            + cluster.holders(address));
    table();
    events(name, "SplitBrain");
    describe(name);
    if (prometheus) {
      firingAlerts(name, "VirtualIPSplitBrain");
    }

    step("remove the drop on " + backup.name());
    long healed = System.nanoTime();
    cluster.lab().allowVrrp(backup);
    Await.until(
        "SplitBrain=False",
        STEP,
        () -> conditionIs(name, Conditions.SPLIT_BRAIN, Conditions.FALSE));
    say(
        "SplitBrain=False after "
            + seconds(healed)
            + "; nodes holding "
            + address
            + ": "
            + cluster.holders(address));
    table();
    events(name, "SplitBrainResolved");
    if (prometheus) {
      Await.until(
          "Prometheus to resolve VirtualIPSplitBrain",
          STEP,
          () -> splitBrainAlerts(name).isEmpty());
      say(
          "Prometheus: VirtualIPSplitBrain resolved after "
              + seconds(healed)
              + " (no longer in /api/v1/alerts)");
    }
  }

  private List<LabPrometheus.Alert> splitBrainAlerts(String name) {
    return cluster.prometheus().alerts().stream()
        .filter(
            a -> "VirtualIPSplitBrain".equals(a.name()) && name.equals(a.labels().get("virtualip")))
        .toList();
  }

  /**
   * Waits until Prometheus fires {@code alert} for {@code name} and prints it as {@code
   * /api/v1/alerts} has it.
   */
  private void firingAlerts(String name, String alert) {
    long since = System.nanoTime();
    Await.until(
        "Prometheus to fire " + alert,
        STEP,
        () -> splitBrainAlerts(name).stream().anyMatch(a -> "firing".equals(a.state())));
    out.println();
    out.println(
        "   Prometheus "
            + cluster.prometheus().url()
            + "/api/v1/alerts (firing "
            + seconds(since)
            + " after SplitBrain=True):");
    for (LabPrometheus.Alert a : splitBrainAlerts(name)) {
      out.println(
          "     "
              + a.state()
              + "  "
              + a.name()
              + "{virtualip="
              + a.labels().get("virtualip")
              + ", node="
              + a.labels().get("node")
              + ", severity="
              + a.labels().get("severity")
              + "} since "
              + a.activeAt());
      out.println("       " + a.annotations().get("summary"));
    }
  }

  private String awaitSingleMaster(String name, String address) {
    Await.until(
        "a master in status and on the wire",
        Duration.ofSeconds(60),
        () -> {
          String m = master(name);
          return m != null
              && cluster.holders(address).equals(Set.of(m))
              && conditionIs(name, Conditions.READY, Conditions.TRUE);
        });
    return master(name);
  }

  private String master(String name) {
    return cluster.master(name);
  }

  private boolean conditionIs(String name, String type, String status) {
    return status.equals(cluster.conditionStatus(name, type));
  }

  private void table() {
    out.println();
    out.println(
        cluster.kubectl().isPresent()
            ? "   $ kubectl get vip"
            : "   kubectl get vip (kubectl is not installed: the same table, asked of the API server)");
    VipTable.render(cluster).lines().forEach(line -> out.println("   " + line));
  }

  private void events(String name, String reason) {
    List<Event> matching =
        cluster.events(name).stream().filter(e -> reason.equals(e.getReason())).toList();
    out.println();
    out.println(
        "   event" + (matching.size() == 1 ? "" : "s") + " " + reason + " on " + name + ":");
    matching.forEach(
        e ->
            out.println(
                "     "
                    + Objects.toString(e.getType(), "")
                    + "  "
                    + e.getReason()
                    + "  "
                    + e.getMessage()));
    if (matching.isEmpty()) {
      out.println("     (none)");
    }
  }

  private void describe(String name) {
    if (cluster.kubectl().isEmpty()) {
      return;
    }
    ExecResult described = cluster.kubectl().get().run("describe", "vip", name);
    out.println();
    out.println("   $ kubectl describe vip " + name + "   (Conditions and Events)");
    boolean show = false;
    for (String line : described.stdout().lines().toList()) {
      if (line.strip().startsWith("Conditions:") || line.startsWith("Events:")) {
        show = true;
      } else if (line.strip().startsWith("Master:") || line.strip().startsWith("Nodes:")) {
        show = false;
      }
      if (show) {
        out.println("   " + line);
      }
    }
  }

  private void step(String text) {
    out.println();
    out.printf("== [%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, text);
  }

  private void say(String text) {
    out.println("   " + text);
  }

  private static String seconds(long since) {
    return String.format("%.2f s", (System.nanoTime() - since) / 1e9);
  }
}
