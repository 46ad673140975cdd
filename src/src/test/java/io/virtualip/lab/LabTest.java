package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.testkit.Requirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LabTest {

  static final String PREFIX = "vipfx-";

  @BeforeEach
  void needsRoot() {
    Requirements.root("creates network namespaces");
    Requirements.tools("ip", "tcpdump", "bash");
  }

  @Test
  void nodesShareOneSegmentAndNothingIsLeftBehind() {
    List<String> namespaces;
    try (Lab lab = Lab.create(PREFIX, 2)) {
      Node n1 = lab.node(1);
      Node n2 = lab.node(2);
      namespaces = List.of(lab.id() + "-br", n1.namespace(), n2.namespace());
      assertThat(namespaceList()).contains(namespaces.toArray(String[]::new));
      // Other tests on the machine may add links to the root namespace; none of them are named like
      // ours.
      assertThat(rootNamespaceLinks()).doesNotContain(PREFIX + "br0", "p-n1", "p-n2");

      assertThat(lab.exec(n1, "ip", "-o", "addr", "show", "dev", Lab.IFACE).orThrow().stdout())
          .contains("inet 192.0.2.11/24", "inet6 2001:db8::11/64", "inet6 fe80::ff:fe00:b/64");
      assertThat(ArpProbe.whoHas(lab, n1, n2.ipv4Text())).containsExactly(n2.mac());
      assertThat(ArpProbe.whoHas(lab, n2, n1.ipv4Text())).containsExactly(n1.mac());
    }
    assertThat(namespaceList()).doesNotContain(namespaces.toArray(String[]::new));
  }

  @Test
  void linkDownCutsTheNodeOffAndLinkUpBringsItBack() {
    try (Lab lab = Lab.create(PREFIX, 2)) {
      Node n1 = lab.node(1);
      Node n2 = lab.node(2);

      lab.linkDown(n2);
      assertThat(ArpProbe.whoHas(lab, n1, n2.ipv4Text())).isEmpty();

      lab.linkUp(n2);
      assertThat(ArpProbe.whoHas(lab, n1, n2.ipv4Text())).containsExactly(n2.mac());
    }
  }

  @Test
  void backgroundProcessesLogToTheWorkDirectoryAndStopWithTheLab() throws Exception {
    BackgroundProcess sleeper;
    try (Lab lab = Lab.create(PREFIX, 1)) {
      BackgroundProcess echo = lab.start(lab.node(1), "netns-name", "ip", "netns", "identify");
      assertThat(echo.awaitExit(Duration.ofSeconds(10))).isZero();
      assertThat(echo.log()).startsWith(lab.workDir()).exists();
      assertThat(Files.readString(echo.log()).strip()).isEqualTo(lab.node(1).namespace());

      sleeper = lab.start(lab.node(1), "sleeper", "sleep", "600");
      assertThat(sleeper.isAlive()).isTrue();
    }
    assertThat(sleeper.isAlive()).isFalse();
  }

  @Test
  void parallelLabsGetDistinctNamesAndAFailingCommandSaysWhy() {
    try (Lab first = Lab.create(PREFIX, 1);
        Lab second = Lab.create(PREFIX, 1)) {
      assertThat(first.id()).isNotEqualTo(second.id()).startsWith(PREFIX);
      assertThat(first.node(1).namespace()).isNotEqualTo(second.node(1).namespace());
      assertThatThrownBy(
              () -> first.exec(first.node(1), "ip", "link", "show", "no-such-link").orThrow())
          .isInstanceOf(LabException.class)
          .hasMessageContaining("no-such-link")
          .hasMessageContaining("exit 1");
    }
  }

  @Test
  void aNewLabRemovesTheNamespacesOfALabWhoseJvmDied() {
    // Linux pids are below PID_MAX_LIMIT (2^22), so a lab named after that pid has certainly lost
    // its JVM.
    String abandoned = PREFIX + (1 << 22) + "-beef-n1";
    Commands.run(Duration.ofSeconds(10), List.of("ip", "netns", "add", abandoned)).orThrow();
    try (Lab lab = Lab.create(PREFIX, 1)) {
      assertThat(namespaceList()).doesNotContain(abandoned);
    } finally {
      Commands.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", abandoned));
    }
  }

  @Test
  void theShutdownHookRemovesALabWhenTheJvmIsTerminated() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                AbandonedLabMain.class.getName())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = output.readLine();
      assertThat(line).startsWith("lab ");
      String id = line.substring("lab ".length());
      assertThat(namespaceList()).contains(id + "-br", id + "-n1", id + "-n2");

      child.destroy(); // SIGTERM, as a CI timeout or Ctrl-C would send

      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(namespaceList()).noneMatch(namespace -> namespace.startsWith(id));
    } finally {
      child.destroyForcibly();
    }
  }

  static List<String> namespaceList() {
    return Commands.run(Duration.ofSeconds(10), List.of("ip", "netns", "list"))
        .orThrow()
        .stdout()
        .lines()
        .map(line -> line.split("\\s")[0])
        .toList();
  }

  private static List<String> rootNamespaceLinks() {
    return Commands.run(Duration.ofSeconds(10), List.of("ip", "-o", "link", "show"))
        .orThrow()
        .stdout()
        .lines()
        .map(line -> line.split(":")[1].strip().split("@")[0])
        .toList();
  }
}
