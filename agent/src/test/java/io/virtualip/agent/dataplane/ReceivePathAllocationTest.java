package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The advertisement path must not allocate: a master sends one advert per interval and every backup
 * receives it, forever, and garbage there means GC pauses exactly where timing matters. Measured
 * with the JVM's per-thread allocation counter around 10,000 send + receive round trips, after a
 * warm-up that lets jnr generate its stubs.
 */
class ReceivePathAllocationTest {

  private static final int ROUNDS = 10_000;
  private NetnsPair pair;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root("network namespaces and raw sockets");
    pair = new NetnsPair();
  }

  @AfterEach
  void tearDown() {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void ipv4SendAndReceiveAllocateNothing() throws Exception {
    try (VrrpSocket sender =
            NetworkNamespace.call(
                pair.a,
                () ->
                    VrrpSocket.openIpv4(
                        NetnsPair.IFACE, (Inet4Address) InetAddress.getByName("192.0.2.1")));
        VrrpSocket receiver =
            NetworkNamespace.call(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null))) {
      assertThat(allocatedBytesPerRound(sender, receiver)).isLessThan(1.0);
    }
  }

  @Test
  void ipv6SendAndReceiveWithAncillaryDataAllocateNothing() throws Exception {
    Inet6Address source = (Inet6Address) InetAddress.getByName(pair.linkLocal(pair.a));
    try (VrrpSocket sender =
            NetworkNamespace.call(pair.a, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, source));
        VrrpSocket receiver =
            NetworkNamespace.call(pair.b, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null))) {
      assertThat(allocatedBytesPerRound(sender, receiver)).isLessThan(1.0);
    }
  }

  private static double allocatedBytesPerRound(VrrpSocket sender, VrrpSocket receiver)
      throws Exception {
    ByteBuffer advert = ByteBuffer.allocateDirect(20);
    advert.put(0, (byte) 0x31).put(1, (byte) 51);
    ReceivedPacket packet = new ReceivedPacket();
    long hopLimitSum = 0;
    hopLimitSum += roundTrips(sender, receiver, advert, packet, 3_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    hopLimitSum += roundTrips(sender, receiver, advert, packet, ROUNDS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // Use the results so the loop cannot be optimised away, and check they were real packets.
    assertThat(hopLimitSum).isEqualTo(255L * (3_000 + ROUNDS));
    return (double) allocated / ROUNDS;
  }

  private static long roundTrips(
      VrrpSocket sender, VrrpSocket receiver, ByteBuffer advert, ReceivedPacket packet, int rounds)
      throws NativeException {
    long hopLimits = 0;
    for (int i = 0; i < rounds; i++) {
      sender.sendMulticast(advert);
      long spins = 0;
      while (!receiver.receive(packet)) {
        if (++spins > 50_000_000L) {
          throw new AssertionError("advert " + i + " never arrived");
        }
        Thread.onSpinWait();
      }
      hopLimits += packet.hopLimit();
    }
    return hopLimits;
  }
}
