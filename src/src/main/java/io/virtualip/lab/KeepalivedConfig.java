package io.virtualip.lab;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One keepalived {@code vrrp_instance}, rendered by {@link #render()} into a complete {@code
 * keepalived.conf}.
 *
 * @param version VRRP version, 2 (RFC 3768) or 3 (RFC 5798)
 * @param vrid Virtual Router Identifier, 1-255
 * @param priority 1-254 for a backup, 255 for the address owner
 * @param advertInterval Advertisement_Interval; whole seconds for version 2, centiseconds for
 *     version 3
 * @param authPass simple-password authentication (version 2 only); keepalived sends at most 8 bytes
 *     of it
 * @param unicastPeers peer addresses for unicast advertisements; empty for multicast
 * @param vips virtual addresses with prefix length, e.g. {@code 192.0.2.100/24}, in wire order
 * @param iface the interface keepalived runs on (the lab's {@link Lab#IFACE})
 */
public record KeepalivedConfig(
    int version,
    int vrid,
    int priority,
    Duration advertInterval,
    Optional<String> authPass,
    List<String> unicastPeers,
    List<String> vips,
    String iface) {

  public KeepalivedConfig {
    if (version != 2 && version != 3) {
      throw new IllegalArgumentException("VRRP version must be 2 or 3: " + version);
    }
    if (vrid < 1 || vrid > 255) {
      throw new IllegalArgumentException("VRID must be 1-255: " + vrid);
    }
    if (priority < 1 || priority > 255) {
      throw new IllegalArgumentException(
          "priority must be 1-255 (0 is only sent, never configured): " + priority);
    }
    long millis = advertInterval.toMillis();
    if (version == 2
        ? millis % 1000 != 0 || millis < 1000 || millis > 255_000
        : millis % 10 != 0 || millis < 10 || millis > 40_950) {
      throw new IllegalArgumentException(
          "advertisement interval " + advertInterval + " cannot be sent in VRRPv" + version);
    }
    if (authPass.isPresent() && version != 2) {
      throw new IllegalArgumentException(
          "authentication exists only in VRRPv2 (RFC 5798 removed it)");
    }
    if (vips.isEmpty()) {
      throw new IllegalArgumentException("at least one VIP is needed");
    }
    unicastPeers = List.copyOf(unicastPeers);
    vips = List.copyOf(vips);
  }

  /** A multicast instance on {@link Lab#IFACE} with a 1 s interval and no authentication. */
  public static KeepalivedConfig of(int version, int vrid, int priority, String... vips) {
    return new KeepalivedConfig(
        version,
        vrid,
        priority,
        Duration.ofSeconds(1),
        Optional.empty(),
        List.of(),
        List.of(vips),
        Lab.IFACE);
  }

  public KeepalivedConfig withAuthPass(String password) {
    return new KeepalivedConfig(
        version, vrid, priority, advertInterval, Optional.of(password), unicastPeers, vips, iface);
  }

  public KeepalivedConfig withAdvertInterval(Duration interval) {
    return new KeepalivedConfig(
        version, vrid, priority, interval, authPass, unicastPeers, vips, iface);
  }

  public KeepalivedConfig withUnicastPeers(String... peers) {
    return new KeepalivedConfig(
        version, vrid, priority, advertInterval, authPass, List.of(peers), vips, iface);
  }

  public KeepalivedConfig withPriority(int newPriority) {
    return new KeepalivedConfig(
        version, vrid, newPriority, advertInterval, authPass, unicastPeers, vips, iface);
  }

  /** keepalived's name for the instance; it appears in every log line about it. */
  public String instanceName() {
    return "VI_" + vrid;
  }

  /**
   * The whole configuration file. Every instance starts as BACKUP and wins by priority, as RFC 3768
   * intends.
   */
  public String render() {
    return render(List.of(this));
  }

  /**
   * One configuration file with several instances (VRIDs must differ), e.g. to measure keepalived
   * with ten.
   */
  public static String render(List<KeepalivedConfig> instances) {
    StringBuilder conf = new StringBuilder();
    conf.append("global_defs {\n    router_id ")
        .append(instances.get(0).instanceName())
        .append("\n}\n");
    instances.forEach(instance -> conf.append('\n').append(instance.renderInstance()));
    return conf.toString();
  }

  private String renderInstance() {
    StringBuilder conf = new StringBuilder();
    conf.append("vrrp_instance ").append(instanceName()).append(" {\n");
    conf.append("    version ").append(version).append('\n');
    conf.append("    state BACKUP\n");
    conf.append("    interface ").append(iface).append('\n');
    conf.append("    virtual_router_id ").append(vrid).append('\n');
    conf.append("    priority ").append(priority).append('\n');
    conf.append("    advert_int ")
        .append(
            BigDecimal.valueOf(advertInterval.toMillis(), 3).stripTrailingZeros().toPlainString())
        .append('\n');
    authPass.ifPresent(
        pass ->
            conf.append("    authentication {\n        auth_type PASS\n        auth_pass ")
                .append(pass)
                .append("\n    }\n"));
    if (!unicastPeers.isEmpty()) {
      conf.append("    unicast_peer {\n").append(block(unicastPeers)).append("    }\n");
    }
    conf.append("    virtual_ipaddress {\n").append(block(vips)).append("    }\n");
    return conf.append("}\n").toString();
  }

  private static String block(List<String> lines) {
    return lines.stream().map(line -> "        " + line + "\n").collect(Collectors.joining());
  }
}
