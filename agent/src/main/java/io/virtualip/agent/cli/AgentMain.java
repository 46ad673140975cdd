package io.virtualip.agent.cli;

import io.virtualip.agent.control.ControlServer;
import io.virtualip.agent.metrics.MetricsEndpoint;
import io.virtualip.agent.runtime.Agent;
import io.virtualip.agent.runtime.EngineAdapter;
import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.agent.source.kubernetes.AgentConfig;
import io.virtualip.agent.source.kubernetes.KubernetesAgent;
import io.virtualip.agent.spec.ConfigException;
import io.virtualip.agent.spec.NodeFacts;
import io.virtualip.agent.spec.VipDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code virtualip-agent}: the node agent as a standalone program.
 *
 * <ul>
 *   <li>{@code run --config FILE --node NAME [--control-socket PATH] [--secrets-dir DIR]}: exit 0
 *       after SIGTERM or SIGINT, 2 for a configuration that does not fit (one line on stderr naming
 *       document, field, problem), 1 for other failures (e.g. not root).
 *   <li>{@code kubernetes [--control-socket PATH]}: the DaemonSet's command; the VirtualIPs come
 *       from the cluster ({@code io.virtualip.agent.source.kubernetes}), NODE_NAME and
 *       POD_NAMESPACE from the downward API, the API server as fabric8 finds it (KUBECONFIG or
 *       ~/.kube/config, the pod's service account, KUBERNETES_MASTER). Exit 0 after SIGTERM or
 *       SIGINT (masters hand over with priority 0 and the handover still reaches status), 2 for a
 *       missing or malformed environment variable, 1 for other failures.
 *   <li>{@code status [--control-socket PATH]}: prints the running agent's status JSON; exit 1 if
 *       none answers.
 *   <li>{@code vip why NAME}, {@code vip get}: the {@code kubectl vip} plugin ({@link
 *       io.virtualip.agent.cli.vip}).
 * </ul>
 */
@Command(
    name = "virtualip-agent",
    mixinStandardHelpOptions = true,
    version = "virtualip-agent 0.1.0",
    description = "VRRP node agent for VirtualIP",
    subcommands = {
      AgentMain.Run.class,
      AgentMain.Kubernetes.class,
      AgentMain.Status.class,
      io.virtualip.agent.cli.vip.VipCommand.class
    })
public final class AgentMain {

  static final String DEFAULT_CONTROL_SOCKET = "/run/virtualip/agent.sock";
  static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    return new CommandLine(new AgentMain()).execute(args);
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run the VRRP instances of the VirtualIP documents in --config.")
  static final class Run implements Callable<Integer> {

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "YAML file with one or more VirtualIP documents")
    Path config;

    @Option(
        names = "--node",
        required = true,
        paramLabel = "NAME",
        description = "this node's name, the key of spec.priorities")
    String node;

    @CommandLine.Mixin ControlSocketOption controlSocket = new ControlSocketOption();

    @Option(
        names = "--secrets-dir",
        paramLabel = "DIR",
        description = "directory with Secret keys as files: DIR/<secret name>/<key>")
    Path secretsDir;

    @CommandLine.Mixin MetricsOptions metrics = new MetricsOptions();

    @Override
    public Integer call() {
      System.Logger log = System.getLogger(AgentMain.class.getName());
      List<VipDefinition> definitions;
      try {
        definitions = new ConfigLoader(NodeFacts.ofHost(node), secretsDir).load(config);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return EXIT_CONFIG;
      }
      // Reading and validating the configuration (YAML, CEL) is nearly all the garbage this process
      // makes: the instances allocate nothing per advert. Collected now, before they take part in
      // elections, no collection pause can land in a takeover or between SIGTERM and the
      // priority-0 advert later on (with the image's serial collector, each young one that did
      // took 3-7 ms), and the heap shrinks to what is live.
      System.gc();
      Agent agent = new Agent(node, definitions, controlSocket.path, log);
      Started started = startWithMetrics(agent, metrics, log);
      if (started.exitCode() != null) {
        return started.exitCode();
      }
      MetricsEndpoint endpoint = started.endpoint();
      log.log(
          System.Logger.Level.INFO,
          "agent on node " + node + " started with " + definitions.size() + " virtual IP(s)");
      return runUntilSignalled(agent, log, () -> MetricsOptions.close(endpoint));
    }
  }

  /** A metrics endpoint that cannot listen: the agent stops, one line says why, exit 1. */
  /** The agent and its metrics endpoint started, or the exit code of a start that failed. */
  private record Started(MetricsEndpoint endpoint, Integer exitCode) {}

  /** Starts the agent, then its metrics endpoint; on a failure nothing is left running. */
  private static Started startWithMetrics(Agent agent, MetricsOptions metrics, System.Logger log) {
    Integer failed = startOrExitCode(agent);
    if (failed != null) {
      return new Started(null, failed);
    }
    try {
      return new Started(metrics.start(agent, log), null);
    } catch (IOException e) {
      return new Started(null, metricsFailed(agent, metrics, e));
    }
  }

  private static int metricsFailed(Agent agent, MetricsOptions metrics, IOException e) {
    agent.stop();
    System.err.println(
        "cannot serve metrics on " + metrics.address + ":" + metrics.port + ": " + e.getMessage());
    return 1;
  }

  /**
   * Starts the engine; on failure prints one line and returns the exit code (2 for a configuration
   * the node cannot run, e.g. an interface it does not have; 1 for anything else), otherwise null.
   */
  private static Integer startOrExitCode(Agent agent) {
    try {
      agent.start();
      return null;
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return EXIT_CONFIG;
    } catch (IOException | RuntimeException e) {
      System.err.println("cannot start: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Waits for SIGTERM or SIGINT, then stops the agent (priority 0 from masters, addresses removed),
   * then runs {@code afterStop}, and returns 0. Our own handlers, not a shutdown hook: the JVM
   * would exit 143 after SIGTERM, and the contract is 0.
   *
   * <p>The handler (the JVM runs it on a thread of its own) stops the agent itself rather than
   * waking this thread to do it: one thread hop less between the signal and the priority-0 adverts,
   * whose delay adds to the failover.
   */
  static int runUntilSignalled(Agent agent, System.Logger log, Runnable afterStop) {
    CountDownLatch stopped = new CountDownLatch(1);
    SignalHandler stop =
        s -> {
          try {
            agent.stop();
          } finally {
            stopped.countDown();
          }
        };
    Signal.handle(new Signal("TERM"), stop);
    Signal.handle(new Signal("INT"), stop);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    agent.stop(); // only does something if interrupted before a signal; stop is idempotent
    afterStop.run();
    log.log(System.Logger.Level.INFO, "agent stopped");
    return 0;
  }

  @Command(
      name = "kubernetes",
      mixinStandardHelpOptions = true,
      description =
          "Run as the DaemonSet agent: the VirtualIPs selecting this node come from the cluster "
              + "(NODE_NAME, POD_NAMESPACE; optional VIRTUALIP_PLACEMENT, VIRTUALIP_READY_FILE, VIRTUALIP_STATUS_WRITE, "
              + "VIRTUALIP_LEASE_DURATION_SECONDS).")
  static final class Kubernetes implements Callable<Integer> {

    @CommandLine.Mixin ControlSocketOption controlSocket = new ControlSocketOption();

    @CommandLine.Mixin MetricsOptions metrics = new MetricsOptions();

    /** The environment; a field so that tests can run the command without one of their own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
      System.Logger log = System.getLogger(AgentMain.class.getName());
      String node;
      try {
        node = AgentConfig.fromEnvironment(environment).nodeName();
      } catch (RuntimeException e) {
        // Also a malformed VIRTUALIP_PLACEMENT or number, not only a missing NODE_NAME.
        System.err.println("environment: " + e.getMessage());
        return EXIT_CONFIG;
      }
      Agent agent = new Agent(node, List.of(), controlSocket.path, log);
      Started started = startWithMetrics(agent, metrics, log);
      if (started.exitCode() != null) {
        return started.exitCode();
      }
      MetricsEndpoint endpoint = started.endpoint();
      KubernetesAgent glue;
      try {
        glue = KubernetesAgent.start(new EngineAdapter(agent), environment);
      } catch (RuntimeException e) {
        agent.stop();
        MetricsOptions.close(endpoint);
        System.err.println("cannot start: " + e.getMessage());
        return 1;
      }
      log.log(System.Logger.Level.INFO, "agent on node " + node + " watching the cluster");
      // The engine stops first, so the priority-0 handover still reaches status.nodes through the
      // glue.
      return runUntilSignalled(
          agent,
          log,
          () -> {
            glue.close();
            MetricsOptions.close(endpoint);
          });
    }
  }

  /**
   * {@code --control-socket}: where {@code run} and {@code kubernetes} serve the status and {@code
   * status} asks for it.
   */
  static final class ControlSocketOption {

    @Option(
        names = "--control-socket",
        paramLabel = "PATH",
        defaultValue = DEFAULT_CONTROL_SOCKET,
        description =
            "the agent's control socket, the Unix socket that serves the status (default:"
                + " ${DEFAULT-VALUE})")
    Path path;
  }

  /**
   * {@code --metrics-address} and {@code --metrics-port}: the Prometheus endpoint, off unless a
   * port is given.
   */
  static final class MetricsOptions {

    @Option(
        names = "--metrics-address",
        paramLabel = "ADDRESS",
        defaultValue = "0.0.0.0",
        description = "address the metrics endpoint binds to (default: ${DEFAULT-VALUE})")
    String address;

    @Option(
        names = "--metrics-port",
        paramLabel = "PORT",
        description =
            "serve Prometheus metrics on http://ADDRESS:PORT/metrics (off when not given; "
                + "the chart uses "
                + MetricsEndpoint.DEFAULT_PORT
                + ")")
    Integer port;

    /** Null when no port was given. */
    MetricsEndpoint start(Agent agent, System.Logger log) throws IOException {
      if (port == null) {
        return null;
      }
      if (port < 0 || port > 65535) {
        throw new IOException("not a port");
      }
      MetricsEndpoint endpoint = MetricsEndpoint.start(agent, InetAddress.getByName(address), port);
      log.log(
          System.Logger.Level.INFO,
          "metrics on http://" + address + ":" + endpoint.port() + "/metrics");
      return endpoint;
    }

    static void close(MetricsEndpoint endpoint) {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Print the running agent's status as one JSON object.")
  static final class Status implements Callable<Integer> {

    @CommandLine.Mixin ControlSocketOption controlSocket = new ControlSocketOption();

    @Override
    public Integer call() {
      try {
        System.out.println(ControlServer.query(controlSocket.path));
        return 0;
      } catch (IOException e) {
        System.err.println("no agent answers on " + controlSocket.path + ": " + e.getMessage());
        return 1;
      }
    }
  }
}
