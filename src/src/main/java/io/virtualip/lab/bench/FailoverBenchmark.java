package io.virtualip.lab.bench;

import static io.virtualip.lab.VrrpRouter.Implementation.KEEPALIVED;
import static io.virtualip.lab.VrrpRouter.Implementation.OURS;

import io.virtualip.lab.AgentProcess;
import io.virtualip.lab.Await;
import io.virtualip.lab.BackgroundProcess;
import io.virtualip.lab.BuildArtifact;
import io.virtualip.lab.KeepalivedConfig;
import io.virtualip.lab.KeepalivedProcess;
import io.virtualip.lab.Lab;
import io.virtualip.lab.Node;
import io.virtualip.lab.VirtualRouter;
import io.virtualip.lab.VrrpRouter;
import io.virtualip.lab.VrrpRouter.Implementation;
import io.virtualip.lab.VrrpRouter.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Our agent and keepalived side by side on one lab (n1 master at priority 200, n2 backup at 100, n3
 * measures): failover time after SIGKILL and after SIGTERM of the master, measured from n3 as the
 * moment the backup's MAC first answers ARP for the VIP ({@link ArpProber}, one request every 250
 * µs); RSS and CPU with ten idle instances; optionally a soak at 10 ms intervals counting
 * transitions. Targets are checked and printed as PASS or MISS, never asserted: a benchmark
 * informs, the tests decide.
 *
 * <p>Writes {@code failover.csv} (every trial), {@code summary.csv}, {@code failover.png} and
 * {@code report.txt} under {@code --out}. Needs root, keepalived and the agent jar.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Failover benchmark of our agent against keepalived on a network-namespace lab (needs root).")
public final class FailoverBenchmark implements Callable<Integer> {

  static final int HIGH = 200;
  static final int LOW = 100;
  private static final String PREFIX = "vipio-";
  private static final String VIP = "192.0.2.200";
  private static final int VRID = 60;
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final int MAX_ATTEMPTS = 5;
  private static final Duration MASTER_MIN_AGE = Duration.ofSeconds(3);

  /**
   * What the agent image runs with (images/agent.Dockerfile) under the chart's 128Mi memory limit.
   */
  static final String AGENT_JVM_OPTIONS =
      "-XX:MaxRAM=128m -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData";

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  enum Kind {
    HARD_KILL,
    GRACEFUL
  }

  /**
   * One failover, ending with the first ARP reply from the backup's MAC.
   *
   * @param millis from the signal (SIGKILL or SIGTERM) to that reply: what a client sees
   * @param wireMillis from what the backup reacts to, as seen on the wire: the dead master's last
   *     advert (hard kill; Master_Down_Interval runs from there) or its priority-0 advert
   *     (graceful; Skew_Time runs from there). Signals land half an Advertisement_Interval after an
   *     advert, so for a hard kill {@code millis} is about half an interval shorter than {@code
   *     wireMillis}.
   */
  record Trial(
      Implementation implementation,
      Duration interval,
      Kind kind,
      int number,
      double millis,
      double wireMillis) {}

  @Option(
      names = "--trials",
      defaultValue = "20",
      description =
          "failovers of each kind per implementation and interval (default: ${DEFAULT-VALUE})")
  int trials;

  @Option(
      names = "--intervals",
      split = ",",
      defaultValue = "1s,100ms,10ms",
      description = "VRRPv3 advertisement intervals (default: ${DEFAULT-VALUE})")
  List<String> intervals;

  @Option(
      names = "--resources",
      defaultValue = "60s",
      description =
          "how long to sample RSS and CPU of --instances idle instances; 0s skips (default: ${DEFAULT-VALUE})")
  String resources;

  @Option(
      names = "--instances",
      defaultValue = "10",
      description = "instances for the RSS/CPU measurement (default: ${DEFAULT-VALUE})")
  int instances;

  @Option(
      names = "--soak",
      defaultValue = "0s",
      description =
          "run both implementations this long at 10 ms and count transitions, e.g. 10m; 0s skips (default)")
  String soak;

  @Option(
      names = "--out",
      defaultValue = "target/bench",
      description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--agent-jvm-options",
      defaultValue = AGENT_JVM_OPTIONS,
      description = "JVM options for our agent, space separated (default: ${DEFAULT-VALUE})")
  String agentJvmOptions;

