package io.virtualip.agent.runtime;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetnsSegment;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.dataplane.VrrpSocket;
import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.agent.vrrp.AdvertisementEncoder;
import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unicast mode on a three-host segment: node-a (192.0.2.1) and node-b (192.0.2.2) are each other's
 * peers, host 3 (192.0.2.3) is nobody's peer and sends forged adverts for their VRID: priority 254
 * (which would win any election) with the longest v3 interval, 40.95 s (which would stretch a
 * backup's Master_Down_Interval to about 123 s).
 */
class UnicastSourceCheckTest {

  private static final String VIP =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata: {name: VI_U}
            spec:
              addresses: [192.0.2.100/24]
              interface: veth0
              virtualRouterId: 54
              advertisementInterval: 100ms
              priorities: {node-a: 151, node-b: 100}
              mode: Unicast
              unicastPeers: [192.0.2.1, 192.0.2.2]
            """;
  private static final ObjectMapper JSON = new ObjectMapper();

  private NetnsSegment segment;
  private final List<Agent> agents = new ArrayList<>();
  private final ByteArrayOutputStream logA = new ByteArrayOutputStream();
  private final ByteArrayOutputStream logB = new ByteArrayOutputStream();
  private final AtomicBoolean forging = new AtomicBoolean();
  private Thread forger;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces, raw sockets, netlink");
    segment = new NetnsSegment(3);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    forging.set(false);
    if (forger != null) {
      forger.join(2000);
    }
    for (Agent agent : agents) {
      agent.stop();
    }
    if (segment != null) {
      segment.close();
    }
  }

  private Agent start(String ns, String node, ByteArrayOutputStream log) throws Exception {
    Agent agent =
        new Agent(
            node,
            new ConfigLoader(node, null).parse("vips.yaml", VIP),
            null,
            new AgentLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    NetworkNamespace.call(
        ns,
        () -> {
          agent.start();
          return null;
        });
    agents.add(agent);
    return agent;
  }

  private static JsonNode instance(Agent agent) {
    try {
      return JSON.readTree(agent.status()).path("instances").get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static BooleanSupplier inState(Agent agent, String state) {
    return () -> state.equals(instance(agent).path("state").asText());
  }

  private static long notFromPeer(Agent agent) {
    return instance(agent).path("rejected").path("SOURCE_NOT_PEER").asLong();
  }

  private void await(String what, BooleanSupplier condition) {
    Awaits.until(what, condition, () -> "--- node-a log:\n" + logA + "--- node-b log:\n" + logB);
  }

  /** Host 3 sends the forged adverts to both nodes every 50 ms until the test ends. */
  private void startForging() throws Exception {
    InstanceConfig forged =
        InstanceConfig.builder(54, ip("192.0.2.3"), ip("192.0.2.100"))
            .priority(254)
            .advertIntervalCentis(4095)
            .unicastPeers(List.of(ip("192.0.2.1"), ip("192.0.2.2")))
            .build();
    AdvertisementEncoder encoder = new AdvertisementEncoder(forged);
    VrrpSocket socket =
        NetworkNamespace.call(
            segment.host(3),
            () -> VrrpSocket.openIpv4(NetnsSegment.IFACE, (Inet4Address) ip("192.0.2.3")));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    forging.set(true);
    forger =
        new Thread(
            () -> {
              ByteBuffer buffer = ByteBuffer.allocate(encoder.messageLength());
              try (socket) {
                while (forging.get()) {
                  for (int i = 0; i < encoder.destinationCount(); i++) {
                    buffer.clear();
                    encoder.encode(254, i, buffer);
                    buffer.flip();
                    socket.send(buffer, encoder.destination(i));
                  }
                  Thread.sleep(50);
                }
              } catch (Exception e) {
                failure.set(e);
              }
            },
            "forger");
    forger.setDaemon(true);
    forger.start();
  }

  @Test
  void forgedAdvertsFromANonPeerAreCountedAndChangeNothing() throws Exception {
    Agent a = start(segment.host(1), "node-a", logA);
    Agent b = start(segment.host(2), "node-b", logB);
    await("a master", inState(a, "MASTER"));
    await("b backup", inState(b, "BACKUP"));

    startForging();
    await("a counting forged adverts", () -> notFromPeer(a) > 5);
    await("b counting forged adverts", () -> notFromPeer(b) > 5);
    long countedByA = notFromPeer(a);
    Thread.sleep(500); // ten more forged adverts to each node

    assertThat(notFromPeer(a)).isGreaterThan(countedByA);
    assertThat(instance(a).path("state").asText()).isEqualTo("MASTER");
    assertThat(instance(b).path("state").asText()).isEqualTo("BACKUP");
    assertThat(instance(b).path("masterAddress").asText()).isEqualTo("192.0.2.1");
    assertThat(logA.toString()).doesNotContain("MASTER -> BACKUP");
    // The forger never enters the peer table: a flood of forged sources cannot crowd out the real
    // peers.
    for (JsonNode peer : instance(b).path("peers")) {
      assertThat(peer.path("address").asText()).isEqualTo("192.0.2.1");
    }
    assertThat(
            NetnsPair.exec(segment.host(1), "ip", "-4", "addr", "show", "dev", NetnsSegment.IFACE))
        .contains("192.0.2.100/24");

    // The master dies without a word (its link goes down, so not even priority 0 leaves): b must
    // take over after its own Master_Down_Interval (about 0.36 s), not after the forged 40.95 s
    // interval's 123 s.
    NetnsPair.exec(segment.host(1), "ip", "link", "set", NetnsSegment.IFACE, "down");
    await("b takes over", inState(b, "MASTER"));
    assertThat(
            NetnsPair.exec(segment.host(2), "ip", "-4", "addr", "show", "dev", NetnsSegment.IFACE))
        .contains("192.0.2.100/24");
    assertThat(notFromPeer(b)).isPositive();
  }
}
