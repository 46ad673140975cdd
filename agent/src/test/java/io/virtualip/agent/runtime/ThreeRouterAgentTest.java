package io.virtualip.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetnsSegment;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.net.PacketCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three agents of one VirtualIP, one per namespace on a bridged segment (192.0.2.1..3), in one JVM.
 * VRRPv3 at 100 ms.
 */
class ThreeRouterAgentTest {

  private static final String VIP =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata: {name: VI_1}
            spec:
              addresses: [192.0.2.100/24]
              interface: veth0
              virtualRouterId: 51
              advertisementInterval: 100ms
              priorities: {n1: 200, n2: 150, n3: 100}
            """;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DROP_ALL_VRRP =
      "add table inet vipdp; "
          + "add chain inet vipdp in { type filter hook input priority 0; }; "
          + "add rule inet vipdp in meta l4proto 112 drop";

  private NetnsSegment segment;
  private final List<Agent> agents = new ArrayList<>();
  private final List<ByteArrayOutputStream> logs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, bridges, raw sockets, netlink, nftables");
    segment = new NetnsSegment(3);
  }

  @AfterEach
  void tearDown() {
    for (Agent agent : agents) {
      agent.stop();
    }
    if (segment != null) {
      segment.close();
    }
  }

  private Agent start(int i) throws Exception {
    String node = "n" + i;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Agent agent =
        new Agent(
            node,
            new ConfigLoader(node, null).parse("vips.yaml", VIP),
            null,
            new AgentLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    NetworkNamespace.call(
        segment.host(i),
        () -> {
          agent.start();
          return null;
        });
    agents.add(agent);
    logs.add(log);
    return agent;
  }

  private static String state(Agent agent) {
    try {
      return JSON.readTree(agent.status()).path("instances").get(0).path("state").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void await(String what, BooleanSupplier condition) {
    Awaits.until(what, condition, this::allLogs);
  }

  private String allLogs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < logs.size(); i++) {
      b.append("--- log of the agent started ").append(i + 1).append(":\n").append(logs.get(i));
    }
    return b.toString();
  }

  private boolean holdsVip(int i) {
    try {
      return NetnsPair.exec(segment.host(i), "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE)
          .contains("192.0.2.100/24");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Issue 11, item 6. n1 (priority 200) cannot hear n2 (150); n2 at first hears no one; n3 (100)
   * hears both. So n1 and n2 are both master while n3 follows them. Then n2 starts to hear n1 and
   * yields. It must send no priority-0 advert: n3 would take that for "the master left", take over
   * after its Skew_Time (61 ms, before n1's next advert at 100 ms), and the split brain would move
   * on to n3 (and from there, yield after yield, round the segment).
   */
  @Test
  void aMasterThatYieldsSendsNoPriorityZeroAndTheThirdRouterStaysBackup() throws Exception {
    NetnsPair.exec(
        segment.host(1),
        "nft",
        "add table inet vipdp; "
            + "add chain inet vipdp in { type filter hook input priority 0; }; "
            + "add rule inet vipdp in ip saddr "
            + NetnsSegment.address(2)
            + " meta l4proto 112 drop");
    NetnsPair.exec(segment.host(2), "nft", DROP_ALL_VRRP);
    Agent n1 = start(1);
    await("n1 master", () -> "MASTER".equals(state(n1)));
    Agent n3 = start(3);
    await("n3 backup", () -> "BACKUP".equals(state(n3)));
    Agent n2 = start(2);
    await("n2 master too: the split brain", () -> "MASTER".equals(state(n2)));
    assertThat(state(n1)).isEqualTo("MASTER");
    assertThat(holdsVip(2)).isTrue();
    Thread.sleep(500); // n3 hears both masters for a while and stays backup
    assertThat(state(n3)).isEqualTo("BACKUP");

    try (PacketCapture capture =
        PacketCapture.start(segment.host(3), NetnsSegment.IFACE, "ip proto 112")) {
      Thread.sleep(300); // the capture sees both masters first
      NetnsPair.exec(segment.host(2), "nft", "delete table inet vipdp");
      await("n2 yields to n1", () -> "BACKUP".equals(state(n2)));
      Thread.sleep(2_000); // twenty of n1's intervals, several of n3's Master_Down_Intervals
      List<String> adverts = capture.stopAndDecode("ip.src", "vrrp.prio");
      assertThat(adverts)
          .as("adverts on the segment")
          .contains("192.0.2.2,150", "192.0.2.1,200")
          .doesNotContain("192.0.2.2,0");
    }
    assertThat(logs.get(1).toString()).as("n3's log").doesNotContain("-> MASTER");
    assertThat(state(n3)).isEqualTo("BACKUP");
    assertThat(state(n2)).isEqualTo("BACKUP");
    assertThat(state(n1)).isEqualTo("MASTER");
    assertThat(logs.get(2).toString())
        .as("n2's log")
        .contains(
            "VI_1 MASTER -> BACKUP: higher priority master 192.0.2.1 (priority 200 > our 150)");
    assertThat(holdsVip(1)).isTrue();
    assertThat(holdsVip(2)).isFalse();
    assertThat(holdsVip(3)).isFalse();
  }
}
