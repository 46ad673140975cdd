package io.virtualip.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.agent.config.ConfigLoader;
import io.virtualip.agent.dataplane.NetnsPair;
import io.virtualip.agent.dataplane.NetworkNamespace;
import io.virtualip.agent.dataplane.PacketCapture;
import io.virtualip.agent.dataplane.Rtnetlink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two agents, one per namespace on a veth pair, running the same VirtualIP in one JVM (each agent's sockets and
 * loop thread live in its namespace). VRRPv3 with a 100 ms interval keeps the elections quick.
 */
class AgentTest {

    private static final String VIP = """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata: {name: VI_1}
            spec:
              addresses: [192.0.2.100/24]
              interface: veth0
              virtualRouterId: 51
              advertisementInterval: 100ms
              priorities: {node-a: 151, node-b: 100}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private NetnsPair pair;
    private final List<Agent> agents = new ArrayList<>();
    private final ByteArrayOutputStream logA = new ByteArrayOutputStream();
    private final ByteArrayOutputStream logB = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(NetnsPair.isRoot(), "needs root: network namespaces, raw sockets, netlink");
        pair = new NetnsPair();
    }

    @AfterEach
    void tearDown() {
        for (Agent agent : agents) {
            agent.stop();
        }
        if (pair != null) {
            pair.close();
        }
    }

    private Agent start(String ns, String node, String yaml, ByteArrayOutputStream log) throws Exception {
        Agent agent = new Agent(node, new ConfigLoader(node, null).parse("vips.yaml", yaml), null,
                new AgentLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
        NetworkNamespace.call(ns, () -> {
            agent.start();
            return null;
        });
        agents.add(agent);
        return agent;
    }

    private static JsonNode instance(Agent agent) throws Exception {
        return JSON.readTree(agent.status()).path("instances").get(0);
    }

    private static String state(Agent agent) throws Exception {
        return instance(agent).path("state").asText();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static BooleanSupplier inState(Agent agent, String state) {
        return () -> {
            try {
                return state.equals(state(agent));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private String addresses(String ns) throws Exception {
        return NetnsPair.exec(ns, "ip", "-4", "addr", "show", "dev", NetnsPair.IFACE);
    }

    @Test
    void higherPriorityNodeBecomesMasterAndHoldsTheAddress() throws Exception {
        Agent a = start(pair.a, "node-a", VIP, logA);
        Agent b = start(pair.b, "node-b", VIP, logB);

        await("a master", inState(a, "MASTER"));
        await("b backup hearing a", () -> {
            try {
                return instance(b).path("advertsReceived").asLong() > 3;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(state(b)).isEqualTo("BACKUP");
        assertThat(addresses(pair.a)).contains("192.0.2.100/24").contains("veth0:vip");
        assertThat(addresses(pair.b)).doesNotContain("192.0.2.100");

        JsonNode status = JSON.readTree(b.status());
        assertThat(status.path("node").asText()).isEqualTo("node-b");
        JsonNode vi = status.path("instances").get(0);
        assertThat(vi.path("name").asText()).isEqualTo("VI_1");
        assertThat(vi.path("vrid").asInt()).isEqualTo(51);
        assertThat(vi.path("priority").asInt()).isEqualTo(100);
        assertThat(vi.path("effectivePriority").asInt()).isEqualTo(100);
        assertThat(vi.path("masterAddress").asText()).isEqualTo("192.0.2.1");
        assertThat(vi.path("rejected").isObject()).isTrue();
        JsonNode peer = vi.path("peers").get(0);
        assertThat(peer.path("address").asText()).isEqualTo("192.0.2.1");
        assertThat(peer.path("priority").asInt()).isEqualTo(151);
        assertThat(peer.path("lastHeardMillisAgo").asLong()).isBetween(0L, 1000L);
        assertThat(instance(a).path("advertsSent").asLong()).isPositive();
        assertThat(logA.toString()).containsPattern("VI_1 BACKUP -> MASTER: master down interval expired \\(no advert "
                + "heard for \\d+\\.\\d\\ds\\)");
    }

    @Test
    void stoppingTheMasterHandsOverWithinSkewTimeAndRemovesItsAddress() throws Exception {
        Agent a = start(pair.a, "node-a", VIP, logA);
        Agent b = start(pair.b, "node-b", VIP, logB);
        await("a master", inState(a, "MASTER"));
        await("b backup", inState(b, "BACKUP"));

        long before = System.nanoTime();
        a.stop();
        agents.remove(a);
        await("b master", inState(b, "MASTER"));

        // Master_Down_Interval would be 3 x 100 ms + skew; priority 0 cuts it to Skew_Time (~60 ms).
        assertThat((System.nanoTime() - before) / 1_000_000).isLessThan(300);
        assertThat(logB.toString()).contains("VI_1 BACKUP -> MASTER: master 192.0.2.1 gave up (priority 0)");
        assertThat(addresses(pair.a)).doesNotContain("192.0.2.100");
        assertThat(addresses(pair.b)).contains("192.0.2.100/24");
    }

    @Test
    void linkDownFaultsTheMasterAndTheBackupTakesOver() throws Exception {
        Agent a = start(pair.a, "node-a", VIP, logA);
        Agent b = start(pair.b, "node-b", VIP, logB);
        await("a master", inState(a, "MASTER"));

        NetnsPair.exec(pair.a, "ip", "link", "set", NetnsPair.IFACE, "down");
        await("a fault", inState(a, "FAULT"));
        await("b master", inState(b, "MASTER"));
        assertThat(instance(a).path("reason").asText()).isEqualTo("track link veth0 failed (weight 0)");
        assertThat(addresses(pair.a)).doesNotContain("192.0.2.100");

        NetnsPair.exec(pair.a, "ip", "link", "set", NetnsPair.IFACE, "up");
        await("a preempts back", inState(a, "MASTER"));
        await("b backup again", inState(b, "BACKUP"));
        assertThat(addresses(pair.b)).as("the node that steps down removes the address").doesNotContain("192.0.2.100");
    }

    @Test
    void vanishingInterfaceIsAFaultWithReasonNotACrash() throws Exception {
        Agent b = start(pair.b, "node-b", VIP, logB);
        await("b master alone", inState(b, "MASTER"));

        NetnsPair.exec(pair.b, "ip", "link", "del", NetnsPair.IFACE);
        await("b fault", inState(b, "FAULT"));
        assertThat(instance(b).path("reason").asText()).isEqualTo("interface veth0 vanished");
        assertThat(logB.toString()).contains("VI_1 FAULT: interface veth0 vanished");

        // A new interface of that name (with an address) brings the instance back.
        NetnsPair.ip("link", "add", "name", NetnsPair.IFACE, "netns", pair.b, "type", "veth", "peer", "name",
                NetnsPair.IFACE, "netns", pair.a);
        NetnsPair.exec(pair.b, "ip", "addr", "add", "192.0.2.2/24", "dev", NetnsPair.IFACE);
        NetnsPair.exec(pair.b, "ip", "link", "set", NetnsPair.IFACE, "up");
        NetnsPair.exec(pair.a, "ip", "link", "set", NetnsPair.IFACE, "up");
        await("b runs again", inState(b, "MASTER"));
        assertThat(logB.toString()).contains("VI_1 running on veth0");
    }

    @Test
    void startRemovesAddressesACrashedRunLeftButNotOthers() throws Exception {
        try (Rtnetlink netlink = NetworkNamespace.call(pair.a, Rtnetlink::new)) {
            netlink.addAddress(netlink.link(NetnsPair.IFACE).orElseThrow(), InetAddress.getByName("192.0.2.200"), 24);
        }
        NetnsPair.exec(pair.a, "ip", "addr", "add", "192.0.2.201/24", "dev", NetnsPair.IFACE);

        start(pair.a, "node-a", VIP, logA);

        assertThat(addresses(pair.a)).doesNotContain("192.0.2.200").contains("192.0.2.201");
        assertThat(logA.toString()).contains("removed 192.0.2.200/24 left behind by a previous run");
    }

    @Test
    void endOfSplitBrainTheWinnerAnnouncesAgainAndTheLoserRemovesItsAddress() throws Exception {
        // Drop VRRP into a: a hears nobody and stays master; b hears a... so drop both ways to make two masters.
        NetnsPair.exec(pair.a, "nft", "add table inet vipdp; add chain inet vipdp in { type filter hook input priority 0; }; "
                + "add rule inet vipdp in meta l4proto 112 drop");
        NetnsPair.exec(pair.b, "nft", "add table inet vipdp; add chain inet vipdp in { type filter hook input priority 0; }; "
                + "add rule inet vipdp in meta l4proto 112 drop");
        Agent a = start(pair.a, "node-a", VIP, logA);
        Agent b = start(pair.b, "node-b", VIP, logB);
        await("a master", inState(a, "MASTER"));
        await("b master too (split brain)", inState(b, "MASTER"));
        assertThat(addresses(pair.b)).contains("192.0.2.100");

        try (PacketCapture capture = new PacketCapture(pair.b, "arp")) {
            NetnsPair.exec(pair.a, "nft", "delete table inet vipdp");
            NetnsPair.exec(pair.b, "nft", "delete table inet vipdp");
            await("b yields", inState(b, "BACKUP"));
            assertThat(addresses(pair.b)).doesNotContain("192.0.2.100");
            await("a re-announced", () -> logA.toString().contains("we stay master and announce our addresses again"));
            Thread.sleep(200);
            List<String> arps = capture.stopAndDecode("eth.src", "arp.src.proto_ipv4", "arp.isgratuitous");
            assertThat(arps).contains(pair.mac(pair.a) + ",192.0.2.100,1");
        }
        assertThat(state(a)).isEqualTo("MASTER");
        assertThat(logB.toString()).contains("VI_1 MASTER -> BACKUP: higher priority master 192.0.2.1 (priority 151 > our 100)");
    }

    @Test
    void steadyStateAdvertisingAndReceivingAllocateNothing() throws Exception {
        String fast = VIP.replace("100ms", "10ms");
        Agent a = start(pair.a, "node-a", fast, logA);
        Agent b = start(pair.b, "node-b", fast, logB);
        await("a master", inState(a, "MASTER"));
        await("b backup", inState(b, "BACKUP"));
        Thread.sleep(6_000); // the announcement bursts (second one after 5 s) are over; JIT has warmed up

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long master0 = threads.getThreadAllocatedBytes(a.loopThread().getId());
        long backup0 = threads.getThreadAllocatedBytes(b.loopThread().getId());
        long sent0 = instance(a).path("advertsSent").asLong();
        long received0 = instance(b).path("advertsReceived").asLong();
        long master1 = threads.getThreadAllocatedBytes(a.loopThread().getId());
        long backup1 = threads.getThreadAllocatedBytes(b.loopThread().getId());
        Thread.sleep(2_000);
        long master2 = threads.getThreadAllocatedBytes(a.loopThread().getId());
        long backup2 = threads.getThreadAllocatedBytes(b.loopThread().getId());
        long sent = instance(a).path("advertsSent").asLong() - sent0;
        long received = instance(b).path("advertsReceived").asLong() - received0;

        assertThat(sent).as("about 100 adverts per second").isGreaterThan(100);
        assertThat(received).isGreaterThan(100);
        // What a status request costs on the loop thread (measured above) is not advert traffic: subtract it.
        long statusCost = Math.max(master1 - master0, backup1 - backup0);
        assertThat(master2 - master1 - statusCost).as("master loop bytes for %d adverts", sent).isLessThan(2048);
        assertThat(backup2 - backup1 - statusCost).as("backup loop bytes for %d adverts", received).isLessThan(2048);
        assertThat(state(a)).isEqualTo("MASTER");
    }
}
