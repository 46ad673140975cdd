package io.virtualip.lab;

import io.virtualip.testkit.net.PacketCapture;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the segment who has an IPv4 address, the way a client or the upstream router finds the VIP:
 * it clears the neighbour entry, sends one UDP datagram to the address (which makes the kernel
 * broadcast an ARP request) and records every ARP reply that comes back. More than one MAC
 * answering for a VIP is split brain seen from outside.
 *
 * <p>Uses only tcpdump and bash's {@code /dev/udp}: no ping or arping is needed.
 */
public final class ArpProbe {

  private static final Duration LISTEN = Duration.ofSeconds(1);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Pattern REPLY = Pattern.compile("Reply (\\S+) is-at ([0-9a-f:]{17})");

  private ArpProbe() {}

  /**
   * The MAC addresses that answered an ARP request for {@code ipv4} sent from {@code from}, in
   * arrival order.
   */
  public static Set<String> whoHas(Lab lab, Node from, String ipv4) {
    String name = "arp-probe-" + from.name() + "-" + SEQUENCE.incrementAndGet();
    // -e prints link-level headers, -l line-buffers so the log is complete once tcpdump exits;
    // arp[6:2] is the opcode.
    try (BackgroundProcess tcpdump =
        lab.start(
            from, name, "tcpdump", "-n", "-e", "-l", "-i", from.iface(), "arp and arp[6:2] = 2")) {
      tcpdump.awaitOutput(PacketCapture.READY, PacketCapture.START_TIMEOUT);
      lab.exec(from, "ip", "neigh", "flush", "to", ipv4, "dev", from.iface()).orThrow();
      lab.exec(from, "bash", "-c", "echo probe > /dev/udp/" + ipv4 + "/9").orThrow();
      Await.sleep(LISTEN);
      tcpdump.terminate(Duration.ofSeconds(5));
      Set<String> macs = new LinkedHashSet<>();
      Matcher m = REPLY.matcher(tcpdump.output());
      while (m.find()) {
        if (m.group(1).equals(ipv4)) {
          macs.add(m.group(2));
        }
      }
      return macs;
    }
  }
}
