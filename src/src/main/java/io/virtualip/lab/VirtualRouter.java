package io.virtualip.lab;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One virtual router (RFC 5798 section 1.6: a VRID on a LAN) described once and configured for
 * either implementation, so a scenario can put our agent and keepalived on the same segment with
 * the same parameters.
 *
 * @param version VRRP version, 2 (RFC 3768) or 3 (RFC 5798)
 * @param vrid Virtual Router Identifier
 * @param advertInterval Advertisement_Interval
 * @param authPass VRRPv2 simple-text password, at most 8 bytes
 * @param unicast advertisements to each peer instead of the multicast group
 * @param vips virtual addresses with prefix length, all of one address family
 */
public record VirtualRouter(
    int version,
    int vrid,
    Duration advertInterval,
    Optional<String> authPass,
    boolean unicast,
    List<String> vips) {

  public VirtualRouter {
    vips = List.copyOf(vips);
    // KeepalivedConfig checks version, VRID, interval and authentication; the same limits hold for
    // our agent.
    new KeepalivedConfig(version, vrid, 100, advertInterval, authPass, List.of(), vips, Lab.IFACE);
  }

  public static VirtualRouter multicast(
      int version, int vrid, Duration advertInterval, String... vips) {
    return new VirtualRouter(version, vrid, advertInterval, Optional.empty(), false, List.of(vips));
  }

  public VirtualRouter withAuthPass(String password) {
    return new VirtualRouter(version, vrid, advertInterval, Optional.of(password), unicast, vips);
  }

  public VirtualRouter withUnicast() {
    return new VirtualRouter(version, vrid, advertInterval, authPass, true, vips);
  }

  public VirtualRouter withAdvertInterval(Duration interval) {
    return new VirtualRouter(version, vrid, interval, authPass, unicast, vips);
  }

  public boolean ipv6() {
    return vips.get(0).contains(":");
  }

  /** The VIPs without prefix length, as iproute2 prints them. */
  public List<String> vipAddresses() {
    return vips.stream()
        .map(vip -> Addresses.text(Addresses.parse(vip.substring(0, vip.indexOf('/')))))
        .toList();
  }

  /**
   * Removes this router's VIPs from {@code node} where present: what a crashed node's kernel would
   * forget with it, since a killed router leaves them configured. Also the clean-up between
   * scenarios on one lab.
   */
  public void removeVips(Lab lab, Node node) {
    for (String vip : vips) {
      lab.exec(
          node, "ip", "addr", "del", vip, "dev", node.iface()); // fails where absent: nothing to do
    }
  }

  /**
   * The name of our VirtualIP resource; it starts every log line of our agent about this router.
   */
  public String resourceName() {
    return "vi-" + vrid;
  }

  /**
   * Skew_Time of a backup with {@code priority}: RFC 3768 section 6.1 gives (256 - Priority) / 256
   * seconds; RFC 5798 section 6.1 scales it by Master_Adver_Interval.
   */
  public Duration skewTime(int priority) {
    long nanos =
        version == 2
            ? (256L - priority) * 1_000_000_000L / 256
            : (256L - priority) * advertInterval.toNanos() / 256;
    return Duration.ofNanos(nanos);
  }

  /** Master_Down_Interval: (3 * Advertisement_Interval) + Skew_Time, in both RFCs. */
  public Duration masterDownInterval(int priority) {
    return advertInterval.multipliedBy(3).plus(skewTime(priority));
  }

  /**
   * This router on {@code self} for keepalived; {@code peers} are the other routers' nodes (used
   * when unicast).
   */
  public KeepalivedConfig keepalived(int priority, List<Node> peers) {
    KeepalivedConfig config =
        KeepalivedConfig.of(version, vrid, priority, vips.toArray(String[]::new))
            .withAdvertInterval(advertInterval);
    if (authPass.isPresent()) {
      config = config.withAuthPass(authPass.get());
    }
    return unicast ? config.withUnicastPeers(peerAddresses(peers).toArray(String[]::new)) : config;
  }

  /**
   * Name of the Secret holding {@link #authPass()}; the agent reads it from {@code
   * <secrets-dir>/<name>/password}.
   */
  public String secretName() {
    return resourceName() + "-vrrp";
  }

  /** This router as a {@code VirtualIP} document for our agent on node {@code nodeName}. */
  public String virtualIp(String nodeName, int priority, List<Node> peers) {
    StringBuilder yaml =
        new StringBuilder(
            """
                apiVersion: virtualip.io/v1
                kind: VirtualIP
                metadata:
                  name: %s
                spec:
                  interface: %s
                  virtualRouterId: %d
                  version: %d
                  advertisementInterval: %s
                  priorities:
                    %s: %d
                """
                .formatted(
                    resourceName(), Lab.IFACE, vrid, version, interval(), nodeName, priority));
    yaml.append("  addresses:\n").append(list(vips));
    authPass.ifPresent(
        pass ->
            yaml.append(
                """
                  authentication:
                    type: Password
                    secretRef:
                      name: %s
                      key: password
                """
                    .formatted(secretName())));
    if (unicast) {
      yaml.append("  mode: Unicast\n  unicastPeers:\n").append(list(peerAddresses(peers)));
    }
    return yaml.toString();
  }

  private String interval() {
    long millis = advertInterval.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private List<String> peerAddresses(List<Node> peers) {
    return peers.stream().map(node -> ipv6() ? node.ipv6Text() : node.ipv4Text()).toList();
  }

  private static String list(List<String> items) {
    return items.stream().map(item -> "    - " + item + "\n").collect(Collectors.joining());
  }

  @Override
  public String toString() {
    return "VRRPv"
        + version
        + " VRID "
        + vrid
        + " "
        + (unicast ? "unicast" : "multicast")
        + " every "
        + BigDecimal.valueOf(advertInterval.toMillis(), 3).stripTrailingZeros().toPlainString()
        + "s"
        + authPass.map(pass -> " PASS").orElse("")
        + " "
        + vips;
  }
}
