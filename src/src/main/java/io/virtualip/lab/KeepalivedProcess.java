package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A keepalived (VRRP subsystem only) running in a lab node, with its own configuration and pid
 * files under the lab's work directory, so it never touches a system keepalived. Its state is read
 * from the outside, as an operator would: whether the node holds the VIPs, and the last state
 * transition keepalived logged.
 */
public final class KeepalivedProcess extends RouterProcess {

  /** The states keepalived logs as {@code (VI_x) Entering <STATE> STATE}. */
  public enum State {
    UNKNOWN,
    BACKUP,
    MASTER,
    FAULT
  }

  private final KeepalivedConfig config;

  private KeepalivedProcess(
      Lab lab, Node node, KeepalivedConfig config, BackgroundProcess process) {
    super(lab, node, process);
    this.config = config;
  }

  /**
   * Writes the configuration and starts {@code keepalived --vrrp} in the foreground inside {@code
   * node}.
   */
  public static KeepalivedProcess start(Lab lab, Node node, KeepalivedConfig config) {
    BackgroundProcess process =
        launch(lab, node, "keepalived-" + node.name(), config.render(), "-D");
    return new KeepalivedProcess(lab, node, config, process);
  }

  /**
   * Writes {@code configuration} to {@code name}.conf in the lab's work directory and starts {@code
   * keepalived --vrrp} in the foreground inside {@code node}, with its pid files beside it; {@code
   * flags} go before the others (e.g. {@code -D} for detail). The one way the lab starts
   * keepalived.
   */
  public static BackgroundProcess launch(
      Lab lab, Node node, String name, String configuration, String... flags) {
    Path conf = lab.workDir().resolve(name + ".conf").toAbsolutePath();
    Lab.write(conf, configuration);
    Path pid = lab.workDir().resolve(name + ".pid").toAbsolutePath();
    Path vrrpPid = lab.workDir().resolve(name + "-vrrp.pid").toAbsolutePath();
    // A killed keepalived leaves its pid files; if a pid in them is alive again (reused, or a child
    // not yet reaped), the next start refuses with "daemon is already running".
    Lab.deleteIfExists(pid);
    Lab.deleteIfExists(vrrpPid);
    // -n foreground, -l log to the console (captured in the log file), -G no syslog.
    List<String> command = new ArrayList<>(List.of("keepalived", "-n", "-l"));
    command.addAll(List.of(flags));
    command.addAll(
        List.of(
            "-G", "--vrrp", "-f", conf.toString(), "-p", pid.toString(), "-r", vrrpPid.toString()));
    return lab.start(node, name, command.toArray(String[]::new));
  }

  @Override
  public Implementation implementation() {
    return Implementation.KEEPALIVED;
  }

  public KeepalivedConfig config() {
    return config;
  }

  @Override
  public Role role() {
    return loggedState() == State.UNKNOWN ? Role.NONE : Role.valueOf(loggedState().name());
  }

  @Override
  public int transitions() {
    return (int)
        Pattern.compile("\\(" + Pattern.quote(config.instanceName()) + "\\) Entering [A-Z]+ STATE")
            .matcher(process.output())
            .results()
            .count();
  }

  @Override
  public String toString() {
    return "keepalived on " + node.name();
  }

  @Override
  protected String iface() {
    return config.iface();
  }

  @Override
  protected List<String> vipAddresses() {
    return config.vips().stream()
        .map(vip -> Addresses.text(Addresses.parse(vip.substring(0, vip.indexOf('/')))))
        .toList();
  }

  /**
   * The last state keepalived logged for the instance, {@link State#UNKNOWN} before the first
   * transition.
   */
  public State loggedState() {
    Pattern entering =
        Pattern.compile(
            "\\("
                + Pattern.quote(config.instanceName())
                + "\\) Entering (BACKUP|MASTER|FAULT) STATE");
    Matcher m = entering.matcher(process.output());
    State last = State.UNKNOWN;
    while (m.find()) {
      last = State.valueOf(m.group(1));
    }
    return last;
  }

  public void awaitState(State state, Duration timeout) {
    Await.until(
        node.name() + " keepalived in " + state + " (log: " + log() + ")",
        timeout,
        () -> loggedState() == state);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
