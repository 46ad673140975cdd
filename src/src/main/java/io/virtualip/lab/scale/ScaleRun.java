package io.virtualip.lab.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient.Factory;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.virtualip.agent.source.kubernetes.AgentConfig;
import io.virtualip.agent.source.kubernetes.KubernetesAgent;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.lab.BuildArtifact;
import io.virtualip.lab.bench.ProcessUsage;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The scale lab (issue 14): a real kube-apiserver, the real operator as a process with its
 * ServiceAccount's token, and {@code nodes} simulated nodes in this JVM, each running the agent's
 * real Kubernetes glue ({@link KubernetesAgent}: informers, status writer, Lease, events) over the
 * VRRP core on {@link SimFabric}'s simulated segments. Settles, measures a steady window, kills the
 * node that is master of most VirtualIPs, cuts VRRP between two nodes of another group (a split
 * brain on every VirtualIP they share), heals, and writes {@code summary.json} and {@code
 * timeline.png}.
 *
 * <p>Nodes come in groups of {@code nodesPerVip} (label {@value #GROUP_LABEL}); VirtualIP i selects
 * group i mod groups, so every group is one placement (one agent DaemonSet, one VRID scope).
 */
final class ScaleRun {

  static final String NAMESPACE = "virtualip-system";
  static final String GROUP_LABEL = "virtualip.io/scale-group";

  /**
   * The agents' Lease renewal (AgentConfig.defaults): the writes/s target allows one write per node
   * per period.
   */
  static final Duration LEASE_RENEW = Duration.ofSeconds(1);

  record Options(
      int virtualIps, int nodes, int nodesPerVip, Duration duration, Duration interval, Path out) {}

  private final Options o;
  private final PrintStream log;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Map<String, KubernetesAgent> agents = new ConcurrentHashMap<>();
  private final List<String> nodeNames = new ArrayList<>();
  private final Map<String, Integer> groupOf = new HashMap<>();

  /** status.master and SplitBrain per VirtualIP as the lab's own watch last saw them. */
  private final Map<String, String> statusMaster = new ConcurrentHashMap<>();

  private final Map<String, Boolean> statusSplitBrain = new ConcurrentHashMap<>();
  private final Map<String, Boolean> statusReady = new ConcurrentHashMap<>();

  /**
   * VirtualIPs seen Ready at least once (a design that flaps may never show all Ready at one
   * moment).
   */
  private final Set<String> everReady = ConcurrentHashMap.newKeySet();

  private final List<SimFabric.Transition> transitions = new CopyOnWriteArrayList<>();

  /** (wall ms, kind, vip, value) of what the lab's watch saw change. */
  private final List<Observed> observed = new CopyOnWriteArrayList<>();

  private final java.util.concurrent.atomic.LongAdder labVipEvents =
      new java.util.concurrent.atomic.LongAdder();
  private final List<double[]> writeRate = new CopyOnWriteArrayList<>();
  private final List<double[]> failoverPoints = new CopyOnWriteArrayList<>();
  private final List<double[]> splitPoints = new CopyOnWriteArrayList<>();
  private long t0;

  record Observed(long wallMillis, String kind, String vip, String value) {}

  ScaleRun(Options options, PrintStream log) {
    this.o = options;
    this.log = log;
  }

  Map<String, Object> run() throws Exception {
    try {
      return measure();
    } finally {
      Collections.reverse(toClose);
      for (AutoCloseable c : toClose) {
        try {
          c.close();
        } catch (Exception e) {
          log.println("scale: cleanup: " + e);
        }
      }
    }
  }

  private Map<String, Object> measure() throws Exception {
    Files.createDirectories(o.out());
    t0 = System.currentTimeMillis();
    // The simulated agents log as a hundred real ones would: into a file, not over the lab's
    // report.
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    for (java.util.logging.Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    // What still logs through java.util.logging directly (libraries); the agents themselves write
    // agents.log below.
    java.util.logging.FileHandler agentLog =
        new java.util.logging.FileHandler(o.out().resolve("jul.log").toString());
    agentLog.setFormatter(new java.util.logging.SimpleFormatter());
    root.addHandler(agentLog);
    toClose.add(agentLog::close);
    // The agents' own log (System.Logger, and fabric8's SLF4J through it).
    java.io.PrintStream agentLines =
        new java.io.PrintStream(
            Files.newOutputStream(o.out().resolve("agents.log")),
            true,
            java.nio.charset.StandardCharsets.UTF_8);
    io.virtualip.agent.runtime.AgentLog.redirect(agentLines);
    toClose.add(
        () -> {
          io.virtualip.agent.runtime.AgentLog.redirect(System.out);
          agentLines.close();
        });
    int groups = (o.nodes() + o.nodesPerVip() - 1) / o.nodesPerVip();
    if ((o.virtualIps() + groups - 1) / groups > 240) {
      throw new IllegalArgumentException(
          "more than 240 VirtualIPs per group of nodes: no VRIDs left; add nodes");
    }
    log.println(
        "scale: "
            + o.virtualIps()
            + " VirtualIPs x "
            + o.nodes()
            + " nodes ("
            + groups
            + " groups of "
            + o.nodesPerVip()
            + "), adverts every "
            + o.interval().toMillis()
            + " ms");
    KubeApi api = KubeApi.start(KubeVersions.NEWEST);
    toClose.add(api);
    KubernetesClient admin = api.admin();
    // The chart's objects as kubectl apply -f deploy/ installs them, the agents' node-restriction
    // policy included: every simulated agent writes with a token bound to a pod on its own node, as
    // on a real cluster.
    InstalledChart chart = InstalledChart.on(api);
    for (int j = 0; j < o.nodes(); j++) {
      String name = String.format("node-%03d", j);
      nodeNames.add(name);
      groupOf.put(name, j / o.nodesPerVip());
      admin
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .addToLabels("kubernetes.io/hostname", name)
                  .addToLabels(GROUP_LABEL, "g" + (j / o.nodesPerVip()))
                  .endMetadata()
                  .withNewStatus()
                  .addNewAddress()
                  .withType("InternalIP")
                  .withAddress(nodeAddress(j))
                  .endAddress()
                  .endStatus()
                  .build())
          .create();
    }

    // The real operator, as its chart runs it but without leader election (one replica).
    int httpPort;
    try (ServerSocket s = new ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    Process operator = startOperator(api, httpPort);
    toClose.add(
        () -> {
          operator.destroy();
          if (!operator.waitFor(10, TimeUnit.SECONDS)) {
            operator.destroyForcibly();
          }
        });
    await(
        "the operator to start (log: " + o.out().resolve("operator.log") + ")",
        Duration.ofSeconds(90),
        () -> {
          if (!operator.isAlive()) {
            throw new IllegalStateException(
                "the operator exited; see " + o.out().resolve("operator.log"));
          }
          return read(o.out().resolve("operator.log")).contains("started in");
        });
    String operatorMetrics = "http://127.0.0.1:" + httpPort + "/q/metrics";

    // The lab's own watch: when status.master and SplitBrain change.
    SharedIndexInformer<VirtualIP> watch =
        admin
            .resources(VirtualIP.class)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(VirtualIP v) {
                    seen(v);
                  }

                  @Override
                  public void onUpdate(VirtualIP before, VirtualIP v) {
                    seen(v);
                  }

                  @Override
                  public void onDelete(VirtualIP v, boolean unknown) {}
                },
                0);
    toClose.add(watch::close);

    SimFabric fabric = new SimFabric();
    toClose.add(fabric);
    fabric.onTransition(transitions::add);
    Factory httpClients = HttpClientUtils.getHttpClientFactory();
    Path readyDir = Files.createTempDirectory("virtualip-scale-");
    for (int j = 0; j < o.nodes(); j++) {
      String node = nodeNames.get(j);
      KubernetesClient client =
          new KubernetesClientBuilder()
              .withHttpClientFactory(httpClients)
              .withConfig(
                  KubernetesAgent.agentClientConfig(api.config(chart.agentToken(node), api.url())))
              .build();
      toClose.add(client);
      AgentConfig d = AgentConfig.defaults(node, NAMESPACE);
      AgentConfig config =
          new AgentConfig(
              node,
              NAMESPACE,
              d.eventNamespace(),
              readyDir.resolve(node),
              d.statusWrite(),
              d.leaseDuration(),
              d.leaseRenewInterval(),
              d.masterRenewInterval(),
              d.otherRenewInterval(),
              d.resyncPeriod(),
              new Placement(Map.of(GROUP_LABEL, "g" + groupOf.get(node)), List.of()));
      KubernetesAgent agent =
          new KubernetesAgent(client, fabric.node(node, nodeAddress(j)), config).start();
      agents.put(node, agent);
      toClose.add(
          () -> {
            if (agents.remove(node) != null) {
              agent.halt();
            }
          });
    }
    log.println("scale: " + o.nodes() + " simulated agents started");

    for (int i = 0; i < o.virtualIps(); i++) {
      VirtualIP vip = new VirtualIP();
      vip.getMetadata().setName(String.format("vip-%04d", i));
      VirtualIPSpec spec =
          VirtualIPSpec.builder()
              .addresses(List.of(vipAddress(i)))
              .advertisementInterval(o.interval().toMillis() + "ms")
              .nodeSelector(Map.of(GROUP_LABEL, "g" + (i % groups)))
              .build();
      vip.setSpec(spec);
      admin.resources(VirtualIP.class).resource(vip).create();
    }
    log.println("scale: " + o.virtualIps() + " VirtualIPs created");

    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    toClose.add(sampler::shutdownNow);
    double[] previous = {Double.NaN, 0};
    sampler.scheduleAtFixedRate(
        () -> {
          try {
            double writes = ApiMetrics.parse(admin.raw("/metrics"), "").writes();
            double t = (System.currentTimeMillis() - t0) / 1000.0;
            if (!Double.isNaN(previous[0])) {
              writeRate.add(new double[] {t, (writes - previous[1]) / (t - previous[0])});
            }
            previous[0] = t;
            previous[1] = writes;
          } catch (RuntimeException e) {
            // a missed sample is a gap in the chart
          }
        },
        1,
        1,
        TimeUnit.SECONDS);

    long settleStart = System.currentTimeMillis();
    boolean settled =
        softAwait(
            "every VirtualIP to be Ready with a master",
            Duration.ofSeconds(120 + o.virtualIps() / 5),
            () -> everReady.size() == o.virtualIps());
    double settleSeconds = (System.currentTimeMillis() - settleStart) / 1000.0;
    log.printf("scale: settled in %.1f s%n", settleSeconds);
    Thread.sleep(5_000); // let the last settling writes and reconciles drain

    // Steady window.
    long operatorPid = operator.pid();
    long apiPid = apiServerPid();
    ProcessUsage opBefore = ProcessUsage.of(operatorPid);
    ProcessUsage apiBefore = ProcessUsage.of(apiPid);
    ProcessUsage labBefore = ProcessUsage.of(ProcessHandle.current().pid());
    ApiMetrics before = ApiMetrics.parse(admin.raw("/metrics"), http(operatorMetrics));
    long vipEventsBefore = vipWatchEvents();
    long windowStart = System.nanoTime();
    Thread.sleep(o.duration().toMillis());
    String metricsAfter = admin.raw("/metrics");
    Files.writeString(o.out().resolve("apiserver-metrics-after-steady.txt"), metricsAfter);
    ApiMetrics after = ApiMetrics.parse(metricsAfter, http(operatorMetrics));
    double seconds = (System.nanoTime() - windowStart) / 1e9;
    ProcessUsage opAfter = ProcessUsage.of(operatorPid);
    ProcessUsage apiAfter = ProcessUsage.of(apiPid);
    ProcessUsage labAfter = ProcessUsage.of(ProcessHandle.current().pid());
    double writesPerSecond = (after.writes() - before.writes()) / seconds;
    double vipEvents = (vipWatchEvents() - vipEventsBefore) / seconds;
    // The API server counts watch events of built-in resources only; VirtualIP events are counted
    // where received.
    double watchPerSecond = (after.watchEvents() - before.watchEvents()) / seconds + vipEvents;
    double reconcilesPerSecond = (after.reconciles() - before.reconciles()) / seconds;
    log.printf(
        "scale: steady %.0f s: %.1f writes/s %s, %.1f watch events/s, %.1f reconciles/s%n",
        seconds,
        writesPerSecond,
        ApiMetrics.rates(after.writesByResource(), before.writesByResource(), seconds),
        watchPerSecond,
        reconcilesPerSecond);

    // Failover: kill the node that is master of most VirtualIPs.
    Map<String, List<String>> masters = fabric.masters();
    Map<String, List<String>> byMaster = new HashMap<>();
    masters.forEach(
        (vip, ms) -> ms.forEach(m -> byMaster.computeIfAbsent(m, k -> new ArrayList<>()).add(vip)));
    String victim =
        byMaster.entrySet().stream()
            .max(Map.Entry.comparingByValue((a, b) -> Integer.compare(a.size(), b.size())))
            .orElseThrow()
            .getKey();
    List<String> victimVips = byMaster.get(victim);
    long killAt = System.currentTimeMillis();
    Predicate<String> newMaster = m -> !m.isEmpty() && !m.equals(victim);
    fabric.crash(victim);
    agents.remove(victim).halt();
    log.println("scale: killed " + victim + ", master of " + victimVips.size() + " VirtualIPs");
    softAwait(
        "a new master in the status of every VirtualIP " + victim + " held",
        Duration.ofSeconds(60),
        () ->
            victimVips.stream()
                .allMatch(v -> firstObserved("master", v, killAt, newMaster).isPresent()));
    List<Double> failover = new ArrayList<>();
    int noMasterFlaps = 0;
    for (String vip : victimVips) {
      // Equal priorities can make two backups take over in the same instant; the one that stays is
      // the one status should name, so measure from its takeover.
      Observed shown = firstObserved("master", vip, killAt, newMaster).orElse(null);
      if (shown == null) {
        continue;
      }
      SimFabric.Transition takeover = firstTakeover(vip, shown.value(), killAt).orElse(null);
      if (takeover != null) {
        double ms = Math.max(0, shown.wallMillis() - takeover.wallMillis());
        failover.add(ms);
        failoverPoints.add(new double[] {(takeover.wallMillis() - t0) / 1000.0, ms});
      }
      noMasterFlaps +=
          (int)
              observed.stream()
                  .filter(
                      x ->
                          x.kind().equals("master")
                              && x.vip().equals(vip)
                              && x.wallMillis() >= killAt
                              && x.wallMillis() <= shown.wallMillis()
                              && x.value().isEmpty())
                  .count();
    }
    log.printf(
        "scale: failover status latency %s; %d of %d VirtualIPs showed no master on the way%n",
        stats(failover), noMasterFlaps, victimVips.size());

    // Split brain: cut VRRP between the master of most VirtualIPs in another group and another node
    // of that group.
    Thread.sleep(3_000);
    Map<String, List<String>> masters2 = fabric.masters();
    Map<String, List<String>> byMaster2 = new HashMap<>();
    masters2.forEach(
        (vip, ms) ->
            ms.forEach(m -> byMaster2.computeIfAbsent(m, k -> new ArrayList<>()).add(vip)));
    String a =
        byMaster2.entrySet().stream()
            .filter(e -> !groupOf.get(e.getKey()).equals(groupOf.get(victim)))
            .max(Map.Entry.comparingByValue((x, y) -> Integer.compare(x.size(), y.size())))
            .or(() -> byMaster2.entrySet().stream().findFirst())
            .orElseThrow()
            .getKey();
    String b =
        nodeNames.stream()
            .filter(n -> !n.equals(a) && !n.equals(victim) && groupOf.get(n).equals(groupOf.get(a)))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("need two live nodes in a group to cut"));
    List<String> shared = byMaster2.get(a);
    long cutAt = System.currentTimeMillis();
    fabric.cut(a, b);
    log.println(
        "scale: cut VRRP between " + a + " and " + b + " (" + shared.size() + " VirtualIPs)");
    softAwait(
        "SplitBrain on every VirtualIP " + a + " and " + b + " share",
        Duration.ofSeconds(60),
        () ->
            shared.stream()
                .allMatch(v -> firstObserved("splitBrain", v, cutAt, "True"::equals).isPresent()));
    List<Double> splitBrain = new ArrayList<>();
    for (String vip : shared) {
      SimFabric.Transition second = firstTakeover(vip, b, cutAt).orElse(null);
      Observed shown = firstObserved("splitBrain", vip, cutAt, "True"::equals).orElse(null);
      if (second != null && shown != null) {
        double ms = Math.max(0, shown.wallMillis() - second.wallMillis());
        splitBrain.add(ms);
        splitPoints.add(new double[] {(second.wallMillis() - t0) / 1000.0, ms});
      }
    }
    log.printf("scale: split brain detected %s%n", stats(splitBrain));
    fabric.heal();
    long healAt = System.currentTimeMillis();
    softAwait(
        "SplitBrain to clear after healing",
        Duration.ofSeconds(60),
        () -> shared.stream().noneMatch(v -> Boolean.TRUE.equals(statusSplitBrain.get(v))));
    double healSeconds = (System.currentTimeMillis() - healAt) / 1000.0;
    Thread.sleep(3_000);
    sampler.shutdownNow();
    ProcessUsage opEnd = ProcessUsage.of(operatorPid);

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("virtualIps", o.virtualIps());
    summary.put("nodes", o.nodes());
    summary.put("nodesPerVirtualIp", o.nodesPerVip());
    summary.put("advertisementIntervalMs", o.interval().toMillis());
    summary.put("settled", settled);
    summary.put("everReady", everReady.size());
    summary.put("settleSeconds", round(settleSeconds));
    summary.put("steadySeconds", round(seconds));
    summary.put("steadyWritesPerSecond", round(writesPerSecond));
    summary.put(
        "steadyWritesPerSecondByResource",
        ApiMetrics.rates(after.writesByResource(), before.writesByResource(), seconds));
    summary.put("steadyWatchEventsPerSecond", round(watchPerSecond));
    Map<String, Double> byKind =
        ApiMetrics.rates(after.watchEventsByKind(), before.watchEventsByKind(), seconds);
    byKind.put("virtualips", round(vipEvents));
    summary.put("steadyWatchEventsPerSecondByKind", byKind);
    summary.put("steadyReconcilesPerSecond", round(reconcilesPerSecond));
    summary.put("killedNode", victim);
    summary.put("failoverVirtualIps", victimVips.size());
    summary.put("failoverMeasured", failover.size());
    summary.put("failoverNoMasterShown", noMasterFlaps);
    summary.put("failoverStatusP50Ms", percentile(failover, 50));
    summary.put("failoverStatusP99Ms", percentile(failover, 99));
    summary.put("failoverStatusMaxMs", percentile(failover, 100));
    summary.put("splitBrainNodes", List.of(a, b));
    summary.put("splitBrainVirtualIps", shared.size());
    summary.put("splitBrainMeasured", splitBrain.size());
    summary.put("splitBrainDetectP50Ms", percentile(splitBrain, 50));
    summary.put("splitBrainDetectP99Ms", percentile(splitBrain, 99));
    summary.put("splitBrainHealSeconds", round(healSeconds));
    summary.put("operatorRssMiB", round(Math.max(opAfter.rssMib(), opEnd.rssMib())));
    summary.put("operatorCpuPercent", round(opAfter.cpuPercentSince(opBefore, seconds)));
    summary.put("apiServerCpuPercent", round(apiAfter.cpuPercentSince(apiBefore, seconds)));
    summary.put("labJvmCpuPercent", round(labAfter.cpuPercentSince(labBefore, seconds)));
    summary.put("labJvmRssMiB", round(labAfter.rssMib()));
    summary.put("targets", targets(summary));
    List<String> timeline = new ArrayList<>();
    transitions.forEach(
        t ->
            timeline.add(
                (t.wallMillis() - t0)
                    + ",vrrp,"
                    + t.vip()
                    + ","
                    + t.node()
                    + ","
                    + t.from()
                    + "->"
                    + t.to()));
    observed.forEach(
        x ->
            timeline.add(
                (x.wallMillis() - t0) + ",status," + x.vip() + "," + x.kind() + "," + x.value()));
    timeline.sort(
        java.util.Comparator.comparingLong(
            line -> Long.parseLong(line.substring(0, line.indexOf(',')))));
    timeline.add(0, "ms since start,source,virtualip,node or field,change");
    Files.write(o.out().resolve("events.csv"), timeline);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(o.out().resolve("summary.json").toFile(), summary);
    ScaleChart.write(
        o.out().resolve("timeline.png"),
        writeRate,
        failoverPoints,
        splitPoints,
        o.virtualIps() + " VirtualIPs x " + o.nodes() + " nodes");
    return summary;
  }

  /** Target name to [limit, measured, pass]. */
  /**
   * The first status observation of {@code kind} for {@code vip} at or after {@code since} whose
   * value passes {@code value}.
   */
  private Optional<Observed> firstObserved(
      String kind, String vip, long since, Predicate<String> value) {
    return observed.stream()
        .filter(
            x ->
                x.kind().equals(kind)
                    && x.vip().equals(vip)
                    && x.wallMillis() >= since
                    && value.test(x.value()))
        .findFirst();
  }

  /** The first time {@code node} became master of {@code vip} at or after {@code since}. */
  private Optional<SimFabric.Transition> firstTakeover(String vip, String node, long since) {
    return transitions.stream()
        .filter(
            t ->
                t.vip().equals(vip)
                    && t.node().equals(node)
                    && t.wallMillis() >= since
                    && t.to() == io.virtualip.agent.vrrp.State.MASTER)
        .findFirst();
  }

  private Map<String, Object> targets(Map<String, Object> s) {
    Map<String, Object> t = new LinkedHashMap<>();
    double writesLimit = o.nodes() / (LEASE_RENEW.toMillis() / 1000.0) + 1;
    t.put("steadyWritesPerSecond", target(s, "steadyWritesPerSecond", writesLimit));
    t.put("steadyReconcilesPerSecond", target(s, "steadyReconcilesPerSecond", 1));
    t.put("failoverStatusP99Ms", target(s, "failoverStatusP99Ms", 2000));
    t.put("splitBrainDetectP99Ms", target(s, "splitBrainDetectP99Ms", 2000));
    t.put("operatorRssMiB", target(s, "operatorRssMiB", 256));
    return t;
  }

  private static Map<String, Object> target(Map<String, Object> s, String key, double limit) {
    Object v = s.get(key);
    boolean pass = v instanceof Number n && n.doubleValue() <= limit;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("limit", limit);
    out.put("measured", v);
    out.put("pass", pass);
    return out;
  }

  private void seen(VirtualIP v) {
    labVipEvents.increment();
    String name = v.getMetadata().getName();
    var status = v.getStatus();
    long now = System.currentTimeMillis();
    String master = status == null || status.master() == null ? "" : status.master();
    String before = statusMaster.put(name, master);
    if (!master.equals(before)) {
      observed.add(new Observed(now, "master", name, master));
    }
    var conditions =
        status == null || status.conditions() == null
            ? List.<io.fabric8.kubernetes.api.model.Condition>of()
            : status.conditions();
    boolean split =
        conditions.stream()
            .anyMatch(
                c ->
                    Conditions.SPLIT_BRAIN.equals(c.getType())
                        && Conditions.TRUE.equals(c.getStatus()));
    Boolean was = statusSplitBrain.put(name, split);
    if (!Objects.equals(was, split)) {
      observed.add(new Observed(now, "splitBrain", name, split ? "True" : "False"));
    }
    boolean ready =
        conditions.stream()
            .anyMatch(
                c -> Conditions.READY.equals(c.getType()) && Conditions.TRUE.equals(c.getStatus()));
    statusReady.put(name, ready);
    if (ready) {
      everReady.add(name);
    }
  }

  /**
   * VirtualIP watch events delivered: those the agents' informers received, plus the operator's,
   * which watches every VirtualIP as the lab's own watch does (so that count stands for it; the
   * lab's own is not counted).
   */
  private long vipWatchEvents() {
    return agents.values().stream().mapToLong(KubernetesAgent::virtualIpWatchEvents).sum()
        + labVipEvents.sum();
  }

  private Process startOperator(KubeApi api, int httpPort) throws IOException {
    Path jar =
        BuildArtifact.find(
            "virtualip.operator.jar",
            Path.of("operator", "target", "quarkus-app", "quarkus-run.jar"));
    String token = InstalledChart.on(api).operatorToken();
    OperatorPod pod = OperatorPod.fromChart();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(pod.javaOptions());
    command.add("-jar");
    command.add(jar.toString());
    log.println("scale: operator as the chart runs it: " + String.join(" ", pod.javaOptions()));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.putAll(pod.environment());
    // Where each reconcile's time goes, for the reconciles slower than 100 ms.
    env.put("QUARKUS_LOG_CATEGORY__IO_VIRTUALIP_OPERATOR_RECONCILER__LEVEL", "DEBUG");
    env.put("KUBERNETES_MASTER", api.url());
    env.put("KUBERNETES_AUTH_TOKEN", token);
    env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_NAMESPACE", NAMESPACE);
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("VIRTUALIP_AGENT_NAMESPACE", NAMESPACE);
    // One replica, so no leader election (QOSDK activates it for the prod profile only).
    env.put("QUARKUS_PROFILE", "lab");
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
    env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    pb.redirectErrorStream(true);
    pb.redirectOutput(o.out().resolve("operator.log").toFile());
    return pb.start();
  }

  /** kube-apiserver is a child of this JVM (kube-api-test starts it). */
  private static long apiServerPid() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("kube-apiserver")).orElse(false))
        .findFirst()
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException("no kube-apiserver process under this JVM"));
  }

  static String nodeAddress(int j) {
    return j < 250 ? "198.51.100." + (j + 1) : "203.0.113." + (j - 249);
  }

  /**
   * Addresses repeat across VirtualIPs of different groups: each VirtualIP has a segment of its own
   * here.
   */
  static String vipAddress(int i) {
    return "192.0.2." + (i % 250 + 1) + "/32";
  }

  private static String http(String url) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Waits; on timeout says so and lets the lab go on measuring what it can (a design that collapses
   * is a finding).
   */
  private boolean softAwait(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    try {
      await(what, timeout, condition);
      return true;
    } catch (IllegalStateException e) {
      log.println("scale: " + e.getMessage() + "; measuring anyway");
      return false;
    }
  }

  private void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + " ("
                + statusReady.values().stream().filter(b -> b).count()
                + " of "
                + o.virtualIps()
                + " Ready, "
                + everReady.size()
                + " ever)");
      }
      Thread.sleep(100);
    }
  }

  static Double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return null;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  private static String stats(List<Double> values) {
    return values.isEmpty()
        ? "(none measured)"
        : String.format(
            "n=%d p50=%.0f ms p99=%.0f ms max=%.0f ms",
            values.size(), percentile(values, 50), percentile(values, 99), percentile(values, 100));
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static String describe(Map<String, Object> targets) {
    return targets.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
