package io.virtualip.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The agent has one logging API, System.Logger, with one backend and one line format. */
class AgentLogTest {

  private static final Path MAIN = Path.of("src/main/java");

  /** Other logging APIs, and printing that bypasses the log. */
  private static final Pattern FORBIDDEN =
      Pattern.compile(
          "java\\.util\\.logging|org\\.jboss\\.logging|org\\.slf4j|System\\.(out|err)\\.print|printStackTrace");

  /**
   * The backend itself and its SLF4J bridge; the command line's own output (exit messages, status)
   * is not a log.
   */
  private static final List<String> ALLOWED =
      List.of("runtime/AgentLog.java", "runtime/Slf4jToSystemLogger.java", "cli/AgentMain.java");

  @Test
  void mainCodeLogsOnlyThroughSystemLogger() throws IOException {
    List<String> offenders;
    try (Stream<Path> files = Files.walk(MAIN)) {
      offenders =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(
                  f -> ALLOWED.stream().noneMatch(a -> f.toString().replace('\\', '/').endsWith(a)))
              .flatMap(
                  f -> {
                    try {
                      List<String> lines = Files.readAllLines(f);
                      return java.util.stream.IntStream.range(0, lines.size())
                          .filter(i -> FORBIDDEN.matcher(lines.get(i)).find())
                          .mapToObj(
                              i ->
                                  MAIN.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    assertThat(offenders).isEmpty();
    // The scan did look at something.
    assertThat(MAIN.resolve("io/virtualip/agent/runtime/Agent.java")).exists();
  }

  @Test
  void cliPrintsOnlyItsOwnOutputAndUsesNoOtherLoggingApi() throws IOException {
    String cli = Files.readString(MAIN.resolve("io/virtualip/agent/cli/AgentMain.java"));
    assertThat(cli)
        .doesNotContain("java.util.logging", "org.jboss.logging", "org.slf4j", "printStackTrace");
  }

  @Test
  void infoLinesAreTimeAndMessageOthersNameTheirLevel() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.Logger log = new AgentLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    log.log(System.Logger.Level.INFO, "VI_1 MASTER -> INITIALIZE: shutdown");
    log.log(System.Logger.Level.WARNING, "VI_1 FAULT: {0}", "link down");
    log.log(System.Logger.Level.DEBUG, "not shown");
    log.log(System.Logger.Level.WARNING, "cannot renew", new IllegalStateException("refused"));
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList())
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z VI_1 MASTER -> INITIALIZE: shutdown"),
            l -> assertThat(l).matches("\\S+Z WARNING VI_1 FAULT: link down"),
            l ->
                assertThat(l)
                    .matches(
                        "\\S+Z WARNING cannot renew: java.lang.IllegalStateException: refused"));
  }

  @Test
  void aHarnessCanSendTheJvmsLoggersElsewhere() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AgentLog.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      System.getLogger("io.virtualip.agent.source.kubernetes.KubernetesAgent")
          .log(System.Logger.Level.INFO, "watches synced; node {0} ready", "node-a");
      LoggerFactory.getLogger("io.fabric8.x").warn("from {}", "fabric8");
    } finally {
      AgentLog.redirect(System.out);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList())
        .satisfiesExactly(
            l -> assertThat(l).matches("\\S+Z watches synced; node node-a ready"),
            l -> assertThat(l).matches("\\S+Z WARNING from fabric8"));
  }

  @Test
  void systemLoggersAndLibrariesSlf4jEndInTheAgentLog() {
    assertThat(System.getLogger("io.virtualip.agent.anything")).isInstanceOf(AgentLog.class);
    // The informers' per-retry noise is kept to errors.
    System.Logger reflector =
        System.getLogger("io.fabric8.kubernetes.client.informers.impl.cache.Reflector");
    assertThat(reflector.isLoggable(System.Logger.Level.WARNING)).isFalse();
    assertThat(reflector.isLoggable(System.Logger.Level.ERROR)).isTrue();
    assertThat(LoggerFactory.getLogger("io.fabric8.x").isInfoEnabled()).isTrue();
    assertThat(LoggerFactory.getLogger("io.fabric8.x").isDebugEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("io.fabric8.x").getClass().getEnclosingClass())
        .isEqualTo(Slf4jToSystemLogger.class);
  }
}
