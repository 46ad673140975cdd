package io.virtualip.agent.runtime;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * The agent's log, the one backend of {@link System.Logger} in the agent (registered as the JVM's
 * {@link System.LoggerFinder}, and the target of the libraries' SLF4J through {@link
 * Slf4jToSystemLogger}): one line per event, timestamped, to standard output, e.g. {@code
 * 2026-11-26T10:00:01.234Z VI_1 BACKUP -> MASTER: master down interval expired (...)}. INFO lines
 * carry no level (the lab and the tests read transitions in exactly that shape); WARNING and ERROR
 * lines say so after the time. DEBUG and TRACE are dropped. Lines are only written on rare events
 * (transitions, faults, errors), never per packet.
 */
public final class AgentLog implements System.Logger {

  /**
   * Loggers kept quieter than INFO. fabric8's informers log every failed re-list with a stack trace
   * (one per backoff step while the API is away); the glue already logs one line per failure, so
   * theirs is kept to errors.
   */
  private static final Map<String, Level> THRESHOLDS =
      Map.of("io.fabric8.kubernetes.client.informers.impl.cache.Reflector", Level.ERROR);

  /**
   * Where the JVM's loggers write: standard output, unless a harness running many agents in one JVM
   * says.
   */
  private static volatile PrintStream shared = System.out;

  private final String name;

  /** Null: {@link #shared}. */
  private final PrintStream out;

  private final Level threshold;

  /** A log of its own writing to {@code out} (tests capture one agent's lines this way). */
  public AgentLog(PrintStream out) {
    this("agent", out, Level.INFO);
  }

  private AgentLog(String name, PrintStream out, Level threshold) {
    this.name = name;
    this.out = out;
    this.threshold = threshold;
  }

  /** The logger named {@code name}, to standard output. */
  static AgentLog named(String name) {
    return new AgentLog(name, null, THRESHOLDS.getOrDefault(name, Level.INFO));
  }

  /**
   * Sends the lines of every logger from {@link System#getLogger} to {@code out} from now on (the
   * scale lab runs a hundred agents in one JVM and keeps their lines out of its report); {@code
   * System.out} restores the default.
   */
  public static void redirect(PrintStream out) {
    shared = out;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isLoggable(Level level) {
    return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
    if (isLoggable(level)) {
      write(level, message, thrown);
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (isLoggable(level)) {
      write(
          level,
          params == null || params.length == 0 ? format : MessageFormat.format(format, params),
          null);
    }
  }

  private void write(Level level, String message, Throwable thrown) {
    String line =
        Instant.now()
            + (level.getSeverity() >= Level.WARNING.getSeverity() ? " " + level + " " : " ")
            + message;
    PrintStream out = this.out != null ? this.out : shared;
    synchronized (out) {
      if (thrown == null) {
        out.println(line);
      } else if (level == Level.ERROR) {
        // A bug, not bad input: its stack trace is what finds it.
        out.println(line);
        thrown.printStackTrace(out);
      } else {
        out.println(line + ": " + thrown);
      }
      out.flush();
    }
  }

  /**
   * Registered in META-INF/services: every {@link System#getLogger} of the agent's JVM writes this
   * log.
   */
  public static final class Finder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
      return named(name);
    }
  }
}
