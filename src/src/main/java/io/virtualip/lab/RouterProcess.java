package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What our agent and keepalived have alike as lab processes: the node they run in, their process
 * and its log, whether the node holds their VIPs, and the two ways to stop them. Subclasses read
 * their state from their own log format.
 */
public abstract class RouterProcess implements VrrpRouter {

  protected static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  protected final Lab lab;
  protected final Node node;
  protected final BackgroundProcess process;

  RouterProcess(Lab lab, Node node, BackgroundProcess process) {
    this.lab = lab;
    this.node = node;
    this.process = process;
  }

  /** The interface the VIPs go on. */
  protected abstract String iface();

  /** The VIPs, as address text without prefix length. */
  protected abstract List<String> vipAddresses();

  @Override
  public Node node() {
    return node;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public Path log() {
    return process.log();
  }

  /** Everything the process printed so far. */
  public String output() {
    return process.output();
  }

  @Override
  public boolean isRunning() {
    return process.isAlive();
  }

  @Override
  public boolean holdsVips() {
    String addresses =
        lab.exec(node, "ip", "-o", "addr", "show", "dev", iface()).orThrow().stdout();
    return vipAddresses().stream().allMatch(address -> addresses.contains(" " + address + "/"));
  }

  @Override
  public void stop() {
    process.terminate(STOP_TIMEOUT);
  }

  @Override
  public void kill() {
    process.kill();
  }
}
