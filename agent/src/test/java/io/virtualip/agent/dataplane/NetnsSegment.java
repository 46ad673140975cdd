package io.virtualip.agent.dataplane;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: hosts on one Ethernet segment, for tests that need more than {@link NetnsPair}'s
 * two (a third host that is nobody's peer). Each host is a namespace {@code vipsg-<pid>-<n>-<i>}
 * whose {@code veth0} is a port of the bridge {@code br0} in a switch namespace {@code
 * vipsg-<pid>-<n>-s} (no STP, so ports forward at once, and no multicast snooping, so VRRP's
 * 224.0.0.18 and ff02::12 reach every port); host {@code i} (from 1) has 192.0.2.{@code i}/24 and
 * 2001:db8::{@code i}/64, DAD off. Deleting the namespaces deletes the links; a shutdown hook does
 * it too if the JVM dies before {@link #close()}.
 */
public final class NetnsSegment implements AutoCloseable {

  public static final String IFACE = NetnsPair.IFACE;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String base;
  private final List<String> hosts = new ArrayList<>();
  private final String switchNs;
  private final Thread cleanupHook;

  public NetnsSegment(int hostCount) throws IOException {
    base = "vipsg-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    switchNs = base + "-s";
    cleanupHook = new Thread(this::deleteNamespaces);
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    try {
      NetnsPair.ip("netns", "add", switchNs);
      NetnsPair.exec(
          switchNs,
          "ip",
          "link",
          "add",
          "br0",
          "type",
          "bridge",
          "stp_state",
          "0",
          "mcast_snooping",
          "0");
      NetnsPair.exec(switchNs, "ip", "link", "set", "br0", "up");
      for (int i = 1; i <= hostCount; i++) {
        String ns = base + "-" + i;
        NetnsPair.ip("netns", "add", ns);
        hosts.add(ns);
        NetnsPair.exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
        NetnsPair.exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
        NetnsPair.exec(ns, "ip", "link", "set", "lo", "up");
        String port = "p" + i;
        NetnsPair.ip(
            "link", "add", "name", IFACE, "netns", ns, "type", "veth", "peer", "name", port,
            "netns", switchNs);
        NetnsPair.exec(switchNs, "ip", "link", "set", port, "master", "br0", "up");
        NetnsPair.exec(ns, "ip", "addr", "add", "192.0.2." + i + "/24", "dev", IFACE);
        NetnsPair.exec(ns, "ip", "addr", "add", "2001:db8::" + i + "/64", "dev", IFACE, "nodad");
        NetnsPair.exec(ns, "ip", "link", "set", IFACE, "up");
      }
      for (String ns : hosts) {
        NetnsPair.awaitCarrier(ns);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The namespace of host {@code i}, counted from 1 like its address. */
  public String host(int i) {
    return hosts.get(i - 1);
  }

  /** The IPv4 address of host {@code i} on veth0: 192.0.2.{i}. */
  public static String address(int i) {
    return "192.0.2." + i;
  }

  private void deleteNamespaces() {
    List<String> all = new ArrayList<>(hosts);
    all.add(switchNs);
    for (String ns : all) {
      try {
        NetnsPair.run(List.of("ip", "netns", "del", ns));
      } catch (IOException ignored) {
        // already gone
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
