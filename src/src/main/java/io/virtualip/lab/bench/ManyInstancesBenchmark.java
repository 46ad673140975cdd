package io.virtualip.lab.bench;

import static io.virtualip.lab.VrrpRouter.Implementation.OURS;

import io.virtualip.lab.AgentProcess;
import io.virtualip.lab.Await;
import io.virtualip.lab.BackgroundProcess;
import io.virtualip.lab.KeepalivedConfig;
import io.virtualip.lab.KeepalivedProcess;
import io.virtualip.lab.Lab;
import io.virtualip.lab.Node;
import io.virtualip.lab.VirtualRouter;
import io.virtualip.lab.VrrpRouter;
import io.virtualip.lab.VrrpRouter.Role;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One agent with many VirtualIPs on one interface (issue 14, item 4): {@code --instances} VRRPv3
 * routers (VRIDs 1..N) at {@code --interval}, all MASTER in our agent on n1, all BACKUP in our
 * agent on n2 (so the backup side receives every advert too), n3 capturing with tcpdump.
 *
 * <ol>
 *   <li><b>Steady state</b>: after {@code --warm-up}, over {@code --window}: CPU (% of one core)
 *       and peak RSS of both agents from /proc, and advert lateness on the wire ({@link
 *       WireLateness}: per VRID, inter-arrival at n3 minus the interval, kernel timestamps).
 *   <li><b>Failover with the others running</b>: the failover measurement of {@code bench} ({@link
 *       FailoverBenchmark#failovers}: SIGKILL and SIGTERM of a master on n1, timed by the backup's
 *       first ARP reply at n3) for VRID N alone, then again with n2's backup being the N-instance
 *       agent and the other N-1 routers mastered by another agent on n1; the ratio of the two.
 *   <li><b>keepalived</b> (unless {@code --no-keepalived}): the steady state again with keepalived
 *       running the same routers on n1 and n2.
 * </ol>
 *
 * Targets (issue 14) are printed as PASS or MISS, never asserted. Writes {@code many-report.txt},
 * {@code many-summary.csv}, {@code many-lateness.csv} (per VRID) and {@code many-failover.csv}
 * under {@code --out}. Needs root, tcpdump, keepalived (unless skipped) and the agent jar.
 */
@Command(
    name = "many",
    mixinStandardHelpOptions = true,
    description = {
      "One agent with many VirtualIPs (VRIDs 1..N) on one interface in a network-namespace lab",
      "(needs root): idle CPU, RSS, advert lateness on the wire, and failover with the others",
      "running, against keepalived. See src/BENCHMARK.md."
    })
public final class ManyInstancesBenchmark implements Callable<Integer> {

  static final double CPU_TARGET_PERCENT = 3;
  static final double LATENESS_P99_TARGET_MILLIS = 1;
  static final double RSS_TARGET_MIB = 128;
  private static final String PREFIX = "vipmn-";
  private static final String FAILOVER_VIP = "192.0.2.200/24";
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Pattern DROPPED = Pattern.compile("(\\d+) packets? dropped by kernel");

  @Option(
      names = "--instances",
      defaultValue = "255",
      description = "VRRP instances, VRIDs 1..N (default: ${DEFAULT-VALUE})")
  int instances;

  @Option(
      names = "--interval",
      defaultValue = "100ms",
      description = "advertisement interval (default: ${DEFAULT-VALUE})")
  String interval;

  @Option(
      names = "--warm-up",
      defaultValue = "10s",
      description =
          "after every router is MASTER/BACKUP, before sampling (default: ${DEFAULT-VALUE})")
  String warmUp;

  @Option(
      names = "--window",
      defaultValue = "60s",
      description = "sampling window of the steady state (default: ${DEFAULT-VALUE})")
  String window;

  @Option(
      names = "--trials",
      defaultValue = "10",
      description =
          "failovers of each kind with and without the other routers; 0 skips (default: ${DEFAULT-VALUE})")
  int trials;

  @Option(
      names = "--keepalived",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "also measure keepalived's steady state with the same routers (default: on)")
  boolean keepalived;

  @Option(
      names = "--out",
      defaultValue = "target/bench-many",
      description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--agent-jvm-options",
      defaultValue = FailoverBenchmark.AGENT_JVM_OPTIONS,
      description = "JVM options for our agent, space separated (default: ${DEFAULT-VALUE})")
  String agentJvmOptions;

  /** CPU and RSS of one process (with its children) over the window. */
  public record Usage(double cpuPercent, double rssMib, double peakRssMib) {}

  /**
   * The steady state of one implementation: the master and backup processes, the wire, and the
   * transitions logged during the window (none expected).
   */
  public record Steady(
      String implementation,
      Usage master,
      Usage backup,
      WireLateness lateness,
      int transitionsInWindow,
      long droppedByCapture,
      long backupSocketDrops) {}

  /** Failover trials of VRID N, alone and with the other routers running. */
  public record Failovers(
      List<FailoverBenchmark.Trial> alone, List<FailoverBenchmark.Trial> withOthers) {}

  /** Everything measured; keepalived's part is null when skipped, failovers when --trials 0. */
  public record Result(Steady ours, Steady keepalived, Failovers failovers) {}

  private final List<String> report = new ArrayList<>();
  private PrintStream console = System.out;

  @Override
  public Integer call() throws IOException {
    if (!Lab.isRoot()) {
      System.err.println("many needs root: it creates network namespaces and runs VRRP routers");
      return 1;
    }
    for (String tool : keepalived ? List.of("tcpdump", "keepalived") : List.of("tcpdump")) {
      if (!Lab.hasTool(tool)) {
        System.err.println("many needs " + tool + " on the PATH");
        return 1;
      }
    }
    if (instances < 2 || instances > 255) {
      System.err.println("--instances: " + instances + ": must be 2 to 255 (VRIDs 1..N)");
      return 2;
    }
    run(System.out);
    return 0;
  }

  /** Runs every phase, prints the report to {@code console} and writes the files. */
  public Result run(PrintStream console) throws IOException {
    this.console = console;
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(out);
    Duration advertInterval = FailoverBenchmark.duration(interval);
    List<VirtualRouter> routers =
        IntStream.rangeClosed(1, instances).mapToObj(vrid -> router(vrid, advertInterval)).toList();
    line(
        "# Many instances, "
            + Instant.now()
            + ": "
            + instances
            + " VRRPv3 routers at "
            + interval
            + " (VRIDs 1.."
            + instances
            + "); load average "
            + loadAverage());
    line("# agent JVM options: " + agentJvmOptions);
    Steady ours;
    Steady theirs = null;
    Failovers failovers = null;
    try (Lab lab = Lab.create(PREFIX, 3)) {
      ours = steadyOurs(lab, routers);
      if (trials > 0) {
        failovers = failovers(lab, routers);
      }
      if (keepalived) {
        theirs = steadyKeepalived(lab, routers);
      }
    }
    Result result = new Result(ours, theirs, failovers);
    report(result, advertInterval);
    line("# load average at the end " + loadAverage());
    Files.write(out.resolve("many-report.txt"), report);
    console.println(
        "wrote "
            + out.toAbsolutePath()
            + "/{many-report.txt,many-summary.csv,many-lateness.csv,many-failover.csv}");
    return result;
  }

  /**
   * VRID {@code vrid}'s router: one address from 198.51.100.0/24 (TEST-NET-2), the VRID as its last
   * byte; the last VRID, whose failover is measured, has the {@code bench} VIP 192.0.2.200 on the
   * lab's own segment (255 is no host address in a /24).
   */
  VirtualRouter router(int vrid, Duration advertInterval) {
    String vip = vrid == instances ? FAILOVER_VIP : "198.51.100." + vrid + "/24";
    return VirtualRouter.multicast(3, vrid, advertInterval, vip);
  }

  // ---- steady state
  // ----------------------------------------------------------------------------------------

  private Steady steadyOurs(Lab lab, List<VirtualRouter> routers) {
    try (AgentProcess master =
            startAgent(lab, lab.node(1), routers, FailoverBenchmark.HIGH, Role.MASTER);
        AgentProcess backup =
            startAgent(lab, lab.node(2), routers, FailoverBenchmark.LOW, Role.BACKUP)) {
      return measure(
          lab,
          "ours",
          master.pid(),
          backup.pid(),
          () -> master.transitions() + backup.transitions());
    }
  }

  private Steady steadyKeepalived(Lab lab, List<VirtualRouter> routers) {
    try (BackgroundProcess master =
            startKeepalived(lab, lab.node(1), routers, FailoverBenchmark.HIGH, "MASTER");
        BackgroundProcess backup =
            startKeepalived(lab, lab.node(2), routers, FailoverBenchmark.LOW, "BACKUP")) {
      return measure(
          lab,
          "keepalived",
          master.pid(),
          backup.pid(),
          () -> entered(master, "[A-Z]+") + entered(backup, "[A-Z]+"));
    } finally {
      routers.forEach(router -> router.removeVips(lab, lab.node(1)));
    }
  }

  /**
   * Our agent on {@code node} running {@code routers} at {@code priority}, once each has logged
   * {@code role}.
   */
  private AgentProcess startAgent(
      Lab lab, Node node, List<VirtualRouter> routers, int priority, Role role) {
    return startAgent(lab, node, routers, priority, role, routers);
  }

  private static BackgroundProcess startKeepalived(
      Lab lab, Node node, List<VirtualRouter> routers, int priority, String state) {
    BackgroundProcess process =
        KeepalivedProcess.launch(
            lab,
            node,
            "keepalived-many-" + node.name(),
            KeepalivedConfig.render(
                routers.stream().map(router -> router.keepalived(priority, List.of())).toList()));
    try {
      Await.until(
          routers.size() + " keepalived instances on " + node.name() + " " + state,
          STARTUP,
          () -> entered(process, state) >= routers.size());
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return process;
  }

  private static int entered(BackgroundProcess keepalived, String state) {
    return (int)
        Pattern.compile("Entering " + state + " STATE")
            .matcher(keepalived.output())
            .results()
            .count();
  }

  /**
   * Warm-up, then two windows of {@code --window}: CPU and RSS of both processes with nothing else
   * running, then a capture on n3 of the master's adverts. Not at once: a veth delivers a frame in
   * the softirq of the process that sent it, so a capture on n3 would put its own cost into the
   * master's CPU (perf: a sixth of it).
   */
  private Steady measure(
      Lab lab, String who, long masterPid, long backupPid, Supplier<Integer> transitions) {
    Await.sleep(FailoverBenchmark.duration(warmUp));
    Duration length = FailoverBenchmark.duration(window);
    int transitionsBefore = transitions.get();
    long dropsBefore = vrrpSocketDrops(lab, lab.node(2));
    ProcessUsage masterBefore = ProcessUsage.of(masterPid);
    ProcessUsage backupBefore = ProcessUsage.of(backupPid);
    long start = System.nanoTime();
    long masterPeak = masterBefore.rssKib();
    long backupPeak = backupBefore.rssKib();
    long deadline = start + length.toNanos();
    while (System.nanoTime() < deadline) {
      Await.sleep(Duration.ofMillis(Math.min(1000, (deadline - System.nanoTime()) / 1_000_000)));
      masterPeak = Math.max(masterPeak, ProcessUsage.of(masterPid).rssKib());
      backupPeak = Math.max(backupPeak, ProcessUsage.of(backupPid).rssKib());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Usage master = usage(masterPid, masterBefore, masterPeak, seconds);
    Usage backup = usage(backupPid, backupBefore, backupPeak, seconds);

    Node n3 = lab.node(3);
    Path pcap = lab.workDir().resolve("many-" + who + ".pcap").toAbsolutePath();
    BackgroundProcess tcpdump =
        lab.start(
            n3,
            "many-capture-" + who,
            "tcpdump",
            "-n",
            "--immediate-mode",
            "--time-stamp-precision=nano",
            "-B",
            "16384",
            "-i",
            n3.iface(),
            "-w",
            pcap.toString(),
            "ip proto 112");
    try {
      tcpdump.awaitOutput("listening on", Duration.ofSeconds(10));
      Await.sleep(length);
      tcpdump.terminate(Duration.ofSeconds(10));
    } finally {
      tcpdump.close();
    }
    int transitionsAfter = transitions.get();
    long dropsAfter = vrrpSocketDrops(lab, lab.node(2));
    Matcher dropped = DROPPED.matcher(tcpdump.output());
    List<WireLateness.Advert> adverts = WireLateness.readPcap(pcap);
    WireLateness lateness =
        WireLateness.of(adverts, lab.node(1).ipv4Text(), FailoverBenchmark.duration(interval));
    deleteQuietly(pcap); // megabytes; the figures are in the CSV files
    return new Steady(
        who,
        master,
        backup,
        lateness,
        transitionsAfter - transitionsBefore,
        dropped.find() ? Long.parseLong(dropped.group(1)) : -1,
        dropsAfter - dropsBefore);
  }

  /**
   * Packets the kernel dropped at {@code node}'s VRRP sockets (IP protocol 112, "0070" as the local
   * port of /proc/net/raw) because they were full: adverts the backup never saw.
   */
  private static long vrrpSocketDrops(Lab lab, Node node) {
    long drops = 0;
    for (String line : lab.exec(node, "cat", "/proc/net/raw").orThrow().stdout().split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length > 12 && fields[1].endsWith(":0070")) {
        drops += Long.parseLong(fields[fields.length - 1]);
      }
    }
    return drops;
  }

  private static Usage usage(long pid, ProcessUsage before, long peakKib, double seconds) {
    ProcessUsage after = ProcessUsage.of(pid);
    return new Usage(
        after.cpuPercentSince(before, seconds),
        after.rssMib(),
        Math.max(peakKib, after.rssKib()) / 1024.0);
  }

  // ---- failover
  // --------------------------------------------------------------------------------------------

  /**
   * The last router's failovers from a master on n1 to a backup on n2: first with nothing else
   * running (the {@code bench} setting), then with n2's backup being the agent of all N routers and
   * the other N-1 mastered by an agent on n1, which also sends their adverts.
   */
  private Failovers failovers(Lab lab, List<VirtualRouter> routers) {
    VirtualRouter measured = routers.get(routers.size() - 1);
    List<VirtualRouter> others = routers.subList(0, routers.size() - 1);
    FailoverBenchmark bench = new FailoverBenchmark();
    bench.trials = trials;
    bench.agentJvmOptions = agentJvmOptions;
    String vip = measured.vipAddresses().get(0);
    List<FailoverBenchmark.Trial> alone;
    List<FailoverBenchmark.Trial> withOthers;
    try (ArpProber prober = ArpProber.start(lab.node(3), vip)) {
      line("");
      line(
          "## Failover of VRID " + measured.vrid() + " alone (" + trials + " trials of each kind)");
      List<VrrpRouter> started = new ArrayList<>();
      try {
        AgentProcess backup =
            startAgent(lab, lab.node(2), List.of(measured), FailoverBenchmark.LOW, Role.MASTER);
        started.add(backup);
        alone = bench.failovers(lab, prober, OURS, measured, backup, started);
      } finally {
        started.forEach(VrrpRouter::close);
        lab.nodes().forEach(node -> measured.removeVips(lab, node));
      }
      line("");
      line(
          "## Failover of VRID "
              + measured.vrid()
              + " with the other "
              + others.size()
              + " running (n2's backup runs all "
              + routers.size()
              + ", an agent on n1 masters the other "
              + others.size()
              + ")");
      started.clear();
      try {
        AgentProcess mastersOfOthers =
            startAgent(lab, lab.node(1), others, FailoverBenchmark.HIGH, Role.MASTER);
        started.add(mastersOfOthers);
        AgentProcess backup =
            startAgent(lab, lab.node(2), routers, FailoverBenchmark.LOW, Role.BACKUP, others);
        started.add(backup);
        withOthers =
            bench.failovers(
                lab, prober, OURS, measured, new OneRouter(lab, backup, measured), started);
      } finally {
        started.forEach(VrrpRouter::close);
      }
    }
    return new Failovers(alone, withOthers);
  }

  /**
   * {@link #startAgent} for an agent whose routers take different roles: waits for {@code role} of
   * {@code waitFor} only.
   */
  private AgentProcess startAgent(
      Lab lab,
      Node node,
      List<VirtualRouter> routers,
      int priority,
      Role role,
      List<VirtualRouter> waitFor) {
    String yaml =
        routers.stream()
            .map(router -> router.virtualIp(node.name(), priority, List.of()))
            .collect(Collectors.joining("---\n"));
    AgentProcess agent = AgentProcess.start(lab, node, routers, yaml, jvmOptions());
    try {
      Await.until(
          waitFor.size() + " routers of our agent on " + node.name() + " " + role,
          STARTUP,
          () -> {
            Map<String, Role> roles = agent.roles();
            return waitFor.stream().allMatch(r -> roles.get(r.resourceName()) == role);
          });
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  /**
   * One router of an agent that runs many, seen as a {@link VrrpRouter}: its role and its VIP only,
   * so the failover measurement waits for this router's state, not the first one's or all VIPs.
   */
  private record OneRouter(Lab lab, AgentProcess agent, VirtualRouter router)
      implements VrrpRouter {

    @Override
    public Implementation implementation() {
      return agent.implementation();
    }

    @Override
    public Node node() {
      return agent.node();
    }

    @Override
    public long pid() {
      return agent.pid();
    }

    @Override
    public boolean holdsVips() {
      String addresses =
          lab.exec(agent.node(), "ip", "-o", "addr", "show", "dev", agent.node().iface())
              .orThrow()
              .stdout();
      return router.vipAddresses().stream()
          .allMatch(address -> addresses.contains(" " + address + "/"));
    }

    @Override
    public Role role() {
      return agent.role(router.resourceName());
    }

    @Override
    public int transitions() {
      return agent.transitions();
    }

    @Override
    public Path log() {
      return agent.log();
    }

    @Override
    public boolean isRunning() {
      return agent.isRunning();
    }

    @Override
    public void stop() {
      agent.stop();
    }

    @Override
    public void kill() {
      agent.kill();
    }

    @Override
    public void close() {
      agent.close();
    }

    @Override
    public String toString() {
      return agent + " (" + router.resourceName() + ")";
    }
  }

  // ---- report
  // ----------------------------------------------------------------------------------------------

  private void report(Result result, Duration advertInterval) throws IOException {
    List<String> summary = new ArrayList<>(List.of("measure,implementation,value,unit,target"));
    line("");
    line(
        "## Steady state: "
            + instances
            + " routers at "
            + interval
            + ", n1 all MASTER, n2 all BACKUP, after "
            + warmUp
            + " of warm-up: CPU and RSS over "
            + window
            + " (/proc, with children), then lateness over "
            + window
            + " = per-VRID inter-arrival at n3 minus "
            + interval
            + " (tcpdump, kernel timestamps); drops and transitions over both");
    List<Steady> steadies = new ArrayList<>(List.of(result.ours()));
    if (result.keepalived() != null) {
      steadies.add(result.keepalived());
    }
    for (Steady s : steadies) {
      boolean isOurs = s.implementation().equals("ours");
      WireLateness w = s.lateness();
      line(
          String.format(
              Locale.ROOT,
              "%-10s master CPU %.2f%% of a core, RSS %.1f MiB (peak %.1f)%s",
              s.implementation(),
              s.master().cpuPercent(),
              s.master().rssMib(),
              s.master().peakRssMib(),
              isOurs
                  ? String.format(
                      Locale.ROOT,
                      "   CPU < %.0f%%: %s; RSS <= %.0f MiB: %s",
                      CPU_TARGET_PERCENT,
                      verdict(s.master().cpuPercent() < CPU_TARGET_PERCENT),
                      RSS_TARGET_MIB,
                      verdict(s.master().peakRssMib() <= RSS_TARGET_MIB))
                  : ""));
      line(
          String.format(
              Locale.ROOT,
              "%-10s backup CPU %.2f%% of a core, RSS %.1f MiB (peak %.1f)%s",
              s.implementation(),
              s.backup().cpuPercent(),
              s.backup().rssMib(),
              s.backup().peakRssMib(),
              isOurs
                  ? String.format(
                      Locale.ROOT,
                      "   CPU < %.0f%%: %s; RSS <= %.0f MiB: %s",
                      CPU_TARGET_PERCENT,
                      verdict(s.backup().cpuPercent() < CPU_TARGET_PERCENT),
                      RSS_TARGET_MIB,
                      verdict(s.backup().peakRssMib() <= RSS_TARGET_MIB))
                  : ""));
      line(
          String.format(
              Locale.ROOT,
              "%-10s wire: %d of %d VRIDs seen, %d adverts, lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms,"
                  + " %d missed; capture dropped %d; backup socket drops %d; transitions in the"
                  + " window %d%s",
              s.implementation(),
              w.vridsSeen(),
              instances,
              w.adverts(),
              w.percentile(50),
              w.percentile(99),
              w.maxMillis(),
              w.missed(),
              s.droppedByCapture(),
              s.backupSocketDrops(),
              s.transitionsInWindow(),
              isOurs
                  ? String.format(
                      Locale.ROOT,
                      "   p99 < %.0f ms: %s",
                      LATENESS_P99_TARGET_MILLIS,
                      verdict(w.percentile(99) < LATENESS_P99_TARGET_MILLIS))
                  : ""));
      String impl = s.implementation();
      summary.add(row("master_cpu_percent", impl, s.master().cpuPercent(), "%", "<3"));
      summary.add(row("master_peak_rss_mib", impl, s.master().peakRssMib(), "MiB", "<=128"));
      summary.add(row("backup_cpu_percent", impl, s.backup().cpuPercent(), "%", "<3"));
      summary.add(row("backup_peak_rss_mib", impl, s.backup().peakRssMib(), "MiB", "<=128"));
      summary.add(row("lateness_p50_ms", impl, w.percentile(50), "ms", ""));
      summary.add(row("lateness_p99_ms", impl, w.percentile(99), "ms", "<1"));
      summary.add(row("lateness_max_ms", impl, w.maxMillis(), "ms", ""));
      summary.add(row("vrids_seen", impl, w.vridsSeen(), "", "=" + instances));
      summary.add(row("adverts", impl, w.adverts(), "", ""));
      summary.add(row("missed_adverts", impl, w.missed(), "", ""));
      summary.add(row("transitions_in_window", impl, s.transitionsInWindow(), "", "0"));
      summary.add(row("backup_socket_drops", impl, s.backupSocketDrops(), "", "0"));
      summary.add(row("capture_drops", impl, s.droppedByCapture(), "", "0"));
    }
    if (result.keepalived() != null) {
      Steady o = result.ours();
      Steady k = result.keepalived();
      line(
          String.format(
              Locale.ROOT,
              "ratio ours/keepalived: master CPU %.2f, backup CPU %.2f, master RSS %.2f,"
                  + " lateness p99 %.2f",
              o.master().cpuPercent() / k.master().cpuPercent(),
              o.backup().cpuPercent() / k.backup().cpuPercent(),
              o.master().peakRssMib() / k.master().peakRssMib(),
              o.lateness().percentile(99) / k.lateness().percentile(99)));
    }
    writeLatenessCsv(steadies);
    if (result.failovers() != null) {
      reportFailovers(result.failovers(), advertInterval, summary);
    }
    Files.write(out.resolve("many-summary.csv"), summary);
  }

  private void writeLatenessCsv(List<Steady> steadies) throws IOException {
    List<String> lines =
        new ArrayList<>(List.of("implementation,vrid,intervals,p50_ms,p99_ms,max_ms"));
    for (Steady s : steadies) {
      s.lateness()
          .byVrid()
          .forEach(
              (vrid, values) ->
                  lines.add(
                      String.format(
                          Locale.ROOT,
                          "%s,%d,%d,%.3f,%.3f,%.3f",
                          s.implementation(),
                          vrid,
                          values.size(),
                          WireLateness.percentile(values, 50),
                          WireLateness.percentile(values, 99),
                          WireLateness.percentile(values, 100))));
    }
    Files.write(out.resolve("many-lateness.csv"), lines);
  }

  private void reportFailovers(Failovers f, Duration advertInterval, List<String> summary)
      throws IOException {
    List<String> csv =
        new ArrayList<>(List.of("setting,kind,trial,millis_from_signal,millis_from_wire_event"));
    Map<String, List<FailoverBenchmark.Trial>> settings = new LinkedHashMap<>();
    settings.put("alone", f.alone());
    settings.put("with_others", f.withOthers());
    settings.forEach(
        (setting, trials) ->
            trials.forEach(
                t ->
                    csv.add(
                        String.format(
                            Locale.ROOT,
                            "%s,%s,%d,%.3f,%.3f",
                            setting,
                            t.kind(),
                            t.number(),
                            t.millis(),
                            t.wireMillis()))));
    Files.write(out.resolve("many-failover.csv"), csv);
    VirtualRouter measured = router(instances, advertInterval);
    line("");
    line(
        "## Failover of VRID "
            + instances
            + ": ms until the backup's first ARP reply, measured from n3; alone vs with the other "
            + (instances - 1)
            + " running");
    line(
        String.format(
            Locale.ROOT,
            "%-9s %-22s %-16s %-16s %-6s %s",
            "kind",
            "measured from",
            "alone p50/p95",
            "others p50/p95",
            "ratio",
            "expected"));
    for (FailoverBenchmark.Kind kind : FailoverBenchmark.Kind.values()) {
      double expected =
          (kind == FailoverBenchmark.Kind.HARD_KILL
                      ? measured.masterDownInterval(FailoverBenchmark.LOW)
                      : measured.skewTime(FailoverBenchmark.LOW))
                  .toNanos()
              / 1e6;
      for (boolean fromWire : List.of(false, true)) {
        Summary alone = summary(f.alone(), kind, fromWire);
        Summary others = summary(f.withOthers(), kind, fromWire);
        if (alone == null || others == null) {
          continue;
        }
        String from =
            kind == FailoverBenchmark.Kind.HARD_KILL
                ? (fromWire ? "master's last advert" : "SIGKILL")
                : (fromWire ? "priority-0 advert" : "SIGTERM");
        double ratio = others.p50() / alone.p50();
        line(
            String.format(
                Locale.ROOT,
                "%-9s %-22s %-16s %-16s %-6.3f %.1f ms",
                kind.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                from,
                String.format(Locale.ROOT, "%.1f / %.1f", alone.p50(), alone.p95()),
                String.format(Locale.ROOT, "%.1f / %.1f", others.p50(), others.p95()),
                ratio,
                expected));
        String key =
            kind.name().toLowerCase(Locale.ROOT) + "_from_" + (fromWire ? "wire" : "signal");
        summary.add(row("failover_" + key + "_p50_ms", "ours_alone", alone.p50(), "ms", ""));
        summary.add(row("failover_" + key + "_p50_ms", "ours_with_others", others.p50(), "ms", ""));
        summary.add(row("failover_" + key + "_ratio", "ours", ratio, "", "~1"));
      }
    }
  }

  private static Summary summary(
      List<FailoverBenchmark.Trial> trials, FailoverBenchmark.Kind kind, boolean fromWire) {
    List<Double> values =
        trials.stream()
            .filter(t -> t.kind() == kind)
            .map(t -> fromWire ? t.wireMillis() : t.millis())
            .filter(v -> !v.isNaN())
            .toList();
    return values.isEmpty() ? null : Summary.of(values);
  }

  // ---- helpers
  // ---------------------------------------------------------------------------------------------

  private List<String> jvmOptions() {
    return agentJvmOptions.isBlank() ? List.of() : List.of(agentJvmOptions.trim().split("\\s+"));
  }

  private void line(String text) {
    console.println(text);
    report.add(text);
  }

  private static String row(String measure, String impl, double value, String unit, String target) {
    return String.format(Locale.ROOT, "%s,%s,%.3f,%s,%s", measure, impl, value, unit, target);
  }

  private static String verdict(boolean met) {
    return met ? "PASS" : "MISS";
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the lab's work directory goes with the lab anyway
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ManyInstancesBenchmark()).execute(args));
  }
}
