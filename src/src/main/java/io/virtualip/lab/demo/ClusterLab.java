package io.virtualip.lab.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.lab.Await;
import io.virtualip.lab.BackgroundProcess;
import io.virtualip.lab.Lab;
import io.virtualip.lab.LabException;
import io.virtualip.lab.Node;
import io.virtualip.lab.kube.EmbeddedApiServer;
import io.virtualip.lab.kube.Kubectl;
import io.virtualip.lab.kube.LabApi;
import io.virtualip.lab.kube.RealApiServer;
import io.virtualip.testkit.kube.KubeVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A small Kubernetes cluster on this machine: a {@link Lab} segment whose first {@code kubeNodes}
 * nodes are registered as Kubernetes Nodes {@code n1..nN} (label {@value #NODE_LABEL}{@code =true},
 * InternalIP = their lab address) and each run one real agent ({@code virtualip-agent.jar
 * kubernetes}) inside their namespace; the Kubernetes API, reached by the nodes on the root side of
 * the lab's {@link Lab#connectHost() host link}; the real operator (Quarkus app) in the root
 * namespace. Any further lab nodes are plain hosts on the segment (e.g. a keepalived peer).
 *
 * <p>The API is the real kube-apiserver where {@code src/kube-api-server/build.sh} has built it
 * ({@link RealApiServer}: the chart's RBAC, the operator and each agent with a token of the chart's
 * own ServiceAccounts), else fabric8's mock ({@link EmbeddedApiServer}); {@link #apiKind()} says
 * which.
 *
 * <p>The lab plays the kubelet: it registers the Nodes, and the operator's agent DaemonSet is
 * stored but nothing schedules it; the lab starts the agents itself with the environment the
 * DaemonSet would give them (on the real server with a token bound to a Pod object on their node,
 * as the kubelet would give it). {@link #close()} stops the agents (SIGTERM, so they hand over with
 * priority 0, then SIGKILL), the operator and the API, and removes every namespace and link; the
 * {@link Lab}'s shutdown hook does the same on Ctrl-C or an uncaught exception.
 */
public final class ClusterLab implements AutoCloseable {

  /** The agents' and operator's namespace: Leases, password Secrets, the agent DaemonSet. */
  public static final String NAMESPACE = "virtualip-system";

  /**
   * Every registered Node carries {@code virtualip.io/lab-node=true}; tests move nodes out of
   * selectors with it.
   */
  public static final String NODE_LABEL = "virtualip.io/lab-node";

  private static final Duration AGENT_READY = Duration.ofSeconds(60);
  private static final Duration OPERATOR_READY = Duration.ofSeconds(90);

  /** The agents' metrics port in a lab with a Prometheus (the chart's default). */
  public static final int AGENT_METRICS_PORT = 9477;

  private final Lab lab;
  private final Artifacts artifacts;
  private final List<Node> kubeNodes;
  private final Map<String, BackgroundProcess> agents = new ConcurrentHashMap<>();
  private LabApi api;
  private Kubectl kubectl;
  private BackgroundProcess operator;

  /**
   * Whether agents serve metrics and the operator listens on the host link, for {@link
   * #prometheus}.
   */
  private final boolean monitored;

  private LabPrometheus prometheus;

  private ClusterLab(Lab lab, Artifacts artifacts, int kubeNodes, boolean monitored) {
    this.lab = lab;
    this.artifacts = artifacts;
    this.kubeNodes = List.copyOf(lab.nodes().subList(0, kubeNodes));
    this.monitored = monitored;
  }

  /**
   * Builds the cluster and waits until the operator runs and every agent is ready.
   *
   * @param prefix names of namespaces and links (see {@link Lab#create(String, int)})
   * @param kubeNodes nodes registered in Kubernetes, each with an agent
   * @param extraNodes further hosts on the segment with no agent
   * @param progress one line per step (the demo prints them; tests may pass a no-op)
   */
  public static ClusterLab start(
      Artifacts artifacts,
      String prefix,
      int kubeNodes,
      int extraNodes,
      Consumer<String> progress) {
    return start(artifacts, prefix, kubeNodes, extraNodes, progress, false);
  }

  /**
   * As {@link #start(Artifacts, String, int, int, Consumer)}; with {@code prometheus}, also a real
   * Prometheus ({@link LabPrometheus}) scraping the operator and every agent and evaluating the
   * project's alert rules: the agents then serve metrics on their node address, port {@value
   * #AGENT_METRICS_PORT}, and the operator's HTTP server listens on the root namespace's end of the
   * host link instead of loopback.
   */
  public static ClusterLab start(
      Artifacts artifacts,
      String prefix,
      int kubeNodes,
      int extraNodes,
      Consumer<String> progress,
      boolean prometheus) {
    Lab lab = Lab.create(prefix, kubeNodes + extraNodes);
    ClusterLab cluster = new ClusterLab(lab, artifacts, kubeNodes, prometheus);
    try {
      progress.accept(
          "network: "
              + lab.nodes().size()
              + " node namespaces on one bridge ("
              + lab.id()
              + "), "
              + describeNodes(lab.nodes()));
      var host = lab.connectHost();
      String version = KubeVersions.selected();
      cluster.api =
          KubeVersions.built(version)
              ? RealApiServer.start(version, host)
              : EmbeddedApiServer.start(host, 0);
      progress.accept("Kubernetes API: " + cluster.api.description());
      progress.accept("the nodes reach it at " + cluster.api.url() + " on the host link");
      cluster.registerCluster();
      cluster.kubectl = cluster.api.kubectl(lab.workDir()).orElse(null);
      if (cluster.kubectl != null) {
        progress.accept(
            "kubeconfig for the real kubectl: " + cluster.kubectl.kubeconfig().toAbsolutePath());
      }
      cluster.startOperator();
      progress.accept("operator running (log: " + cluster.operator.log().toAbsolutePath() + ")");
      for (Node node : cluster.kubeNodes) {
        cluster.startAgent(node);
      }
      cluster.kubeNodes.forEach(cluster::awaitAgentReady);
      progress.accept(
          "agents ready on "
              + cluster.kubeNodes.stream().map(Node::name).toList()
              + " (logs in "
              + lab.workDir().toAbsolutePath()
              + ")");
      if (prometheus) {
        cluster.startPrometheus();
        progress.accept(
            "Prometheus "
                + cluster.prometheus.url()
                + " scrapes the operator and the agents "
                + "each second, rules "
                + LabPrometheus.ALERTS
                + " (log: "
                + cluster.prometheus.process().log().toAbsolutePath()
                + ")");
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static String describeNodes(List<Node> nodes) {
    return String.join(", ", nodes.stream().map(n -> n.name() + " " + n.ipv4Text()).toList());
  }

  /**
   * Which API a cluster lab started now would run on, for the first line of the demo: the real
   * kube-apiserver of {@link KubeVersions#selected()} where it is built, else the mock.
   */
  public static String apiKind() {
    String version = KubeVersions.selected();
    return KubeVersions.built(version)
        ? "the real kube-apiserver v" + version
        : "fabric8's mock API server (no kube-apiserver "
            + version
            + " built: src/kube-api-server/build.sh)";
  }

  /**
   * CRD, namespaces, the chart's RBAC and Nodes: what a cluster has once the chart's CRD and RBAC
   * are in.
   */
  private void registerCluster() {
    KubernetesClient client = api.client();
    api.applyVirtualIpCrd();
    for (String namespace : List.of("default", NAMESPACE)) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .createOr(existing -> existing.update());
    }
    api.installChartRbac();
    for (Node node : kubeNodes) {
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(node.name())
                  .addToLabels("kubernetes.io/hostname", node.name())
                  .addToLabels("kubernetes.io/os", "linux")
                  .addToLabels(NODE_LABEL, "true")
                  .endMetadata()
                  .withNewStatus()
                  .addNewAddress()
                  .withType("InternalIP")
                  .withAddress(node.ipv4Text())
                  .endAddress()
                  .addNewAddress()
                  .withType("Hostname")
                  .withAddress(node.name())
                  .endAddress()
                  .addNewCondition()
                  .withType("Ready")
                  .withStatus("True")
                  .withReason("KubeletReady")
                  .endCondition()
                  .endStatus()
                  .build())
          .create();
    }
  }

  private void startOperator() {
    Map<String, String> env = new LinkedHashMap<>();
    // The fabric8 client's own environment: Quarkus fixes quarkus.kubernetes-client.* at build time
    // and starts from fabric8's auto-configuration at run time, which reads these.
    env.putAll(api.operatorEnvironment(lab.workDir()));
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("VIRTUALIP_AGENT_NAMESPACE", NAMESPACE);
    // quarkus.operator-sdk.enable-ssa is fixed at build time (on): the embedded API serves a
    // simplified apply. One replica, so no leader election: QOSDK activates it for the prod profile
    // only, checked at run time. Losing the lease in an API outage would make JOSDK exit, and here
    // no Deployment restarts the operator.
    env.put("QUARKUS_PROFILE", "lab");
    // Health and metrics on a free loopback port: parallel labs must not fight over 8080.
    // With a Prometheus (in the bridge namespace) on the host link's root end, which it reaches.
    env.put("QUARKUS_HTTP_HOST", monitored ? lab.connectHost().getHostAddress() : "127.0.0.1");
    env.put("QUARKUS_HTTP_PORT", "0");
    env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    operator =
        lab.startOnHost(
            "operator",
            env,
            List.of(
                java(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                artifacts.operatorJar().toString()));
    Await.until(
        "the operator to start (log: " + operator.log() + ")",
        OPERATOR_READY,
        () -> started(operator, "started in"));
  }

  private static boolean started(BackgroundProcess process, String marker) {
    requireAlive(process);
    return process.output().contains(marker);
  }

  /** A program that died while we wait for it fails the wait at once, with the end of its log. */
  private static void requireAlive(BackgroundProcess process) {
    if (!process.isAlive()) {
      throw new LabException(
          process.name() + " exited during start; its log:\n" + tail(process.output()));
    }
  }

  /**
   * Starts (or restarts) {@code node}'s agent, with the environment the operator's DaemonSet would
   * give it.
   */
  public BackgroundProcess startAgent(Node node) {
    Path ready = readyFile(node);
    try {
      Files.deleteIfExists(ready);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "NODE_NAME=" + node.name(),
                "POD_NAMESPACE=" + NAMESPACE,
                "VIRTUALIP_READY_FILE=" + ready.toAbsolutePath()));
    api.agentEnvironment(node.name(), lab.workDir())
        .forEach((key, value) -> command.add(key + "=" + value));
    // Every agent shares this machine's file system: each needs a control socket of its own.
    command.addAll(
        List.of(
            java(),
            "-Xmx128m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            artifacts.agentJar().toString(),
            "kubernetes",
            "--control-socket",
            lab.workDir().resolve("agent-" + node.name() + ".sock").toAbsolutePath().toString()));
    if (monitored) {
      command.addAll(
          List.of(
              "--metrics-address",
              node.ipv4Text(),
              "--metrics-port",
              Integer.toString(AGENT_METRICS_PORT)));
    }
    BackgroundProcess agent =
        lab.start(
            node,
            "agent-" + node.name() + "-" + System.nanoTime() % 100_000,
            command.toArray(String[]::new));
    agents.put(node.name(), agent);
    return agent;
  }

  private void startPrometheus() {
    java.util.regex.Matcher listening =
        java.util.regex.Pattern.compile("Listening on: http://([0-9.]+:[0-9]+)")
            .matcher(operator.output());
    if (!listening.find()) {
      throw new LabException(
          "the operator's log names no HTTP address (log: " + operator.log() + ")");
    }
    prometheus =
        LabPrometheus.start(
            lab,
            listening.group(1),
            kubeNodes.stream().map(n -> n.ipv4Text() + ":" + AGENT_METRICS_PORT).toList());
  }

  /** The lab's Prometheus; only in a lab started with {@code prometheus}. */
  public LabPrometheus prometheus() {
    if (prometheus == null) {
      throw new IllegalStateException("this cluster lab runs no Prometheus");
    }
    return prometheus;
  }

  /** Waits until {@code node}'s agent has synced its watches (its readiness file exists). */
  public void awaitAgentReady(Node node) {
    BackgroundProcess agent = agent(node);
    Await.until(
        "agent on " + node.name() + " to be ready (log: " + agent.log() + ")",
        AGENT_READY,
        () -> {
          requireAlive(agent);
          return Files.exists(readyFile(node));
        });
  }

  private Path readyFile(Node node) {
    return lab.workDir().resolve("agent-" + node.name() + ".ready");
  }

  /**
   * Kills {@code node}'s agent with SIGKILL, as a crash would: no priority-0 advert, its address
   * stays.
   */
  public void killAgent(Node node) {
    agent(node).kill();
  }

  public BackgroundProcess agent(Node node) {
    BackgroundProcess agent = agents.get(node.name());
    if (agent == null) {
      throw new IllegalArgumentException("no agent on " + node.name());
    }
    return agent;
  }

  public BackgroundProcess operator() {
    return operator;
  }

  public Lab lab() {
    return lab;
  }

  public LabApi api() {
    return api;
  }

  public KubernetesClient client() {
    return api.client();
  }

  /** The real kubectl pointed at this cluster, where kubectl is installed. */
  public Optional<Kubectl> kubectl() {
    return Optional.ofNullable(kubectl);
  }

  /** The nodes registered in Kubernetes (each with an agent). */
  public List<Node> kubeNodes() {
    return kubeNodes;
  }

  public Node node(String name) {
    return lab.nodes().stream()
        .filter(n -> n.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + name));
  }

  /**
   * Names of the lab nodes whose interface holds {@code address} (without prefix length) right now.
   */
  public Set<String> holders(String address) {
    Set<String> holding = new TreeSet<>();
    for (Node node : lab.nodes()) {
      String addresses =
          lab.exec(node, "ip", "-o", "addr", "show", "dev", Lab.IFACE).orThrow().stdout();
      if (addresses.contains(" " + address + "/")) {
        holding.add(node.name());
      }
    }
    return holding;
  }

  public VirtualIP virtualIp(String name) {
    return client().resources(VirtualIP.class).withName(name).get();
  }

  /**
   * {@code status.master} of VirtualIP {@code name}, or null while there is none (or no such
   * VirtualIP).
   */
  public String master(String name) {
    VirtualIP vip = virtualIp(name);
    return vip == null || vip.getStatus() == null ? null : vip.getStatus().master();
  }

  /**
   * The status ({@code True}, {@code False}, {@code Unknown}) of condition {@code type}, or null if
   * not written.
   */
  public String conditionStatus(String name, String type) {
    return condition(name, type).map(Condition::getStatus).orElse(null);
  }

  /**
   * The status condition {@code type} of VirtualIP {@code name}, if the operator has written it.
   */
  public Optional<Condition> condition(String name, String type) {
    VirtualIP vip = virtualIp(name);
    if (vip == null || vip.getStatus() == null || vip.getStatus().conditions() == null) {
      return Optional.empty();
    }
    return vip.getStatus().conditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Events about VirtualIP {@code name}, oldest first. */
  public List<Event> events(String name) {
    return client().v1().events().inAnyNamespace().list().getItems().stream()
        .filter(
            e ->
                e.getInvolvedObject() != null
                    && name.equals(e.getInvolvedObject().getName())
                    && "VirtualIP".equals(e.getInvolvedObject().getKind()))
        .sorted(Comparator.comparing(ClusterLab::eventTime))
        .toList();
  }

  private static String eventTime(Event e) {
    return Optional.ofNullable(e.getLastTimestamp())
        .or(() -> Optional.ofNullable(e.getEventTime()).map(t -> t.getTime()))
        .orElse(e.getMetadata().getCreationTimestamp());
  }

  /** Stores a Secret in the agents' namespace (VRRPv2 passwords). */
  public void createSecret(String name, String key, String value) {
    client()
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .addToStringData(key, value)
                .build())
        .create();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Agents first, all at once (SIGTERM: they hand over with priority 0), then the operator, the API
   * and the lab.
   */
  @Override
  public void close() {
    try {
      agents.values().parallelStream().forEach(BackgroundProcess::close);
      if (operator != null) {
        operator.close();
      }
      if (api != null) {
        api.close();
      }
    } finally {
      lab.close();
    }
  }
}
