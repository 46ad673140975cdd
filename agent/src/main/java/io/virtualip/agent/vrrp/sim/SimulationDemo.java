package io.virtualip.agent.vrrp.sim;

import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.PeerTable;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A printed walk through the life of one virtual IP on three nodes: election, a partition that
 * makes two masters, the operator ending it with a step-down, the link healing, and the master
 * crashing. The system harness runs it as a demo; {@code main} prints it to stdout.
 */
public final class SimulationDemo {
  private final SimulatedNetwork net = new SimulatedNetwork(1);
  private final PrintStream out;

  private SimulationDemo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the story on a virtual clock (it takes milliseconds) and prints it to {@code out}. */
  public static void run(PrintStream out) {
    new SimulationDemo(out).story();
  }

  private SimRouter node(int host, int priority) {
    return net.addRouter(
        InstanceConfig.builder(51, address("192.0.2." + host), address("203.0.113.51"))
            .priority(priority)
            .build());
  }

  private void story() {
    SimRouter a = node(11, 150);
    SimRouter b = node(12, 120);
    SimRouter c = node(13, 100);
    net.onTransition(t -> out.println("  " + t));

    say("three nodes start (priorities 150, 120, 100), VIP 203.0.113.51");
    for (SimRouter r : net.routers()) {
      r.startup();
    }
    net.runFor(Duration.ofSeconds(20));
    masters();

    say("the link to " + a.name() + " breaks: it keeps the VIP, the others elect a second master");
    net.partition(List.of(a));
    net.runFor(Duration.ofSeconds(20));
    masters();
    peersOf(c);

    say("the operator ends the split brain: " + a.name() + " steps down for 60s");
    a.stepDown(Duration.ofSeconds(60), "split brain with " + b.name());
    net.runFor(Duration.ofSeconds(10));
    masters();
    say("the link heals; " + a.name() + " follows " + b.name() + " while the hold lasts");
    net.heal();
    net.runFor(Duration.ofSeconds(20));
    masters();

    say("the hold ends at 100s; then " + a.name() + " has the highest priority and preempts");
    net.runFor(Duration.ofSeconds(35));
    masters();

    say(a.name() + " crashes without a word");
    a.crash();
    net.runFor(Duration.ofSeconds(10));
    masters();
  }

  private void say(String what) {
    out.printf(Locale.ROOT, "%10.3fs == %s%n", net.now() / 1e9, what);
  }

  private void masters() {
    StringBuilder sb = new StringBuilder();
    for (SimRouter m : net.masters()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(m.name());
    }
    out.println("             masters now: [" + sb + "]");
  }

  private void peersOf(SimRouter r) {
    for (PeerTable.PeerStatus p : r.instance().status().peers()) {
      out.printf(
          Locale.ROOT,
          "             %s hears %s: priority %d, last heard %.2fs ago%n",
          r.name(),
          p.address().getHostAddress(),
          p.lastPriority(),
          (net.now() - p.lastHeardNanos()) / 1e9);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
