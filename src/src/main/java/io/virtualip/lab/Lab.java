package io.virtualip.lab;

import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.net.PacketCapture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away Ethernet segment made of network namespaces: a bridge in a namespace of its own and
 * {@code N} node namespaces, each with an {@code eth0} veth plugged into the bridge and
 * documentation addresses (node {@code i} has 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64). Nothing
 * is created in the root namespace unless {@link #connectHost()} is called, and then only one veth
 * end that disappears with the lab's bridge namespace.
 *
 * <p>Names are {@code <prefix><pid>-<random>-<suffix>}, so labs of parallel JVMs never collide, and
 * a new lab removes the namespaces of labs whose JVM died without cleaning up. {@link #close()}
 * removes everything the lab made; a shutdown hook closes labs that are still open when the JVM
 * exits. Needs root and iproute2.
 */
public final class Lab implements AutoCloseable {

  public static final int IPV4_PREFIX_LENGTH = 24;
  public static final int IPV6_PREFIX_LENGTH = 64;

  /**
   * Node addresses end at .90 / ::90, so VIPs from 192.0.2.100 and 2001:db8::100 up never clash
   * with a node.
   */
  public static final int MAX_NODES = 80;

  /** The interface name of every node inside its namespace. */
  public static final String IFACE = "eth0";

  private static final String VRRP_DROP_TABLE = "lab_vrrp_drop";

  /**
   * The bridge namespace's address on the segment: the nodes' gateway to {@link #connectHost() the
   * host link}.
   */
  public static final String GATEWAY = "192.0.2.254";

  private static final String UPLINK = "up0";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();

  /**
   * {@code <prefix><pid>-<random>-br} or {@code -n<i>}: what {@link #removeAbandoned} looks for.
   */
  private static final Pattern LAB_NAMESPACE =
      Pattern.compile("^(\\S+?)(\\d+)-[0-9a-f]{4}-(br|n\\d+)\\b");

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Lab::closeAllOpen, "lab-cleanup"));
  }

  private final String id;
  private final String prefix;
  private final String bridgeNamespace;
  private final String bridge;
  private final List<Node> nodes;
  private final Path workDir;
  private final List<BackgroundProcess> processes = Collections.synchronizedList(new ArrayList<>());
  private final List<PacketCapture> captures = Collections.synchronizedList(new ArrayList<>());
  private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
  private volatile Inet4Address hostAddress;
  private volatile Inet4Address uplinkAddress;
  private volatile String hostLink;

  private Lab(String prefix, int nodeCount, Path workRoot) {
    this.prefix = prefix;
    this.id =
        prefix
            + ProcessHandle.current().pid()
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    this.bridgeNamespace = id + "-br";
    this.bridge = prefix + "br0";
    this.workDir = workRoot.resolve(id);
    List<Node> made = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      int host = 10 + i;
      made.add(
          new Node(
              "n" + i,
              id + "-n" + i,
              IFACE,
              String.format("02:00:00:00:00:%02x", host),
              Addresses.ipv4("192.0.2." + host),
              Addresses.ipv6("2001:db8::" + host)));
    }
    this.nodes = List.copyOf(made);
  }

  /**
   * Builds a lab of {@code nodeCount} nodes; its logs go under {@code target/lab/<id>/}.
   *
   * @param prefix names of everything the lab creates start with it (e.g. {@code "vipfx-"}); at
   *     most 7 characters, because the bridge name {@code <prefix>br0} and the host link {@code
   *     <prefix>h<4 hex>} must fit in 15
   */
  public static Lab create(String prefix, int nodeCount) {
    return create(prefix, nodeCount, Path.of("target", "lab"));
  }

  public static Lab create(String prefix, int nodeCount, Path workRoot) {
    if (!prefix.matches("[a-z][a-z0-9-]{0,6}")) {
      throw new IllegalArgumentException(
          "prefix must be 1-7 of [a-z0-9-], starting with a letter: " + prefix);
    }
    if (nodeCount < 1 || nodeCount > MAX_NODES) {
      throw new IllegalArgumentException("nodeCount must be 1-" + MAX_NODES + ": " + nodeCount);
    }
    removeAbandoned(prefix);
    Lab lab = new Lab(prefix, nodeCount, workRoot);
    OPEN.add(lab);
    try {
      lab.build();
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** Whether this JVM runs as root, which every lab operation needs. */
  public static boolean isRoot() {
    return Requirements.isRoot();
  }

  /** Whether {@code tool} is an executable on the PATH. */
  public static boolean hasTool(String tool) {
    return Requirements.hasTool(tool);
  }

  private void build() {
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    addNamespace(bridgeNamespace);
    // The bridge namespace only switches frames; without IPv6 it sends no router solicitations or
    // MLD reports.
    Commands.run(
            COMMAND_TIMEOUT,
            sysctl(
                bridgeNamespace,
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1"))
        .orThrow();
    // Nor does it filter them: where br_netfilter is loaded (Docker loads it), every bridged IPv4
    // frame would also pass the iptables hooks, in the softirq of the sending process (a veth
    // delivers in the sender's context), so a router's CPU would include them: with 255 routers at
    // 100 ms, a quarter of the sender's time. A segment's switch does no such thing. Per namespace,
    // and absent (nothing to turn off) without br_netfilter, hence no orThrow.
    Commands.run(
        COMMAND_TIMEOUT,
        sysctl(
            bridgeNamespace,
            "net.bridge.bridge-nf-call-iptables=0",
            "net.bridge.bridge-nf-call-ip6tables=0",
            "net.bridge.bridge-nf-call-arptables=0"));
    // No snooping: VRRP multicast (224.0.0.18, ff02::12) reaches every port whether or not anyone
    // joined.
    ip(bridgeNamespace, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0");
    ip(bridgeNamespace, "link", "set", bridge, "up");
    for (Node node : nodes) {
      addNode(node);
    }
  }

  private void addNode(Node node) {
    addNamespace(node.namespace());
    // DAD off before the veth exists, so IPv6 addresses (link-local included) are usable
    // immediately.
    Commands.run(
            COMMAND_TIMEOUT,
            sysctl(
                node.namespace(),
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0"))
        .orThrow();
    String port = "p-" + node.name();
    ip(
        bridgeNamespace,
        "link",
        "add",
        port,
        "type",
        "veth",
        "peer",
        "name",
        IFACE,
        "netns",
        node.namespace());
    ip(bridgeNamespace, "link", "set", port, "master", bridge, "up");
    ip(node.namespace(), "link", "set", "lo", "up");
    ip(node.namespace(), "link", "set", IFACE, "address", node.mac(), "up");
    ip(node.namespace(), "addr", "add", node.ipv4Text() + "/" + IPV4_PREFIX_LENGTH, "dev", IFACE);
    ip(node.namespace(), "addr", "add", node.ipv6Text() + "/" + IPV6_PREFIX_LENGTH, "dev", IFACE);
  }

  private void addNamespace(String namespace) {
    run("ip", "netns", "add", namespace);
    namespaces.add(namespace);
  }

  /** The unique name of this lab instance, also the directory name under the work root. */
  public String id() {
    return id;
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** Node {@code number}, counted from 1 like the addresses. */
  public Node node(int number) {
    return nodes.get(number - 1);
  }

  /** Where logs, captures and configuration files of this lab go. */
  public Path workDir() {
    return workDir;
  }

  /**
   * Runs {@code command} inside {@code node}'s namespace and waits for it; see {@link
   * ExecResult#orThrow()}.
   */
  public ExecResult exec(Node node, String... command) {
    return Commands.run(COMMAND_TIMEOUT, inNamespace(node, command));
  }

  /**
   * Starts {@code command} inside {@code node}'s namespace; its output goes to {@code
   * <workDir>/<name>.log}. The process is stopped when the lab closes, if it has not been closed
   * before.
   */
  public BackgroundProcess start(Node node, String name, String... command) {
    return launch(name, new ProcessBuilder(inNamespace(node, command)));
  }

  /**
   * Captures on {@code node}'s interface into {@code <workDir>/<name>.pcap} (tcpdump's messages in
   * {@code <name>.log}), ready when this returns and stopped when the lab closes. Decode it with
   * {@link Tshark#decodeVrrp(Path)} after {@link PacketCapture#stop()}.
   *
   * @param filter a pcap filter, e.g. {@code "ip proto 112 or ip6 proto 112"} for VRRP
   */
  public PacketCapture capture(Node node, String name, String filter) {
    PacketCapture capture =
        PacketCapture.start(
            node.namespace(), node.iface(), workDir.resolve(name + ".pcap"), filter);
    captures.add(capture);
    return capture;
  }

  /**
   * Lets the nodes reach programs in the root namespace (the lab's embedded Kubernetes API), which
   * they otherwise cannot: a veth from the bridge namespace to the root namespace on a /30 of
   * 203.0.113.0/24 (TEST-NET-3), the bridge namespace routing between it and the segment (its
   * bridge gets {@value #GATEWAY}/24) and masquerading the nodes behind its own uplink address, and
   * a host route to the returned address in every node.
   *
   * <p>Why not the segment's own subnet on the root side: the root namespace may already use
   * 192.0.2.0/24 (this machine's eth0 does), and parallel labs would each add a route for it. With
   * NAT the root namespace needs no route back to the nodes, and each lab's /30 is chosen free. The
   * root-side veth goes with the bridge namespace when the lab closes (or when an abandoned lab is
   * removed), so cleanup stays what it was.
   *
   * @return the root-namespace address to bind servers to, reachable from every node (idempotent)
   */
  public synchronized Inet4Address connectHost() {
    if (hostAddress != null) {
      return hostAddress;
    }
    String rootEnd = prefix + "h" + id.substring(id.length() - 4);
    int block = freeHostLinkBlock();
    String host = "203.0.113." + (block + 1);
    String uplink = "203.0.113." + (block + 2);
    run(
        "ip",
        "link",
        "add",
        rootEnd,
        "type",
        "veth",
        "peer",
        "name",
        UPLINK,
        "netns",
        bridgeNamespace);
    hostLink = rootEnd;
    run("ip", "addr", "add", host + "/30", "dev", rootEnd);
    run("ip", "link", "set", rootEnd, "up");
    ip(bridgeNamespace, "addr", "add", uplink + "/30", "dev", UPLINK);
    ip(bridgeNamespace, "link", "set", UPLINK, "up");
    ip(bridgeNamespace, "addr", "add", GATEWAY + "/" + IPV4_PREFIX_LENGTH, "dev", bridge);
    Commands.run(COMMAND_TIMEOUT, sysctl(bridgeNamespace, "net.ipv4.ip_forward=1")).orThrow();
    Path rules = workDir.resolve("host-link-nat.nft");
    write(
        rules,
        """
                table ip lab_host_link {
                    chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "%s" masquerade
                    }
                }
                """
            .formatted(UPLINK));
    run("ip", "netns", "exec", bridgeNamespace, "nft", "-f", rules.toAbsolutePath().toString());
    for (Node node : nodes) {
      ip(node.namespace(), "route", "add", host + "/32", "via", GATEWAY);
    }
    uplinkAddress = Addresses.ipv4(uplink);
    hostAddress = Addresses.ipv4(host);
    return hostAddress;
  }

  /**
   * The bridge namespace's end of the {@link #connectHost() host link}: the root namespace reaches
   * it directly, and a program {@link #startInBridge started in the bridge namespace} reaches every
   * node (e.g. a Prometheus that scrapes the agents and serves its API to the root namespace on
   * this address).
   *
   * @throws IllegalStateException before {@link #connectHost()}
   */
  public Inet4Address uplinkAddress() {
    Inet4Address uplink = uplinkAddress;
    if (uplink == null) {
      throw new IllegalStateException("no host link yet: call connectHost() first");
    }
    return uplink;
  }

  /**
   * Starts {@code command} in the bridge namespace, which has {@value #GATEWAY} on the segment once
   * {@link #connectHost()} ran; output and cleanup as for {@link #start(Node, String, String...)}.
   */
  public BackgroundProcess startInBridge(String name, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", bridgeNamespace));
    full.addAll(List.of(command));
    return launch(name, new ProcessBuilder(full));
  }

  /**
   * The first /30 of 203.0.113.0/24 (from a per-lab start) with no address of it on any
   * root-namespace link.
   */
  private int freeHostLinkBlock() {
    String used =
        Commands.run(COMMAND_TIMEOUT, List.of("ip", "-4", "-o", "addr", "show")).orThrow().stdout();
    int start = Math.floorMod(id.hashCode(), 64);
    for (int i = 0; i < 64; i++) {
      int block = ((start + i) % 64) * 4;
      if (!used.contains(" 203.0.113." + (block + 1) + "/")
          && !used.contains(" 203.0.113." + (block + 2) + "/")) {
        return block;
      }
    }
    throw new LabException("no free /30 left in 203.0.113.0/24 for the host link");
  }

  /**
   * Starts {@code command} in the root namespace with {@code environment} added to this JVM's (for
   * programs that only talk to servers on the {@link #connectHost() host link}, such as the
   * operator); its output goes to {@code <workDir>/<name>.log} and it is stopped when the lab
   * closes.
   */
  public BackgroundProcess startOnHost(
      String name, Map<String, String> environment, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return launch(name, builder);
  }

  /**
   * Starts {@code builder}'s command with its output in {@code <workDir>/<name>.log}, stopped when
   * the lab closes.
   */
  private BackgroundProcess launch(String name, ProcessBuilder builder) {
    Path log = workDir.resolve(name + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    try {
      BackgroundProcess process = new BackgroundProcess(name, builder.start(), log);
      processes.add(process);
      return process;
    } catch (IOException e) {
      throw new LabException("cannot start " + String.join(" ", builder.command()), e);
    }
  }

  /** Sets {@code node}'s interface down: carrier lost, as when a cable is pulled. */
  public void linkDown(Node node) {
    ip(node.namespace(), "link", "set", IFACE, "down");
  }

  public void linkUp(Node node) {
    ip(node.namespace(), "link", "set", IFACE, "up");
  }

  /**
   * Makes {@code node}'s firewall drop incoming VRRP (IP protocol 112, IPv4 and IPv6), as the host
   * firewall did in the seed split-brain report: the node still sends advertisements but hears
   * none. Applied to the backup of a pair it produces two masters.
   */
  public void dropVrrp(Node node) {
    // Locally delivered packets reach the input hook before any raw socket, so keepalived (or our
    // agent) hears nothing, while tcpdump on the same node still sees the advertisements arrive.
    Path rules = workDir.resolve("vrrp-drop-" + node.name() + ".nft");
    write(
        rules,
        """
                table inet %s {
                    chain input {
                        type filter hook input priority filter; policy accept;
                        meta l4proto 112 counter drop
                    }
                }
                """
            .formatted(VRRP_DROP_TABLE));
    exec(node, "nft", "-f", rules.toAbsolutePath().toString()).orThrow();
  }

  /** Removes the drop installed by {@link #dropVrrp(Node)}. */
  public void allowVrrp(Node node) {
    exec(node, "nft", "delete", "table", "inet", VRRP_DROP_TABLE).orThrow();
  }

  /**
   * Stops the lab's processes and removes its namespaces (with them the veths and the bridge).
   * Idempotent.
   */
  @Override
  public void close() {
    List<PacketCapture> capturing;
    synchronized (captures) {
      capturing = List.copyOf(captures);
      captures.clear();
    }
    capturing.forEach(PacketCapture::close);
    List<BackgroundProcess> running;
    synchronized (processes) {
      running = List.copyOf(processes);
      processes.clear();
    }
    running.forEach(BackgroundProcess::close);
    List<String> made;
    synchronized (namespaces) {
      made = List.copyOf(namespaces);
      namespaces.clear();
    }
    // The kernel removes a deleted namespace's veths asynchronously; the root namespace's end goes
    // now.
    String link = hostLink;
    hostLink = null;
    if (link != null) {
      Commands.run(COMMAND_TIMEOUT, List.of("ip", "link", "del", link));
    }
    // Nodes first: deleting a node namespace destroys its veth end, and with it the peer on the
    // bridge.
    List<String> failures = new ArrayList<>();
    for (int i = made.size() - 1; i >= 0; i--) {
      try {
        ExecResult result =
            Commands.run(COMMAND_TIMEOUT, List.of("ip", "netns", "del", made.get(i)));
        if (!result.succeeded()) {
          failures.add(made.get(i) + ": " + result.stderr().strip());
        }
      } catch (LabException e) {
        failures.add(made.get(i) + ": " + e.getMessage());
      }
    }
    OPEN.remove(this);
    if (!failures.isEmpty()) {
      throw new LabException("could not remove namespaces of lab " + id + ": " + failures);
    }
  }

  private static void closeAllOpen() {
    for (Lab lab : List.copyOf(OPEN)) {
      try {
        lab.close();
      } catch (RuntimeException e) {
        System.err.println("lab-cleanup: " + e.getMessage());
      }
    }
  }

  /**
   * Deletes namespaces of labs with this prefix whose JVM is gone (killed before its shutdown hook
   * could run).
   */
  private static void removeAbandoned(String prefix) {
    ExecResult list = Commands.run(COMMAND_TIMEOUT, List.of("ip", "netns", "list"));
    for (String line : list.stdout().split("\n")) {
      Matcher m = LAB_NAMESPACE.matcher(line);
      if (m.find()
          && m.group(1).equals(prefix)
          && ProcessHandle.of(Long.parseLong(m.group(2))).map(p -> !p.isAlive()).orElse(true)) {
        Commands.run(COMMAND_TIMEOUT, List.of("ip", "netns", "del", line.split("\\s")[0]));
      }
    }
  }

  private static List<String> inNamespace(Node node, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", node.namespace()));
    full.addAll(List.of(command));
    return full;
  }

  /** Writes a small text file (configuration, rules) under the lab's work directory. */
  static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void createDirectories(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code sysctl -qw settings...} inside {@code namespace}. */
  private static List<String> sysctl(String namespace, String... settings) {
    List<String> command =
        new ArrayList<>(List.of("ip", "netns", "exec", namespace, "sysctl", "-qw"));
    command.addAll(List.of(settings));
    return command;
  }

  /** {@code ip -n NAMESPACE ARGS...}: an iproute2 command in one of the lab's namespaces. */
  private static void ip(String namespace, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
    command.addAll(List.of(args));
    Commands.run(COMMAND_TIMEOUT, command).orThrow();
  }

  private static void run(String... command) {
    Commands.run(COMMAND_TIMEOUT, List.of(command)).orThrow();
  }
}