  private final List<String> report = new ArrayList<>();

  /**
   * Trials discarded because the backup took over before the signal, per implementation and
   * interval.
   */
  private final Map<String, Integer> spurious = new LinkedHashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new FailoverBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    if (!Lab.isRoot()) {
      System.err.println("bench needs root: it creates network namespaces and runs VRRP routers");
      return 1;
    }
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(out);
    line("# Failover benchmark, " + Instant.now() + ", agent jar " + BuildArtifact.agentJar());
    line("# agent JVM options: " + agentJvmOptions + "; keepalived: " + keepalivedVersion());
    List<Trial> results = new ArrayList<>();
    try (Lab lab = Lab.create(PREFIX, 3)) {
      if (trials > 0) {
        try (ArpProber prober = ArpProber.start(lab.node(3), VIP)) {
          for (String text : intervals) {
            Duration interval = duration(text);
            for (Implementation implementation : List.of(OURS, KEEPALIVED)) {
              results.addAll(failovers(lab, prober, implementation, interval));
            }
          }
        }
        reportFailovers(results);
      }
      if (!duration(resources).isZero()) {
        measureResources(lab, duration(resources));
      }
      if (!duration(soak).isZero()) {
        soak(lab, duration(soak));
      }
    }
    Files.write(out.resolve("report.txt"), report);
    System.out.println(
        "wrote " + out.toAbsolutePath() + "/{failover.csv,summary.csv,failover.png,report.txt}");
    return 0;
  }

  // ---- failover
  // ----------------------------------------------------------------------------------------------

  private List<Trial> failovers(
      Lab lab, ArpProber prober, Implementation implementation, Duration interval) {
    VirtualRouter router = VirtualRouter.multicast(3, VRID, interval, VIP + "/24");
    List<VrrpRouter> started = new ArrayList<>();
    try {
      VrrpRouter backup = start(lab, implementation, lab.node(2), router, LOW, started);
      return failovers(lab, prober, implementation, router, backup, started);
    } finally {
      started.forEach(VrrpRouter::close);
      lab.nodes().forEach(node -> router.removeVips(lab, node));
    }
  }

  /**
   * {@link #trials} failovers of each kind of {@code router} from a master started on n1 at {@link
   * #HIGH} for each trial to {@code backup}, already running on n2 at {@link #LOW} (alone, or
   * beside other routers: {@link ManyInstancesBenchmark}). Every process started is added to {@code
   * started}, for the caller to close.
   */
  List<Trial> failovers(
      Lab lab,
      ArpProber prober,
      Implementation implementation,
      VirtualRouter router,
      VrrpRouter backup,
      List<VrrpRouter> started) {
    Duration interval = router.advertInterval();
    List<Trial> trials = new ArrayList<>();
    for (int i = 1; i <= this.trials; i++) {
      for (Kind kind : Kind.values()) {
        Trial trial = null;
        for (int attempt = 0; trial == null && attempt < MAX_ATTEMPTS; attempt++) {
          trial = failover(lab, prober, implementation, router, backup, kind, i, started);
        }
        if (trial == null) {
          throw new IllegalStateException(
              MAX_ATTEMPTS
                  + " attempts of "
                  + implementation
                  + " "
                  + text(interval)
                  + " "
                  + kind
                  + " failed: the backup keeps taking over on its own");
        }
        trials.add(trial);
      }
      Trial hard = trials.get(trials.size() - 2);
      Trial graceful = trials.get(trials.size() - 1);
      System.out.printf(
          Locale.ROOT,
          "%s %s trial %d/%d: hard-kill %.1f ms (%.1f from last advert), "
              + "graceful %.1f ms (%.1f from priority 0)%n",
          implementation,
          text(interval),
          i,
          this.trials,
          hard.millis(),
          hard.wireMillis(),
          graceful.millis(),
          graceful.wireMillis());
    }
    return trials;
  }

  /** One failover of {@code kind}, or null if the backup took over on its own before the signal. */
  private Trial failover(
      Lab lab,
      ArpProber prober,
      Implementation implementation,
      VirtualRouter router,
      VrrpRouter backup,
      Kind kind,
      int number,
      List<VrrpRouter> started) {
    Node n1 = lab.node(1);
    Node n2 = lab.node(2);
    long masterStarted = System.nanoTime();
    VrrpRouter master = start(lab, implementation, n1, router, HIGH, started);
    awaitSteady(prober, master, backup, router);
    // A JVM compiles its code in its first seconds; here that competes for this 2-core lab's CPUs
    // with the backup and the prober, which a master on a machine of its own would not. Failovers
    // happen to masters that have run for a while, so every master (either implementation) gets
    // MASTER_MIN_AGE before the signal.
    Duration untilOldEnough = MASTER_MIN_AGE.minusNanos(System.nanoTime() - masterStarted);
    if (!untilOldEnough.isNegative()) {
      Await.sleep(untilOldEnough);
    }
    boolean aligned = halfAnIntervalAfterAnAdvert(prober, n1.ipv4Text(), router);
    if (!aligned || prober.repliedSinceMark(n2.mac())) {
      // A missed advert on a loaded machine, not a failover we caused: count it and measure again.
      spurious.merge(implementation + " " + text(router.advertInterval()), 1, Integer::sum);
      master.close();
      backup.awaitRole(Role.BACKUP, STARTUP);
      return null;
    }
    long signalled = System.nanoTime();
    prober.mark(signalled);
    if (kind == Kind.HARD_KILL) {
      crash(master);
    } else {
      master.stop(); // Process.destroy(): kill(2) with SIGTERM, then waits for the exit
    }
    Duration timeout = router.masterDownInterval(LOW).multipliedBy(3).plus(Duration.ofSeconds(5));
    long answered = prober.awaitReply(n2.mac(), timeout);
    long wireEvent =
        kind == Kind.HARD_KILL
            ? prober.lastAdvert(n1.ipv4Text(), router.vrid())
            : prober.priorityZeroAfterMark(n1.ipv4Text(), router.vrid());
    router.removeVips(lab, n1); // a killed router leaves them; a crashed node would take them along
    return new Trial(
        implementation,
        router.advertInterval(),
        kind,
        number,
        (answered - signalled) / 1e6,
        wireEvent < 0 ? Double.NaN : (answered - wireEvent) / 1e6);
  }

  /**
   * Waits for the master's next advert (as n3 sees it), then half an Advertisement_Interval, so
   * that every signal, of either implementation, lands at the same phase of the advert cycle.
   * Without this the phase came from when the 100 ms polling of {@link #awaitSteady} noticed the
   * new master, which differs per implementation (keepalived starts in a steady time, a JVM does
   * not) and shifted the figures measured from SIGKILL by up to an interval.
   *
   * @return false if the master sent no advert within three intervals (a loaded machine: the trial
   *     is repeated)
   */
  private static boolean halfAnIntervalAfterAnAdvert(
      ArpProber prober, String master, VirtualRouter router) {
    Duration interval = router.advertInterval();
    long previous = prober.lastAdvert(master, router.vrid());
    long deadline = System.nanoTime() + interval.multipliedBy(3).toNanos();
    long advert;
    while ((advert = prober.lastAdvert(master, router.vrid())) == previous) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(50_000);
    }
    long signalAt = advert + interval.toNanos() / 2;
    for (long left = signalAt - System.nanoTime(); left > 0; left = signalAt - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
    return true;
  }

  /**
   * SIGKILL for the router and its children by direct kill(2) calls, right after the caller read
   * the clock: every process is stopped first, so keepalived's VRRP child cannot see its parent die
   * and shut down gracefully.
   */
  private static void crash(VrrpRouter router) {
    List<Long> pids =
        Stream.concat(
                Stream.of(router.pid()),
                ProcessHandle.of(router.pid()).stream()
                    .flatMap(ProcessHandle::descendants)
                    .map(ProcessHandle::pid))
            .toList();
    pids.forEach(pid -> BenchLibC.INSTANCE.kill(pid.intValue(), BenchLibC.SIGSTOP));
    pids.forEach(pid -> BenchLibC.INSTANCE.kill(pid.intValue(), BenchLibC.SIGKILL));
    router.kill(); // reaps the process we started
    Await.until(
        "processes " + pids + " to exit",
        Duration.ofSeconds(10),
        () ->
            pids.stream()
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  private VrrpRouter start(
      Lab lab,
      Implementation implementation,
      Node node,
      VirtualRouter router,
      int priority,
      List<VrrpRouter> started) {
    VrrpRouter process =
        implementation == OURS
            ? AgentProcess.start(
                lab,
                node,
                List.of(router),
                router.virtualIp(node.name(), priority, List.of()),
                jvmOptions())
            : KeepalivedProcess.start(lab, node, router.keepalived(priority, List.of()));
    started.add(process);
    return process;
  }

  /**
   * n1 master answering ARP, n2 backup without the VIP, and a few adverts since, so n2's timer is
   * fresh.
   */
  private static void awaitSteady(
      ArpProber prober, VrrpRouter master, VrrpRouter backup, VirtualRouter router) {
    master.awaitRole(Role.MASTER, STARTUP);
    master.awaitVips(true, STARTUP);
    backup.awaitRole(Role.BACKUP, STARTUP);
    backup.awaitVips(false, STARTUP);
    prober.mark(System.nanoTime());
    prober.awaitReply(master.node().mac(), Duration.ofSeconds(5));
    Await.sleep(router.advertInterval().multipliedBy(3));
  }

  private void reportFailovers(List<Trial> results) throws IOException {
    Files.write(out.resolve("failover.csv"), csv(results));
    List<String> summary =
        new ArrayList<>(
            List.of(
                "kind,interval_ms,measured_from,implementation,trials,p50_ms,"
                    + "p95_ms,min_ms,max_ms,expected_ms,ratio_p50_ours_to_keepalived"));
    Map<String, Map<Implementation, List<Double>>> cells = new LinkedHashMap<>();
    line("");
    line(
        "## Failover: ms until the backup's first ARP reply for the VIP, measured from n3 (ARP request every 0.25 ms)");
    line(
        String.format(
            Locale.ROOT,
            "%-9s %-8s %-22s %-20s %-20s %-6s %s",
            "kind",
            "interval",
            "measured from",
            "ours p50 / p95",
            "keepalived p50/p95",
            "ratio",
            "targets"));
    for (Kind kind : Kind.values()) {
      for (String text : intervals) {
        Duration interval = duration(text);
        VirtualRouter router = VirtualRouter.multicast(3, VRID, interval, VIP + "/24");
        double expected =
            millis(kind == Kind.HARD_KILL ? router.masterDownInterval(LOW) : router.skewTime(LOW));
        for (boolean fromWire : List.of(false, true)) {
          Map<Implementation, List<Double>> cell = new LinkedHashMap<>();
          for (Implementation implementation : List.of(OURS, KEEPALIVED)) {
            cell.put(
                implementation,
                results.stream()
                    .filter(
                        t ->
                            t.kind() == kind
                                && t.interval().equals(interval)
                                && t.implementation() == implementation)
                    .map(t -> fromWire ? t.wireMillis() : t.millis())
                    .filter(v -> !v.isNaN())
                    .toList());
          }
          if (cell.values().stream().anyMatch(List::isEmpty)) {
            continue;
          }
          String from =
              kind == Kind.HARD_KILL
                  ? (fromWire ? "master's last advert" : "SIGKILL")
                  : (fromWire ? "priority-0 advert" : "SIGTERM");
          Summary ours = Summary.of(cell.get(OURS));
          Summary keepalived = Summary.of(cell.get(KEEPALIVED));
          double ratio = ours.p50() / keepalived.p50();
          String targets;
          if (kind == Kind.GRACEFUL) {
            targets =
                String.format(
                    Locale.ROOT,
                    "p50 <= Skew_Time %.1f + 5 ms: %s",
                    expected,
                    verdict(ours.p50() <= expected + 5));
          } else if (fromWire) {
            targets =
                String.format(
                    Locale.ROOT,
                    "p50 within 10%% of Master_Down_Interval %.1f ms: %s",
                    expected,
                    verdict(Math.abs(ours.p50() - expected) <= 0.1 * expected));
          } else {
            cells.put("hard-kill " + text, cell);
            targets = "ratio <= 1.0: " + verdict(ratio <= 1.0);
          }
          if (kind == Kind.GRACEFUL && !fromWire) {
            cells.put("graceful " + text, cell);
          }
          line(
              String.format(
                  Locale.ROOT,
                  "%-9s %-8s %-22s %-20s %-20s %-6.3f %s",
                  kind.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                  text,
                  from,
                  pair(ours),
                  pair(keepalived),
                  ratio,
                  targets));
          for (Implementation implementation : cell.keySet()) {
            Summary s = implementation == OURS ? ours : keepalived;
            summary.add(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%s,%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f",
                    kind,
                    interval.toMillis(),
                    from,
                    implementation.name(),
                    s.count(),
                    s.p50(),
                    s.p95(),
                    s.min(),
                    s.max(),
                    expected,
                    ratio));
          }
        }
      }
    }
    line(
        "trials repeated because the backup took over before the signal: "
            + (spurious.isEmpty() ? "none" : spurious));
    Files.write(out.resolve("summary.csv"), summary);
    FailoverChart.write(out.resolve("failover.png"), cells);
  }

  private static List<String> csv(List<Trial> results) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "implementation,interval_ms,kind,trial,millis_from_signal,"
                    + "millis_from_wire_event"));
    results.forEach(
        t ->
            lines.add(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%s,%d,%.3f,%.3f",
                    t.implementation().name(),
                    t.interval().toMillis(),
                    t.kind(),
                    t.number(),
                    t.millis(),
                    t.wireMillis())));
    return lines;
  }

  // ---- resources
  // ---------------------------------------------------------------------------------------------

  /**
   * Ten (or --instances) masters at 1 s, alone on n1: steady-state RSS and CPU of each
   * implementation.
   */
  private void measureResources(Lab lab, Duration window) {
    Node n1 = lab.node(1);
    List<VirtualRouter> routers =
        IntStream.range(0, instances)
            .mapToObj(
                i ->
                    VirtualRouter.multicast(
                        3, 70 + i, Duration.ofSeconds(1), "192.0.2." + (150 + i) + "/24"))
            .toList();
    line("");
    line(
        "## Resources: "
            + instances
            + " VRRPv3 instances at 1 s, all MASTER, sampled over "
            + text(window)
            + " after 10 s of warm-up (process and its children, /proc)");
    String yaml =
        routers.stream()
            .map(router -> router.virtualIp(n1.name(), HIGH, List.of()))
            .collect(Collectors.joining("---\n"));
    try (AgentProcess agent = AgentProcess.start(lab, n1, routers, yaml, jvmOptions())) {
      Await.until(
          instances + " instances of our agent MASTER",
          STARTUP,
          () ->
              routers.stream()
                  .allMatch(router -> agent.role(router.resourceName()) == Role.MASTER));
      sample("ours", agent.pid(), window);
    }
    try (BackgroundProcess keepalived =
        KeepalivedProcess.launch(
            lab,
            n1,
            "keepalived-resources",
            KeepalivedConfig.render(
                routers.stream().map(router -> router.keepalived(HIGH, List.of())).toList()))) {
      Await.until(
          instances + " keepalived instances MASTER",
          STARTUP,
          () ->
              Pattern.compile("Entering MASTER STATE")
                      .matcher(keepalived.output())
                      .results()
                      .count()
                  >= instances);
      sample("keepalived", keepalived.pid(), window);
    }
    routers.forEach(router -> router.removeVips(lab, n1));
  }

  private void sample(String who, long pid, Duration window) {
    Await.sleep(Duration.ofSeconds(10));
    ProcessUsage before = ProcessUsage.of(pid);
    long start = System.nanoTime();
    long peakKib = before.rssKib();
    long deadline = start + window.toNanos();
    while (System.nanoTime() < deadline) {
      Await.sleep(Duration.ofSeconds(1));
      peakKib = Math.max(peakKib, ProcessUsage.of(pid).rssKib());
    }
    ProcessUsage after = ProcessUsage.of(pid);
    double cpu = after.cpuPercentSince(before, (System.nanoTime() - start) / 1e9);
    String targets =
        who.equals("ours")
            ? String.format(
                Locale.ROOT,
                "  RSS <= 96 MiB: %s; CPU < 1%% of a core: %s",
                verdict(peakKib / 1024.0 <= 96),
                verdict(cpu < 1))
            : "";
    line(
        String.format(
            Locale.ROOT,
            "%-11s RSS %.1f MiB (peak %.1f MiB), CPU %.3f%% of a core%s",
            who,
            after.rssMib(),
            peakKib / 1024.0,
            cpu,
            targets));
  }

  // ---- soak
  // --------------------------------------------------------------------------------------------------

  /**
   * Both implementations, each as a master/backup pair at 10 ms on its own VRID, at the same time.
   */
  private void soak(Lab lab, Duration length) {
    Node n1 = lab.node(1);
    Node n2 = lab.node(2);
    Duration tenMillis = Duration.ofMillis(10);
    VirtualRouter ours = VirtualRouter.multicast(3, 61, tenMillis, "192.0.2.201/24");
    VirtualRouter theirs = VirtualRouter.multicast(3, 62, tenMillis, "192.0.2.202/24");
    List<VrrpRouter> started = new ArrayList<>();
    try {
      VrrpRouter oursMaster = start(lab, OURS, n1, ours, HIGH, started);
      VrrpRouter keepalivedMaster = start(lab, KEEPALIVED, n1, theirs, HIGH, started);
      oursMaster.awaitRole(Role.MASTER, STARTUP);
      keepalivedMaster.awaitRole(Role.MASTER, STARTUP);
      VrrpRouter oursBackup = start(lab, OURS, n2, ours, LOW, started);
      VrrpRouter keepalivedBackup = start(lab, KEEPALIVED, n2, theirs, LOW, started);
      oursBackup.awaitRole(Role.BACKUP, STARTUP);
      keepalivedBackup.awaitRole(Role.BACKUP, STARTUP);
      Await.sleep(Duration.ofSeconds(5)); // past start-up: the backups have heard their masters
      List<VrrpRouter> pairs = List.of(oursMaster, oursBackup, keepalivedMaster, keepalivedBackup);
      List<Integer> before = pairs.stream().map(VrrpRouter::transitions).toList();
      List<Role> roles = pairs.stream().map(VrrpRouter::role).toList();
      System.out.println("soak for " + text(length) + " ...");
      Await.sleep(length);
      line("");
      line(
          "## Soak: "
              + text(length)
              + " at 10 ms (VRRPv3), each implementation as master n1 / backup n2");
      int oursSpurious = 0;
      for (int i = 0; i < pairs.size(); i++) {
        VrrpRouter router = pairs.get(i);
        int spurious = router.transitions() - before.get(i);
        if (router.implementation() == OURS) {
          oursSpurious += spurious;
        }
        line(
            String.format(
                Locale.ROOT,
                "%-22s started as %-6s now %-6s transitions during soak: %d",
                router,
                roles.get(i),
                router.role(),
                spurious));
        if (spurious > 0 && router instanceof AgentProcess agent) {
          // The agent's reasons say which side failed: "no advert from <master> for 0.04s".
          List<String> lines = agent.transitionLines();
          lines.subList(lines.size() - spurious, lines.size()).forEach(l -> line("    " + l));
        }
      }
      line("our agent: no spurious transition: " + verdict(oursSpurious == 0));
      if (oursMaster instanceof AgentProcess agent) {
        line("our master's status: " + agent.status());
      }
      if (oursBackup instanceof AgentProcess agent) {
        line("our backup's status: " + agent.status());
      }
    } finally {
      started.forEach(VrrpRouter::close);
      lab.nodes()
          .forEach(node -> List.of(ours, theirs).forEach(router -> router.removeVips(lab, node)));
    }
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------------------

  private List<String> jvmOptions() {
    return agentJvmOptions.isBlank() ? List.of() : List.of(agentJvmOptions.trim().split("\\s+"));
  }

  private void line(String text) {
    System.out.println(text);
    report.add(text);
  }

  private static String pair(Summary s) {
    return String.format(Locale.ROOT, "%.1f / %.1f", s.p50(), s.p95());
  }

  private static String verdict(boolean met) {
    return met ? "PASS" : "MISS";
  }

  private static double millis(Duration duration) {
    return duration.toNanos() / 1e6;
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new CommandLine.ParameterException(
          new CommandLine(new FailoverBenchmark()), "not a duration (e.g. 10ms, 1s, 10m): " + text);
    }
    long value = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(value);
      case "s" -> Duration.ofSeconds(value);
      default -> Duration.ofMinutes(value);
    };
  }

  private static String text(Duration duration) {
    long millis = duration.toMillis();
    return millis % 60_000 == 0 && millis >= 60_000
        ? millis / 60_000 + "m"
        : millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private static String keepalivedVersion() {
    try {
      Process process =
          new ProcessBuilder("keepalived", "--version").redirectErrorStream(true).start();
      String text =
          new String(process.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
      process.waitFor();
      return text.strip();
    } catch (IOException e) {
      return "not found";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
