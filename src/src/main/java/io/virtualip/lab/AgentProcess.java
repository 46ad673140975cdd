package io.virtualip.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our agent ({@code virtualip-agent.jar run}) in a lab node, configured with {@code VirtualIP}
 * documents, its control socket and secrets directory under the lab's work directory. Like {@link
 * KeepalivedProcess} it is observed from the outside: addresses on the interface, the transitions
 * it logs, and the {@code status} command.
 */
public final class AgentProcess extends RouterProcess {

  private static final AtomicInteger STARTS = new AtomicInteger();

  /**
   * {@code <timestamp> <resource> <FROM> -> <TO>: <reason>}, the agent's one line per transition.
   */
  private static final Pattern TRANSITION =
      Pattern.compile("(?m)^\\S+ (\\S+) ([A-Z]+) -> ([A-Z]+): (.*)$");

  private final List<VirtualRouter> routers;
  private final Path controlSocket;

  private AgentProcess(
      Lab lab,
      Node node,
      List<VirtualRouter> routers,
      Path controlSocket,
      BackgroundProcess process) {
    super(lab, node, process);
    this.routers = List.copyOf(routers);
    this.controlSocket = controlSocket;
  }

  /**
   * Our agent on {@code node} running {@code router} alone with {@code priority}; {@code peers} for
   * unicast.
   */
  public static AgentProcess start(
      Lab lab, Node node, VirtualRouter router, int priority, List<Node> peers) {
    return start(
        lab, node, List.of(router), router.virtualIp(node.name(), priority, peers), List.of());
  }

  /**
   * Our agent on {@code node} with a configuration of several documents.
   *
   * @param routers the routers {@code virtualIps} describes, for their passwords and VIPs
   * @param virtualIps the {@code --config} file's content: VirtualIP documents separated by {@code
   *     ---}
   * @param jvmOptions options for the agent's JVM, e.g. heap limits
   */
  public static AgentProcess start(
      Lab lab, Node node, List<VirtualRouter> routers, String virtualIps, List<String> jvmOptions) {
    // A new name per start, so a restarted agent's log does not overwrite the one before it.
    String name = "agent-" + node.name() + "-" + STARTS.incrementAndGet();
    Path config = lab.workDir().resolve(name + ".yaml");
    Lab.write(config, virtualIps);
    Path secrets = lab.workDir().resolve(name + "-secrets");
    for (VirtualRouter router : routers) {
      router
          .authPass()
          .ifPresent(
              pass -> {
                Path file = secrets.resolve(router.secretName()).resolve("password");
                Lab.createDirectories(file.getParent());
                Lab.write(file, pass);
              });
    }
    // Relative to the working directory, which the agent shares with us: Unix socket paths are
    // limited to 108 bytes.
    Path socket = lab.workDir().resolve(name + ".sock");
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-jar",
            BuildArtifact.agentJar().toString(),
            "run",
            "--config",
            config.toString(),
            "--node",
            node.name(),
            "--control-socket",
            socket.toString(),
            "--secrets-dir",
            secrets.toString()));
    BackgroundProcess process = lab.start(node, name, command.toArray(String[]::new));
    return new AgentProcess(lab, node, routers, socket, process);
  }

  /** The JVM running this lab, so the agent runs on the same Java as the tests. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public Implementation implementation() {
    return Implementation.OURS;
  }

  @Override
  protected String iface() {
    return node.iface();
  }

  @Override
  protected List<String> vipAddresses() {
    return routers.stream().flatMap(router -> router.vipAddresses().stream()).toList();
  }

  /** The last state logged for the first router. */
  @Override
  public Role role() {
    return role(routers.get(0).resourceName());
  }

  public Role role(String resourceName) {
    Role last = Role.NONE;
    Matcher m = TRANSITION.matcher(process.output());
    while (m.find()) {
      if (m.group(1).equals(resourceName)) {
        last = Role.valueOf(m.group(3));
      }
    }
    return last;
  }

  /**
   * The last state logged for each resource that logged one, from one read of the log (for agents
   * with hundreds of routers, where {@link #role(String)} per router would read it hundreds of
   * times).
   */
  public Map<String, Role> roles() {
    Map<String, Role> roles = new HashMap<>();
    Matcher m = TRANSITION.matcher(process.output());
    while (m.find()) {
      roles.put(m.group(1), Role.valueOf(m.group(3)));
    }
    return roles;
  }

  @Override
  public int transitions() {
    return (int) TRANSITION.matcher(process.output()).results().count();
  }

  /**
   * The transition lines logged so far, e.g. {@code vi-51 BACKUP -> MASTER: master down interval
   * expired ...}.
   */
  public List<String> transitionLines() {
    return TRANSITION
        .matcher(process.output())
        .results()
        .map(r -> r.group().substring(r.group().indexOf(' ') + 1))
        .toList();
  }

  /**
   * Asks the running agent for its status over the control socket, with the agent's own {@code
   * status} command.
   */
  public AgentStatus status() {
    String json =
        lab.exec(
                node,
                java(),
                "-jar",
                BuildArtifact.agentJar().toString(),
                "status",
                "--control-socket",
                controlSocket.toString())
            .orThrow()
            .stdout();
    return AgentStatus.parse(json);
  }

  /** SIGTERM, then the agent's exit status (0 by its contract). */
  public int stopAndAwaitExit() {
    process.terminate(STOP_TIMEOUT);
    return process.awaitExit(STOP_TIMEOUT);
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "our agent on " + node.name();
  }
}
