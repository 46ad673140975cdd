package io.virtualip.agent.dataplane;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: {@code n} network namespaces ({@code vipdp-<pid>-s<k>-<i>}) on one Ethernet segment, for scenarios
 * that need a third router (a {@link NetnsPair} has two). Each node has {@code veth0} with 192.0.2.{i}/24
 * (i = 1..n); the other ends are ports of bridge {@code br0} in a hub namespace ({@code ...-hub}), without STP (ports
 * forward at once) or multicast snooping (VRRP's 224.0.0.18 reaches every port). Deleting the namespaces deletes the
 * links; a shutdown hook does it too if the JVM dies before {@link #close()}.
 */
public final class NetnsSegment implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String hub;
    private final List<String> nodes = new ArrayList<>();
    private final Thread cleanupHook;

    public NetnsSegment(int n) throws IOException {
        String base = "vipdp-" + ProcessHandle.current().pid() + "-s" + COUNTER.incrementAndGet();
        hub = base + "-hub";
        for (int i = 1; i <= n; i++) {
            nodes.add(base + "-" + i);
        }
        cleanupHook = new Thread(this::deleteNamespaces);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            NetnsPair.ip("netns", "add", hub);
            NetnsPair.exec(hub, "ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            NetnsPair.exec(hub, "ip", "link", "set", "br0", "up");
            for (int i = 1; i <= n; i++) {
                String ns = node(i);
                NetnsPair.ip("netns", "add", ns);
                NetnsPair.exec(ns, "ip", "link", "set", "lo", "up");
                NetnsPair.ip("link", "add", "name", NetnsPair.IFACE, "netns", ns, "type", "veth", "peer", "name",
                        "p" + i, "netns", hub);
                NetnsPair.exec(hub, "ip", "link", "set", "p" + i, "master", "br0");
                NetnsPair.exec(hub, "ip", "link", "set", "p" + i, "up");
                NetnsPair.exec(ns, "ip", "addr", "add", address(i) + "/24", "dev", NetnsPair.IFACE);
                NetnsPair.exec(ns, "ip", "link", "set", NetnsPair.IFACE, "up");
            }
            for (String ns : nodes) {
                NetnsPair.awaitCarrier(ns);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The namespace of node {@code i} (1-based). */
    public String node(int i) {
        return nodes.get(i - 1);
    }

    /** The IPv4 address of node {@code i} on veth0: 192.0.2.{i}. */
    public static String address(int i) {
        return "192.0.2." + i;
    }

    private void deleteNamespaces() {
        List<String> all = new ArrayList<>(nodes);
        all.add(hub);
        for (String ns : all) {
            try {
                NetnsPair.run(List.of("ip", "netns", "del", ns));
            } catch (IOException ignored) {
                // already gone (or never made)
            }
        }
    }

    @Override
    public void close() {
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down; the hook runs anyway
        }
    }
}
