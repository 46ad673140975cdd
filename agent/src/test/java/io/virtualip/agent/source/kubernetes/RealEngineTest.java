package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.runtime.Agent;
import io.virtualip.agent.runtime.AgentLog;
import io.virtualip.agent.runtime.EngineAdapter;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.KubeApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The glue driving the real engine: a VirtualIP created in the (real) API ends up as an address on
 * the node's interface and as this node's Master entry in status.nodes. The engine's sockets live
 * in a network namespace; the API traffic stays in the test's own namespace on the loopback
 * address.
 */
class RealEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  private NetnsPair pair;
  private KubeApi api;
  private KubernetesClient agentClient;
  private Agent engine;
  private KubernetesAgent glue;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    api = RealApi.shared();
    pair = new NetnsPair();
    api.admin().resource(Fixtures.node("node-a", Map.of(), "192.0.2.1")).create();
  }

  @AfterEach
  void tearDown() {
    if (glue != null) {
      glue.close();
    }
    if (engine != null) {
      engine.stop();
    }
    if (agentClient != null) {
      agentClient.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void aVirtualIpFromTheApiRunsOnTheNodeAndIsReportedAsMaster() throws Exception {
    VirtualIP vip = Fixtures.virtualIp("web");
    vip.setSpec(vip.getSpec().toBuilder().advertisementInterval("100ms").build());
    Fixtures.create(api.admin(), vip);

    engine =
        new Agent(
            "node-a",
            List.of(),
            null,
            new AgentLog(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    NetworkNamespace.call(
        pair.a,
        () -> {
          engine.start();
          return null;
        });
    agentClient = RealApi.agentClient(api, "node-a");
    glue =
        new KubernetesAgent(
                agentClient,
                new EngineAdapter(engine),
                AgentConfig.defaults("node-a", "virtualip-system")
                    .withReadyFile(tmp.resolve("ready")))
            .start();

    await()
        .atMost(WAIT)
        .until(() -> NetnsPair.exec(pair.a, "ip", "-4", "addr").contains("192.0.2.100/24"));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              VirtualIP stored = api.admin().resources(VirtualIP.class).withName("web").get();
              List<NodeStatus> nodes =
                  stored.getStatus() == null ? null : stored.getStatus().nodes();
              return nodes != null && nodes.size() == 1 && nodes.get(0).state() == NodeState.Master;
            });
    NodeStatus mine =
        api.admin().resources(VirtualIP.class).withName("web").get().getStatus().nodes().get(0);
    assertThat(mine.name()).isEqualTo("node-a");

    api.admin().resources(VirtualIP.class).withName("web").delete();
    await()
        .atMost(WAIT)
        .until(() -> !NetnsPair.exec(pair.a, "ip", "-4", "addr").contains("192.0.2.100"));
  }
}
