package io.virtualip.lab;

import io.virtualip.testkit.net.PacketCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the interop and split-brain tests observe on the wire: captures, advert timelines, who
 * answers for a VIP.
 */
final class Wire {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern LLADDR = Pattern.compile("lladdr ([0-9a-f:]{17})");

  /**
   * One advertisement as captured.
   *
   * @param seconds capture timestamp (epoch seconds, microsecond resolution)
   */
  record Advert(double seconds, String source, int priority) {}

  private Wire() {}

  /** A capture of VRRP, IPv4 and IPv6, on {@code node}. */
  static PacketCapture capture(Lab lab, Node node, String name) {
    return lab.capture(node, name, "ip proto 112 or ip6 proto 112");
  }

  /** Every VRRP advert in {@code pcap}, in capture order, with its timestamp. */
  static List<Advert> adverts(Path pcap) {
    String fields =
        Commands.run(
                TIMEOUT,
                List.of(
                    "tshark",
                    "-n",
                    "-r",
                    pcap.toString(),
                    "-Y",
                    "vrrp",
                    "-T",
                    "fields",
                    "-E",
                    "separator=/t",
                    "-e",
                    "frame.time_epoch",
                    "-e",
                    "ip.src",
                    "-e",
                    "ipv6.src",
                    "-e",
                    "vrrp.prio"))
            .orThrow()
            .stdout();
    return fields
        .lines()
        .filter(line -> !line.isBlank())
        .map(
            line -> {
              String[] f = line.split("\t", -1);
              return new Advert(
                  Double.parseDouble(f[0]), f[1].isEmpty() ? f[2] : f[1], Integer.parseInt(f[3]));
            })
        .toList();
  }

  /**
   * The address {@code node} sends adverts from: its IPv4 address, or for VRRPv3 over IPv6 its
   * link-local one.
   */
  static String advertSource(Lab lab, Node node, VirtualRouter router) {
    if (!router.ipv6()) {
      return node.ipv4Text();
    }
    if (router.unicast()) {
      return node.ipv6Text();
    }
    String out =
        lab.exec(node, "ip", "-6", "-o", "addr", "show", "dev", node.iface(), "scope", "link")
            .orThrow()
            .stdout();
    Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/").matcher(out);
    if (!m.find()) {
      throw new LabException(node.name() + " has no IPv6 link-local address: " + out);
    }
    return m.group(1);
  }

  /**
   * The MACs that answer for {@code vip} as seen from {@code from}: every ARP reply for IPv4 (two
   * means split brain), the neighbour entry that neighbour discovery resolves for IPv6.
   */
  static Set<String> whoHas(Lab lab, Node from, String vip) {
    if (!vip.contains(":")) {
      return ArpProbe.whoHas(lab, from, vip);
    }
    lab.exec(from, "ip", "-6", "neigh", "flush", "to", vip, "dev", from.iface()).orThrow();
    // Any datagram to the VIP makes the kernel send a neighbour solicitation; bash needs no ping6
    // for it.
    lab.exec(from, "bash", "-c", "echo probe > /dev/udp/" + vip + "/9").orThrow();
    String[] mac = new String[1];
    Await.until(
        "neighbour discovery for " + vip + " from " + from.name(),
        Duration.ofSeconds(5),
        () -> {
          Matcher m =
              LLADDR.matcher(
                  lab.exec(from, "ip", "-6", "neigh", "show", "to", vip, "dev", from.iface())
                      .orThrow()
                      .stdout());
          mac[0] = m.find() ? m.group(1) : null;
          return mac[0] != null;
        });
    return Set.of(mac[0]);
  }
}
