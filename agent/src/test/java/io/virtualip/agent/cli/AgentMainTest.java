package io.virtualip.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.dataplane.Rtnetlink;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.net.PacketCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentMainTest {

  private static final String VIP =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata: {name: VI_1}
            spec:
              addresses: [192.0.2.100/24]
              virtualRouterId: 51
              advertisementInterval: 100ms
              priorities: {node-a: 151}
            """;

  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {}

  /**
   * Runs the CLI in this JVM with captured output (the code path of main() without System.exit).
   */
  private static Result cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = AgentMain.execute(args);
      return new Result(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void unknownFieldExitsTwoWithOneLineNamingDocumentFieldAndProblem() throws Exception {
    Path config = dir.resolve("vips.yaml");
    Files.writeString(
        config,
        VIP
            + "---\n"
            + VIP.replace("VI_1", "VI_2")
                .replace("51", "52")
                .replace("advertisementInterval", "advertismentInterval"));

    Result r = cli("run", "--config", config.toString(), "--node", "node-a");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "vips.yaml document 2 (VI_2): spec.advertismentInterval: unknown field "
                + "\"advertismentInterval\": not in the VirtualIP schema (misspelt?)\n");
  }

  @Test
  void invalidValueAndMissingFileExitTwo() throws Exception {
    Path config = dir.resolve("vips.yaml");
    Files.writeString(config, VIP.replace("100ms", "100 ms"));
    Result r = cli("run", "--config", config.toString(), "--node", "node-a");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "vips.yaml document 1 (VI_1): spec.advertisementInterval: \"100 ms\" does not "
                + "have the expected form")
        .endsWith(")\n")
        .hasLineCount(1);

    Result missing =
        cli("run", "--config", dir.resolve("nope.yaml").toString(), "--node", "node-a");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml: no such file");
  }

  @Test
  void missingOptionIsAUsageError() {
    Result r = cli("run", "--node", "node-a");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void missingInterfaceAtStartExitsTwo() throws Exception {
    Requirements.root("network namespaces and netlink");
    Path config = dir.resolve("vips.yaml");
    Files.writeString(
        config, VIP.replace("  virtualRouterId", "  interface: eth9\n  virtualRouterId"));
    try (NetnsPair pair = new NetnsPair()) {
      Result r =
          NetworkNamespace.call(
              pair.a,
              () ->
                  cli(
                      "run",
                      "--config",
                      config.toString(),
                      "--node",
                      "node-a",
                      "--control-socket",
                      dir.resolve("a.sock").toString()));
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err())
          .isEqualTo(
              "vips.yaml document 1 (VI_1): spec.interface: no interface named eth9 on "
                  + "this node\n");
    }
  }

  @Test
  void kubernetesModeWithoutNodeNameExitsTwoNamingTheVariables() {
    CommandLine command = new CommandLine(new AgentMain());
    ((AgentMain.Kubernetes) command.getSubcommands().get("kubernetes").getCommand()).environment =
        Map.of("POD_NAMESPACE", "virtualip-system");
    PrintStream err = System.err;
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = command.execute("kubernetes", "--control-socket", dir.resolve("k.sock").toString());
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(2);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .isEqualTo("environment: NODE_NAME and POD_NAMESPACE must be set (downward API)\n");
  }

  @Test
  void statusWithoutAgentExitsOne() {
    Result r = cli("status", "--control-socket", dir.resolve("none.sock").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("no agent answers on ");
  }

  /**
   * The real process: started in a namespace, queried with {@code status}, stopped with SIGTERM. It
   * must leave within 1 s with exit code 0, having sent priority 0 and removed its address.
   */
  @Test
  void sigtermSendsPriorityZeroRemovesAddressesAndExitsZeroWithinOneSecond() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    Path config = dir.resolve("vips.yaml");
    Files.writeString(config, VIP);
    Path socket = dir.resolve("agent.sock");
    Path log = dir.resolve("agent.log");
    try (NetnsPair pair = new NetnsPair()) {
      Process agent =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  pair.a,
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  AgentMain.class.getName(),
                  "run",
                  "--config",
                  config.toString(),
                  "--node",
                  "node-a",
                  "--control-socket",
                  socket.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        awaitLog(log, "VI_1 BACKUP -> MASTER");
        String address = NetnsPair.exec(pair.a, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE);
        assertThat(address).contains("192.0.2.100/24");

        Result status = cli("status", "--control-socket", socket.toString());
        assertThat(status.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(status.out());
        assertThat(json.path("node").asText()).isEqualTo("node-a");
        assertThat(json.path("instances").get(0).path("state").asText()).isEqualTo("MASTER");
        assertThat(status.out().trim()).doesNotContain("\n");

        try (var capture = PacketCapture.start(pair.b, NetnsPair.IFACE, "ip proto 112")) {
          long signalled = System.nanoTime();
          agent.destroy(); // SIGTERM
          assertThat(agent.waitFor(5, TimeUnit.SECONDS)).isTrue();
          long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
          assertThat(agent.exitValue()).isZero();
          assertThat(tookMillis).isLessThan(1000);
          List<String> priorities = capture.stopAndDecode("vrrp.prio");
          assertThat(priorities).contains("0");
        }
        assertThat(NetnsPair.exec(pair.a, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE))
            .doesNotContain("192.0.2.100");
        assertThat(Files.readString(log))
            .contains("VI_1 MASTER -> INITIALIZE: shutdown", "agent stopped");
        assertThat(socket).doesNotExist();
      } finally {
        agent.destroyForcibly();
      }
    }
  }

  /**
   * A bad --control-socket is found before anything is touched: the address a previous run of this
   * very configuration left (marked as the agent's, so otherwise removed at start) is still there,
   * and the exit is 2 with one line.
   */
  @Test
  void badControlSocketExitsTwoBeforeAnyAddressIsRemoved() throws Exception {
    Requirements.root("network namespaces and netlink");
    Path config = dir.resolve("vips.yaml");
    Files.writeString(config, VIP);
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    try (NetnsPair pair = new NetnsPair()) {
      addMarked(pair.a, "192.0.2.100");
      Result r =
          NetworkNamespace.call(
              pair.a,
              () ->
                  cli(
                      "run",
                      "--config",
                      config.toString(),
                      "--node",
                      "node-a",
                      "--control-socket",
                      notADirectory.resolve("agent.sock").toString()));
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err())
          .startsWith("--control-socket " + notADirectory.resolve("agent.sock") + ": ")
          .endsWith("\n")
          .hasLineCount(1);
      assertThat(NetnsPair.exec(pair.a, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE))
          .contains("192.0.2.100/24");
    }
  }

  /** A regular file at the control socket path (a typo, someone's file) is refused, not deleted. */
  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void regularFileAtTheControlSocketPathIsNotDeleted() throws Exception {
    Requirements.root("network namespaces and netlink");
    Path config = dir.resolve("vips.yaml");
    Files.writeString(config, VIP);
    Path file = Files.writeString(dir.resolve("important.conf"), "keep me");
    try (NetnsPair pair = new NetnsPair()) {
      addMarked(pair.a, "192.0.2.100");
      Result r =
          NetworkNamespace.call(
              pair.a,
              () ->
                  cli(
                      "run",
                      "--config",
                      config.toString(),
                      "--node",
                      "node-a",
                      "--control-socket",
                      file.toString()));
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err())
          .isEqualTo(
              "--control-socket " + file + ": exists and is not a socket; not replacing " + "it\n");
      assertThat(file).hasContent("keep me");
      assertThat(NetnsPair.exec(pair.a, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE))
          .contains("192.0.2.100/24");
    }
  }

  /** Adds {@code address}/24 on veth0 with the agent's mark, as a crashed agent leaves it. */
  private static void addMarked(String ns, String address) throws Exception {
    try (Rtnetlink netlink = NetworkNamespace.call(ns, Rtnetlink::new)) {
      netlink.addAddress(
          netlink.link(NetnsPair.IFACE).orElseThrow(), InetAddress.getByName(address), 24);
    }
  }

  /**
   * Two agents on one node (two placements select it), here two processes in one namespace with
   * different VRIDs and addresses, started and killed in both orders: an agent that starts removes
   * only what a crashed run of its own virtual IPs left, never the live address of the other.
   */
  @Test
  void twoAgentsOnOneNodeNeverRemoveEachOthersAddresses() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    Path configA = dir.resolve("a.yaml");
    Files.writeString(configA, VIP.replace("VI_1", "VI_A"));
    Path configB = dir.resolve("b.yaml");
    Files.writeString(
        configB,
        VIP.replace("VI_1", "VI_B")
            .replace("192.0.2.100", "192.0.2.101")
            .replace("virtualRouterId: 51", "virtualRouterId: 52"));
    List<Process> started = new java.util.ArrayList<>();
    try (NetnsPair pair = new NetnsPair()) {
      Process a = startAgent(pair.a, configA, "a", 1, started);
      Process b = startAgent(pair.a, configB, "b", 1, started);
      assertThat(vips(pair.a))
          .as("A's address after B started")
          .contains("192.0.2.100/24", "192.0.2.101/24");

      a.destroyForcibly(); // a crash: A's address stays behind, marked
      assertThat(a.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(vips(pair.a)).contains("192.0.2.101/24");
      startAgent(pair.a, configA, "a", 2, started);
      assertThat(Files.readString(dir.resolve("a-2.log")))
          .contains("removed 192.0.2.100/24 left behind by a previous run")
          .doesNotContain("192.0.2.101");
      assertThat(vips(pair.a))
          .as("B's address after A restarted")
          .contains("192.0.2.100/24", "192.0.2.101/24");

      b.destroy(); // SIGTERM: B removes its own address only
      assertThat(b.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(vips(pair.a)).contains("192.0.2.100/24").doesNotContain("192.0.2.101");
      Process b2 = startAgent(pair.a, configB, "b", 2, started);
      assertThat(vips(pair.a))
          .as("A's address after B restarted")
          .contains("192.0.2.100/24", "192.0.2.101/24");
      b2.destroyForcibly();
      assertThat(b2.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(vips(pair.a)).contains("192.0.2.100/24");
    } finally {
      for (Process p : started) {
        p.destroyForcibly();
      }
    }
  }

  /** Starts {@code virtualip-agent run} in {@code ns} and waits until its instance is master. */
  private Process startAgent(String ns, Path config, String name, int run, List<Process> started)
      throws Exception {
    Path log = dir.resolve(name + "-" + run + ".log");
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentMain.class.getName(),
                "run",
                "--config",
                config.toString(),
                "--node",
                "node-a",
                "--control-socket",
                dir.resolve(name + ".sock").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(p);
    awaitLog(log, "BACKUP -> MASTER");
    return p;
  }

  private static String vips(String ns) throws Exception {
    return NetnsPair.exec(ns, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE);
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(log).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' in agent log:\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }
}
