package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.testkit.Requirements;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VrrpSocketTest {

  /** An arbitrary VRRP-shaped payload: the socket layer must carry it untouched. */
  private static final byte[] PAYLOAD = {
    0x31, 51, (byte) 151, 1, 0, 100, (byte) 0xab, (byte) 0xcd, (byte) 192, 0, 2, 100
  };

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
  void ipv4MulticastArrivesWithTtl255AndChosenSource() throws Exception {
    try (VrrpSocket sender =
            inNs(
                pair.a,
                () ->
                    VrrpSocket.openIpv4(
                        NetnsPair.IFACE, (Inet4Address) InetAddress.getByName("192.0.2.1")));
        VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null))) {
      sender.sendMulticast(ByteBuffer.wrap(PAYLOAD));
      ReceivedPacket packet = awaitPacket(receiver);

      assertThat(packet.hopLimit()).isEqualTo(255);
      assertThat(packet.sourceAddress().getHostAddress()).isEqualTo("192.0.2.1");
      assertThat(packet.destinationAddress().getHostAddress()).isEqualTo("224.0.0.18");
      assertThat(packet.payloadOffset()).isEqualTo(20);
      assertThat(packet.payloadCopy()).containsExactly(PAYLOAD);
      assertThat(packet.buffer().get(9)).as("IP protocol").isEqualTo((byte) 112);
      assertThat(packet.buffer().getShort(2))
          .as("IP total length, read in network order")
          .isEqualTo((short) 32);
    }
  }

  @Test
  void ipv6MulticastCarriesHopLimitAndDestinationInAncillaryData() throws Exception {
    Inet6Address linkLocal = (Inet6Address) InetAddress.getByName(pair.linkLocal(pair.a));
    try (VrrpSocket sender = inNs(pair.a, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, linkLocal));
        VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null))) {
      sender.sendMulticast(ByteBuffer.wrap(PAYLOAD));
      ReceivedPacket packet = awaitPacket(receiver);

      assertThat(packet.hopLimit()).isEqualTo(255);
      assertThat(packet.sourceAddress())
          .isEqualTo(InetAddress.getByAddress(linkLocal.getAddress()));
      assertThat(packet.destinationAddress().getHostAddress()).isEqualTo("ff02:0:0:0:0:0:0:12");
      assertThat(packet.interfaceIndex()).isEqualTo(receiver.interfaceIndex());
      assertThat(packet.payloadOffset()).isZero();
      assertThat(packet.payloadCopy())
          .as("kernel must not rewrite the VRRP checksum")
          .containsExactly(PAYLOAD);
    }
  }

  @Test
  void unicastToPeersKeepsTtl255() throws Exception {
    try (VrrpSocket sender =
            inNs(
                pair.a,
                () ->
                    VrrpSocket.openIpv4(
                        NetnsPair.IFACE, (Inet4Address) InetAddress.getByName("192.0.2.1")));
        VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null));
        VrrpSocket sender6 =
            inNs(
                pair.a,
                () ->
                    VrrpSocket.openIpv6(
                        NetnsPair.IFACE, (Inet6Address) InetAddress.getByName("2001:db8::1")));
        VrrpSocket receiver6 = inNs(pair.b, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null))) {
      sender.send(ByteBuffer.wrap(PAYLOAD), InetAddress.getByName("192.0.2.2").getAddress());
      ReceivedPacket packet = awaitPacket(receiver);
      assertThat(packet.hopLimit()).isEqualTo(255);
      assertThat(packet.destinationAddress().getHostAddress()).isEqualTo("192.0.2.2");

      sender6.send(ByteBuffer.wrap(PAYLOAD), InetAddress.getByName("2001:db8::2").getAddress());
      ReceivedPacket packet6 = awaitPacket(receiver6);
      assertThat(packet6.hopLimit()).isEqualTo(255);
      assertThat(packet6.sourceAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
      assertThat(packet6.destinationAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:2");
    }
  }

  /**
   * The Master_Down_Timer runs from an advert's arrival, which the kernel stamps, not from when we
   * read it: an event loop that reads each datagram 20 ms after it saw it must still date it no
   * later than that wake-up. (Relative to the wake-up, not to the send: on a loaded machine the
   * kernel may deliver the datagram late.)
   */
  @Test
  void kernelStampsWhenEachDatagramArrived() throws Exception {
    try (VrrpSocket sender = inNs(pair.a, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null));
        VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null));
        VrrpSocket sender6 = inNs(pair.a, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null));
        VrrpSocket receiver6 = inNs(pair.b, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null));
        EventLoop loop = new EventLoop()) {
      Map<Boolean, long[]> seen = new ConcurrentHashMap<>(); // ipv6 -> {woke, arrival, read, stamp}
      CountDownLatch both = new CountDownLatch(2);
      for (VrrpSocket socket : List.of(receiver, receiver6)) {
        ReceivedPacket packet = new ReceivedPacket();
        loop.register(
            socket.fd(),
            () -> {
              long woke = loop.wokeAtNanos();
              while (System.nanoTime() - woke < 20_000_000) {
                Thread.onSpinWait();
              }
              while (socket.receive(packet)) {
                seen.put(
                    packet.ipv6(),
                    new long[] {
                      woke,
                      loop.arrivalNanos(packet.arrivalRealtimeNanos()),
                      System.nanoTime(),
                      packet.arrivalRealtimeNanos()
                    });
                both.countDown();
              }
            });
      }
      loop.start("stamp-test");
      long sentAt = System.nanoTime();
      sender.send(ByteBuffer.wrap(PAYLOAD), VrrpSocket.IPV4_GROUP);
      sender6.send(ByteBuffer.wrap(PAYLOAD), VrrpSocket.IPV6_GROUP);

      assertThat(both.await(5, TimeUnit.SECONDS)).as("both datagrams received").isTrue();
      for (long[] times : seen.values()) {
        // Without a stamp arrivalNanos falls back to the wake-up, and the bounds below would hold
        // anyway.
        assertThat(times[3]).as("SO_TIMESTAMPNS stamp").isPositive();
        long woke = times[0];
        long arrival = times[1];
        long read = times[2];
        assertThat(arrival).isBetween(sentAt - 1_000_000, woke + 1_000_000);
        assertThat(read - arrival)
            .as("dated by arrival, not by the read")
            .isGreaterThan(19_000_000);
      }
    }
  }

  @Test
  void kernelLeavesTheIpv6VrrpChecksumToUs() throws Exception {
    try (VrrpSocket socket = inNs(pair.a, () -> VrrpSocket.openIpv6(NetnsPair.IFACE, null))) {
      // -1: the kernel neither computes nor checks a checksum on this raw socket (RFC 3542 §3.1).
      assertThat(
              Sockets.getInt(
                  socket.fd(), Native.IPPROTO_IPV6, Native.IPV6_CHECKSUM, "IPV6_CHECKSUM"))
          .isEqualTo(-1);
    }
  }

  /**
   * Issue 14: adverts of all 255 VRIDs arriving back to back, twice, while nobody reads, all wait
   * in the socket (with the default buffer about 270 fitted and the rest were dropped: missed
   * adverts, and after three a backup takes over).
   */
  @Test
  void twoBurstsOfEveryVridsAdvertWaitInTheSocketWhileNobodyReads() throws Exception {
    try (VrrpSocket sender = inNs(pair.a, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null));
        VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null))) {
      byte[] advert = PAYLOAD.clone();
      for (int burst = 0; burst < 2; burst++) {
        for (int vrid = 1; vrid <= 255; vrid++) {
          advert[1] = (byte) vrid;
          sender.sendMulticast(ByteBuffer.wrap(advert));
        }
      }
      // Read only now, until a second passes without a packet: the kernel may still be delivering.
      ReceivedPacket packet = new ReceivedPacket();
      int received = 0;
      long quietSince = System.nanoTime();
      while (received < 2 * 255 && System.nanoTime() - quietSince < 1_000_000_000L) {
        if (receiver.receive(packet)) {
          received++;
          quietSince = System.nanoTime();
        } else {
          Thread.sleep(5);
        }
      }
      assertThat(received).isEqualTo(2 * 255);
    }
  }

  @Test
  void receiveReturnsFalseWhenNothingIsWaiting() throws Exception {
    try (VrrpSocket receiver = inNs(pair.b, () -> VrrpSocket.openIpv4(NetnsPair.IFACE, null))) {
      assertThat(receiver.receive(new ReceivedPacket())).isFalse();
    }
  }

  static ReceivedPacket awaitPacket(VrrpSocket socket) throws Exception {
    ReceivedPacket packet = new ReceivedPacket();
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (socket.receive(packet)) {
        return packet;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no VRRP packet within 2 s on " + socket.interfaceName());
  }

  static <T> T inNs(String ns, NetworkNamespace.Action<T> action) throws Exception {
    return NetworkNamespace.call(ns, action);
  }
}
