package io.virtualip.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process inside a lab node's namespace, with standard output and error captured to
 * {@link #log()}. Closing it stops it (SIGTERM, then SIGKILL after a grace period) together with
 * the processes it forked.
 */
public record BackgroundProcess(String name, Process process, Path log) implements AutoCloseable {

  private static final Duration GRACE = Duration.ofSeconds(5);

  /** The process id; {@code ip netns exec} execs the command, so this is the command itself. */
  public long pid() {
    return process.pid();
  }

  /** Everything the process has printed so far (standard output and error, interleaved). */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the process has printed {@code text}, e.g. a daemon's "ready" line. */
  public void awaitOutput(String text, Duration timeout) {
    Await.until(
        name + " to print \"" + text + "\" (log: " + log + ")",
        timeout,
        () -> output().contains(text));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends SIGTERM and waits for the process to exit; its children are left to it (keepalived stops
   * its own).
   */
  public void terminate(Duration timeout) {
    process.destroy();
    awaitExit(timeout);
  }

  /**
   * Sends SIGKILL to the process and everything it forked, as a crash would, and waits for them to
   * go.
   */
  public void kill() {
    // Freeze the whole tree first. Killed one by one, a supervisor (keepalived's parent) would
    // respawn a dead child, and a child would see its parent die (keepalived children use
    // PR_SET_PDEATHSIG) and shut down gracefully, sending priority 0 and removing the VIPs: not a
    // crash.
    List<ProcessHandle> children = process.descendants().toList();
    List<String> stop = new ArrayList<>(List.of("kill", "-STOP", Long.toString(process.pid())));
    children.forEach(child -> stop.add(Long.toString(child.pid())));
    Commands.run(GRACE, stop);
    children.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitExit(GRACE);
    for (ProcessHandle child : children) {
      Await.until(name + " child " + child.pid() + " to exit", GRACE, () -> !child.isAlive());
    }
  }

  /** Waits for the process to exit by itself and returns its exit status. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new LabException(name + " did not exit within " + timeout.toMillis() + " ms");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted waiting for " + name, e);
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL for it and its children if it has not exited after a
   * grace period.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
