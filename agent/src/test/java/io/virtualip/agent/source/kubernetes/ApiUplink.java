package io.virtualip.agent.source.kubernetes;

import io.virtualip.agent.dataplane.NetnsPair;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test fixture: a way out of network namespaces to a server the test runs in the root namespace (a
 * real API server relayed on {@link #hostAddress()}), without touching the namespaces' VRRP
 * segment. A bridge {@code vipkw-XXXXbr} in the root namespace holds the first address of a free
 * /29 of 198.51.100.0/24 (the system lab uses 203.0.113.0/24 for its host link, so the two never
 * meet); each namespace gets a veth {@code api0} with the next address. Only that /29 is routed
 * there. {@link #close()} and a shutdown hook delete the bridge and the root ends of the veths.
 */
final class ApiUplink implements AutoCloseable {

  static final String IFACE = "api0";

  private final String id =
      "vipkw-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  private final String bridge = id + "br";
  private final List<String> rootEnds = new ArrayList<>();
  private final Thread cleanupHook = new Thread(this::delete);
  private final InetAddress hostAddress;

  ApiUplink(List<String> namespaces) throws IOException {
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    try {
      int base = freeBlock();
      hostAddress = InetAddress.getByName("198.51.100." + (base + 1));
      NetnsPair.ip("link", "add", bridge, "type", "bridge");
      NetnsPair.ip("addr", "add", hostAddress.getHostAddress() + "/29", "dev", bridge);
      NetnsPair.ip("link", "set", bridge, "up");
      for (int i = 0; i < namespaces.size(); i++) {
        String ns = namespaces.get(i);
        String rootEnd = id + (char) ('a' + i);
        NetnsPair.ip("link", "add", rootEnd, "type", "veth", "peer", "name", IFACE, "netns", ns);
        rootEnds.add(rootEnd);
        NetnsPair.ip("link", "set", rootEnd, "master", bridge, "up");
        NetnsPair.exec(
            ns, "ip", "addr", "add", "198.51.100." + (base + 2 + i) + "/29", "dev", IFACE);
        NetnsPair.exec(ns, "ip", "link", "set", IFACE, "up");
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The root namespace's address on the uplink: where the namespaces reach the test's server. */
  InetAddress hostAddress() {
    return hostAddress;
  }

  /**
   * The first /29 none of whose addresses the root namespace has (parallel test JVMs pick different
   * ones).
   */
  private static int freeBlock() throws IOException {
    String used = NetnsPair.ip("-4", "-o", "addr", "show");
    int start = ThreadLocalRandom.current().nextInt(32);
    for (int i = 0; i < 32; i++) {
      int base = ((start + i) % 32) * 8;
      if (!used.contains(" 198.51.100." + (base + 1) + "/")) {
        return base;
      }
    }
    throw new IOException("no free /29 in 198.51.100.0/24");
  }

  private void delete() {
    List<String> links = new ArrayList<>(rootEnds);
    links.add(bridge);
    for (String link : links) {
      try {
        NetnsPair.ip("link", "del", link);
      } catch (IOException ignored) {
        // gone with its namespace, or never made
      }
    }
  }

  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    } catch (IllegalStateException ignored) {
      // JVM already shutting down; the hook runs anyway
    }
  }
}
