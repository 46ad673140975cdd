package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.agent.cli.AgentMain;
import io.virtualip.agent.control.ControlServer;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code virtualip-agent kubernetes} processes, one per network namespace, joined by a
 * veth segment (192.0.2.0/24) and driven by a real API server of their own, which they reach over
 * an uplink to the root namespace (a relay on the uplink's root address, {@link KubeApi#expose}),
 * each with a token of the chart's virtualip-agent ServiceAccount bound to a Pod on its node: the
 * DaemonSet's agents minus the kubelet. One becomes master and really holds the address;
 * status.nodes shows both; SIGTERM of the master makes the other take over, and status says so.
 */
class KubernetesModeTest {

  private static final String NS = "virtualip-system";
  private static final String VIP = "vip-web";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void masterHoldsTheAddressAndSigtermHandsOverToTheOtherNode() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    io.virtualip.testkit.Requirements.kubeApi();
    try (NetnsPair pair = new NetnsPair();
        ApiUplink uplink = new ApiUplink(List.of(pair.a, pair.b));
        KubeApi api = KubeApi.start(KubeVersions.selected(), uplink.hostAddress())) {
      RealApi.install(api);
      String url = api.expose(uplink.hostAddress(), 0);
      KubernetesClient admin = api.admin();
      admin.resource(Fixtures.node("node-a", Map.of(), "192.0.2.1")).create();
      admin.resource(Fixtures.node("node-b", Map.of(), "192.0.2.2")).create();
      VirtualIP web = Fixtures.virtualIp(VIP);
      web.setSpec(
          web.getSpec().toBuilder()
              .advertisementInterval("100ms")
              .priorities(Map.of("node-a", 150, "node-b", 100))
              .build());
      Fixtures.create(admin, web);
      // Another DaemonSet's VirtualIP (it tolerates something, so its placement differs): never run
      // here.
      VirtualIP other = Fixtures.virtualIp("vip-other", 52);
      other.setSpec(
          other.getSpec().toBuilder()
              .addresses(List.of("192.0.2.200/24"))
              .tolerations(List.of(new TolerationBuilder().withOperator("Exists").build()))
              .build());
      Fixtures.create(admin, other);

      List<Process> agents = new ArrayList<>();
      try {
        Process a = startAgent(pair.a, "node-a", writeKubeconfig(api, "node-a", url));
        agents.add(a);
        Process b = startAgent(pair.b, "node-b", writeKubeconfig(api, "node-b", url));
        agents.add(b);

        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  assertThat(entry(admin, "node-a"))
                      .map(NodeStatus::state)
                      .contains(NodeState.Master);
                  assertThat(entry(admin, "node-b"))
                      .map(NodeStatus::state)
                      .contains(NodeState.Backup);
                  assertThat(entry(admin, "node-b"))
                      .map(NodeStatus::masterAddress)
                      .contains("192.0.2.1");
                });
        NodeStatus master = entry(admin, "node-a").orElseThrow();
        assertThat(master.address()).isEqualTo("192.0.2.1");
        assertThat(master.masterAddress()).isEqualTo("192.0.2.1");
        assertThat(master.priority()).isEqualTo(150);
        assertThat(master.since()).isNotNull();
        assertThat(vipOn(pair.a)).isTrue();
        assertThat(vipOn(pair.b)).isFalse();
        assertThat(dir.resolve("node-a.ready")).exists();
        assertThat(dir.resolve("node-b.ready")).exists();

        // status works in Kubernetes mode too, and shows only this placement's VirtualIP.
        JsonNode status =
            new ObjectMapper().readTree(ControlServer.query(dir.resolve("node-a.sock")));
        assertThat(status.path("node").asText()).isEqualTo("node-a");
        assertThat(status.path("instances")).hasSize(1);
        assertThat(status.path("instances").get(0).path("name").asText()).isEqualTo(VIP);
        assertThat(status.path("instances").get(0).path("state").asText()).isEqualTo("MASTER");
        VirtualIP otherNow = admin.resources(VirtualIP.class).withName("vip-other").get();
        assertThat(otherNow.getStatus() == null ? null : otherNow.getStatus().nodes())
            .isNullOrEmpty();

        a.destroy(); // SIGTERM
        assertThat(a.waitFor(10, TimeUnit.SECONDS)).as("node-a agent exits after SIGTERM").isTrue();
        assertThat(a.exitValue()).isZero();
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  assertThat(entry(admin, "node-b"))
                      .map(NodeStatus::state)
                      .contains(NodeState.Master);
                  assertThat(entry(admin, "node-a"))
                      .map(NodeStatus::state)
                      .isNotEqualTo(Optional.of(NodeState.Master));
                });
        assertThat(entry(admin, "node-b").orElseThrow().masterAddress()).isEqualTo("192.0.2.2");
        assertThat(vipOn(pair.b)).isTrue();
        assertThat(vipOn(pair.a)).isFalse();
        assertThat(dir.resolve("node-a.ready")).doesNotExist();
        assertThat(Files.readString(dir.resolve("node-a.log")))
            .contains(VIP + " MASTER -> INITIALIZE: shutdown", "agent stopped");
        assertThat(Files.readString(dir.resolve("node-b.log"))).contains(VIP + " BACKUP -> MASTER");

        b.destroy();
        assertThat(b.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.exitValue()).isZero();
        assertThat(vipOn(pair.b)).isFalse();
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(e.getMessage() + agentLogs(), e);
      } finally {
        agents.forEach(Process::destroyForcibly);
        for (Process p : agents) {
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Both agents' logs, for the failure message: CI keeps no temporary directory. */
  private String agentLogs() {
    StringBuilder out = new StringBuilder();
    for (String node : List.of("node-a", "node-b")) {
      try {
        out.append("\n--- ")
            .append(node)
            .append(".log ---\n")
            .append(Files.readString(dir.resolve(node + ".log")));
      } catch (java.io.IOException e) {
        out.append("\n--- ").append(node).append(".log: ").append(e.getMessage());
      }
    }
    return out.toString();
  }

  /**
   * The kubeconfig of {@code node}'s agent: the server at {@code url}, a token bound to a Pod on
   * the node.
   */
  private Path writeKubeconfig(KubeApi api, String node, String url) throws Exception {
    Path file = dir.resolve(node + ".kubeconfig");
    Files.writeString(file, api.kubeconfig(RealApi.agentToken(api, node), url));
    return file;
  }

  /**
   * {@code java ... AgentMain kubernetes} inside {@code ns}, configured as the DaemonSet configures
   * it.
   */
  private Process startAgent(String ns, String node, Path kubeconfig) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentMain.class.getName(),
                "kubernetes",
                "--control-socket",
                dir.resolve(node + ".sock").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(node + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.put("NODE_NAME", node);
    env.put("POD_NAMESPACE", NS);
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("VIRTUALIP_READY_FILE", dir.resolve(node + ".ready").toString());
    env.put("VIRTUALIP_PLACEMENT", "{}");
    env.remove("KUBERNETES_MASTER");
    env.remove("KUBERNETES_SERVICE_HOST");
    return builder.start();
  }

  private static Optional<NodeStatus> entry(KubernetesClient admin, String node) {
    VirtualIP vip = admin.resources(VirtualIP.class).withName(VIP).get();
    if (vip == null || vip.getStatus() == null || vip.getStatus().nodes() == null) {
      return Optional.empty();
    }
    return vip.getStatus().nodes().stream().filter(n -> node.equals(n.name())).findFirst();
  }

  private static boolean vipOn(String ns) throws Exception {
    return NetnsPair.exec(ns, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE)
        .contains("192.0.2.100/24");
  }
}
