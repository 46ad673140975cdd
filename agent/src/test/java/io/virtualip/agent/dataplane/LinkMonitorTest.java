package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.net.InetAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkMonitorTest {

  private record Event(String what, long atNanos) {}

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private NetnsPair pair;
  private EventLoop loop;
  private LinkMonitor monitor;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces");
    pair = new NetnsPair();
    loop = new EventLoop();
    monitor =
        NetworkNamespace.call(
            pair.a,
            () ->
                new LinkMonitor(
                    new LinkMonitor.Listener() {
                      @Override
                      public void linkChanged(Link link, boolean removed) {
                        events.add(
                            new Event(
                                (removed ? "removed " : "link ")
                                    + link.name()
                                    + " "
                                    + (link.usable() ? "usable" : link.describeState()),
                                System.nanoTime()));
                      }

                      @Override
                      public void addressChanged(InterfaceAddress address, boolean removed) {
                        events.add(
                            new Event(
                                (removed ? "deladdr " : "newaddr ")
                                    + address.address().getHostAddress(),
                                System.nanoTime()));
                      }

                      @Override
                      public void eventsLost() {
                        events.add(new Event("lost", System.nanoTime()));
                      }
                    }));
    loop.register(monitor.fd(), monitor::drain);
    loop.start("test-loop");
  }

  @AfterEach
  void tearDown() {
    if (loop != null) {
      loop.close();
    }
    if (monitor != null) {
      monitor.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void linkDownIsSeenWithin100Milliseconds() throws Exception {
    NetnsPair.exec(pair.a, "ip", "link", "set", NetnsPair.IFACE, "down");
    // `ip` exits only after the kernel applied the change, so "now" is later than the change: the
    // event must
    // arrive no more than 100 ms after this point (it usually has arrived already).
    long changed = System.nanoTime();
    Event event = await("link veth0 administratively down");
    assertThat(TimeUnit.NANOSECONDS.toMillis(event.atNanos() - changed)).isLessThan(100);
  }

  @Test
  void carrierLossOnThePeerSideIsSeen() throws Exception {
    // Taking the far end down removes our carrier: IFF_UP stays, IFF_RUNNING goes.
    NetnsPair.exec(pair.b, "ip", "link", "set", NetnsPair.IFACE, "down");
    await("link veth0 no carrier");
  }

  @Test
  void vanishingInterfaceIsSeen() throws Exception {
    NetnsPair.exec(pair.b, "ip", "link", "del", NetnsPair.IFACE);
    await("removed veth0");
  }

  @Test
  void addressChangesAreSeen() throws Exception {
    try (Rtnetlink netlink = NetworkNamespace.call(pair.a, Rtnetlink::new)) {
      Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();
      netlink.addAddress(veth, InetAddress.getByName("192.0.2.100"), 24);
      await("newaddr 192.0.2.100");
      netlink.removeAddress(veth.index(), InetAddress.getByName("192.0.2.100"), 24);
      await("deladdr 192.0.2.100");
    }
  }

  @Test
  void addressEventArrivesWithin100MillisecondsOfOurOwnChange() throws Exception {
    try (Rtnetlink netlink = NetworkNamespace.call(pair.a, Rtnetlink::new)) {
      Link veth = netlink.link(NetnsPair.IFACE).orElseThrow();
      long before = System.nanoTime();
      netlink.addAddress(veth, InetAddress.getByName("192.0.2.7"), 32);
      Event event = await("newaddr 192.0.2.7");
      assertThat(TimeUnit.NANOSECONDS.toMillis(event.atNanos() - before)).isLessThan(100);
    }
  }

  private Event await(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < deadline) {
      Event event = events.poll(50, TimeUnit.MILLISECONDS);
      if (event != null && event.what().startsWith(prefix)) {
        return event;
      }
    }
    throw new AssertionError("no event starting with '" + prefix + "'");
  }
}
