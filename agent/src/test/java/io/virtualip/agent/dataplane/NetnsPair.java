package io.virtualip.agent.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: two network namespaces ({@code vipdp-<pid>-<n>a}, {@code ...b}) joined by a veth
 * pair named {@code veth0} on both sides, with documentation addresses 192.0.2.1/24 +
 * 2001:db8::1/64 (a) and 192.0.2.2/24 + 2001:db8::2/64 (b), DAD off so IPv6 addresses (link-local
 * too) are usable at once. Deleting the namespaces deletes the veth pair; a shutdown hook does it
 * too if the JVM dies before {@link #close()}.
 */
public final class NetnsPair implements AutoCloseable {

  public static final String IFACE = "veth0";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public final String a;
  public final String b;
  private final Thread cleanupHook;

  public NetnsPair() throws IOException {
    String base = "vipdp-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    a = base + "a";
    b = base + "b";
    cleanupHook = new Thread(this::deleteNamespaces);
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    try {
      for (String ns : List.of(a, b)) {
        ip("netns", "add", ns);
        exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
        exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
        exec(ns, "ip", "link", "set", "lo", "up");
      }
      ip(
          "link", "add", "name", IFACE, "netns", a, "type", "veth", "peer", "name", IFACE, "netns",
          b);
      setUp(a, "192.0.2.1/24", "2001:db8::1/64");
      setUp(b, "192.0.2.2/24", "2001:db8::2/64");
      awaitCarrier(a);
      awaitCarrier(b);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void setUp(String ns, String v4, String v6) throws IOException {
    exec(ns, "ip", "addr", "add", v4, "dev", IFACE);
    exec(ns, "ip", "addr", "add", v6, "dev", IFACE, "nodad");
    exec(ns, "ip", "link", "set", IFACE, "up");
  }

  /**
   * The kernel's linkwatch activates a new link's queueing discipline up to a second after "up";
   * until then it is {@code noop} and drops every frame, so tests wait for that rather than sleep.
   */
  static void awaitCarrier(String ns) throws IOException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      String link = exec(ns, "ip", "-o", "link", "show", "dev", IFACE);
      if (link.contains("state UP") && !link.contains("qdisc noop")) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    throw new IOException(IFACE + " in " + ns + " did not come up");
  }

  /** Runs a command inside {@code ns} and returns its standard output; fails on a non-zero exit. */
  public static String exec(String ns, String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(Arrays.asList(command));
    return run(full);
  }

  public static String ip(String... args) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip"));
    full.addAll(Arrays.asList(args));
    return run(full);
  }

  static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(command + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** The link-local address of veth0 in {@code ns}, e.g. fe80::1c2d:... */
  public String linkLocal(String ns) throws IOException {
    String out = exec(ns, "ip", "-6", "-o", "addr", "show", "dev", IFACE, "scope", "link");
    int start = out.indexOf("inet6 ") + 6;
    return out.substring(start, out.indexOf('/', start));
  }

  public String mac(String ns) throws IOException {
    String out = exec(ns, "cat", "/sys/class/net/" + IFACE + "/address");
    return out.trim();
  }

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void deleteNamespaces() {
    for (String ns : List.of(a, b)) {
      try {
        run(List.of("ip", "netns", "del", ns));
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
