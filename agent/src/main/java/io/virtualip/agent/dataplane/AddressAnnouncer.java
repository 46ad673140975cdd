package io.virtualip.agent.dataplane;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Tells the segment that a virtual address now lives at this interface's MAC: gratuitous ARP for
 * IPv4 and unsolicited neighbour advertisements for IPv6 (RFC 5798 §6.4.1, RFC 826, RFC 4861
 * §7.2.6).
 *
 * <p>Gratuitous ARP is built as keepalived's vrrp_arp.c builds it: an Ethernet broadcast ARP
 * <em>request</em> whose sender and target protocol addresses are both the VIP and whose target
 * hardware address is the broadcast address, sent on an AF_PACKET socket (protocol 0, so it
 * receives nothing). The neighbour advertisement goes out on a raw ICMPv6 socket (the kernel fills
 * in the ICMPv6 checksum) from the VIP itself to all-nodes ff02::1 with hop limit 255, the Override
 * flag set and the Target Link-Layer Address option, like keepalived's vrrp_ndisc.c; unlike
 * keepalived we never set the Router flag, because a VIP holder is not necessarily a router. Both
 * sockets are opened by the constructor, in the caller's network namespace; a host without IPv6 can
 * still announce IPv4 addresses.
 */
public final class AddressAnnouncer implements AutoCloseable {

  private static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};
  private static final byte[] ALL_NODES = {
    (byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
  };
  private static final int ARP_FRAME_LENGTH = 42;
  private static final int NA_LENGTH = 32;
  private static final int ND_NEIGHBOR_ADVERT = 136;
  private static final int ND_NA_FLAG_OVERRIDE = 0x20000000;
  private static final int ND_OPT_TARGET_LINKADDR = 2;
  private static final int NDISC_HOPLIMIT = 255;

  private final String interfaceName;
  private final int interfaceIndex;
  private final byte[] mac;
  private final NativeBuffer frame = new NativeBuffer(128);
  private final NativeBuffer address = new NativeBuffer(SocketAddresses.SOCKADDR_STORAGE_SIZE);
  private final NativeBuffer control = new NativeBuffer(64);
  private final NativeBuffer iov = new NativeBuffer(16);
  private final NativeBuffer msg = new NativeBuffer(56);
  private final int packetFd;
  private final int icmpFd;
  private final NativeException icmpUnavailable;

  /**
   * Opens the sockets in the calling thread's network namespace.
   *
   * @param link the interface, as {@link Rtnetlink} reports it (its MAC goes into every
   *     announcement)
   */
  public AddressAnnouncer(Link link) throws NativeException {
    if (link.hardwareAddress().length != 6) {
      throw new IllegalArgumentException(
          link.name() + " has no Ethernet address; cannot announce on it");
    }
    this.interfaceName = link.name();
    this.interfaceIndex = link.index();
    this.mac = link.hardwareAddress().clone();
    this.packetFd =
        Sockets.open(Native.AF_PACKET, Native.SOCK_RAW, 0, "socket(AF_PACKET) for gratuitous ARP");
    int fd = -1;
    NativeException failure = null;
    try {
      fd = openIcmpv6();
    } catch (NativeException e) {
      failure = e;
    }
    this.icmpFd = fd;
    this.icmpUnavailable = failure;
  }

  public void announce(InetAddress vip) throws NativeException {
    if (vip instanceof Inet6Address) {
      sendUnsolicitedNeighborAdvertisement(vip.getAddress());
    } else {
      sendGratuitousArp(vip.getAddress());
    }
  }

  public void sendGratuitousArp(byte[] vip) throws NativeException {
    ByteBuffer f = frame.buffer();
    f.put(0, BROADCAST_MAC).put(6, mac);
    SocketAddresses.putBigEndianShort(f, 12, Native.ETH_P_ARP);
    SocketAddresses.putBigEndianShort(f, 14, 1); // ar_hrd: Ethernet
    SocketAddresses.putBigEndianShort(f, 16, 0x0800); // ar_pro: IPv4
    f.put(18, (byte) 6).put(19, (byte) 4); // ar_hln, ar_pln
    SocketAddresses.putBigEndianShort(f, 20, 1); // ar_op: request
    f.put(22, mac).put(28, vip, 0, 4); // sender = us, the VIP
    f.put(32, BROADCAST_MAC).put(38, vip, 0, 4); // target = broadcast, the VIP
    int addressLength =
        SocketAddresses.writeLinkLayer(
            address.buffer(), 0, Native.ETH_P_ARP, interfaceIndex, BROADCAST_MAC);
    Native.check(
        Native.LIBC.sendto(
            packetFd, frame.pointer(), ARP_FRAME_LENGTH, 0, address.pointer(), addressLength),
        "send gratuitous ARP on " + interfaceName);
  }

  public void sendUnsolicitedNeighborAdvertisement(byte[] vip) throws NativeException {
    if (icmpFd < 0) {
      throw icmpUnavailable;
    }
    ByteBuffer f = frame.buffer();
    f.put(0, (byte) ND_NEIGHBOR_ADVERT).put(1, (byte) 0).putShort(2, (short) 0);
    f.put(4, (byte) (ND_NA_FLAG_OVERRIDE >>> 24)).put(5, (byte) 0).putShort(6, (short) 0);
    f.put(8, vip, 0, 16);
    f.put(24, (byte) ND_OPT_TARGET_LINKADDR).put(25, (byte) 1).put(26, mac);
    int nameLength = SocketAddresses.writeInet6(address.buffer(), 0, ALL_NODES, interfaceIndex);
    // IPV6_PKTINFO: send from the VIP (so peers learn VIP -> our MAC from the source too) out of
    // this interface.
    ByteBuffer c = control.buffer();
    c.putLong(0, 16 + 20).putInt(8, Native.IPPROTO_IPV6).putInt(12, Native.IPV6_PKTINFO);
    c.put(16, vip, 0, 16).putInt(32, interfaceIndex);
    iov.buffer().putLong(0, frame.address()).putLong(8, NA_LENGTH);
    msg.buffer()
        .putLong(0, address.address())
        .putInt(8, nameLength)
        .putLong(16, iov.address())
        .putLong(24, 1)
        .putLong(32, control.address())
        .putLong(40, 40)
        .putInt(48, 0);
    Native.check(
        Native.LIBC.sendmsg(icmpFd, msg.pointer(), 0),
        "send unsolicited neighbour advertisement on " + interfaceName);
  }

  private int openIcmpv6() throws NativeException {
    int fd =
        Sockets.open(
            Native.AF_INET6,
            Native.SOCK_RAW,
            Native.IPPROTO_ICMPV6,
            "socket(AF_INET6, SOCK_RAW, ICMPV6)");
    try {
      Sockets.bindToDevice(fd, interfaceName);
      // RFC 4861 §7.1.2: receivers drop neighbour discovery messages whose hop limit is not 255.
      Sockets.setInt(
          fd,
          Native.IPPROTO_IPV6,
          Native.IPV6_MULTICAST_HOPS,
          NDISC_HOPLIMIT,
          "IPV6_MULTICAST_HOPS");
      Sockets.setInt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
      // ICMP6_FILTER with every bit set blocks every type: this socket only sends, its queue must
      // not fill.
      NativeBuffer filter = new NativeBuffer(32);
      for (int i = 0; i < 8; i++) {
        filter.buffer().putInt(i * 4, -1);
      }
      Sockets.setBytes(fd, Native.IPPROTO_ICMPV6, Native.ICMP6_FILTER, filter, 32, "ICMP6_FILTER");
      return fd;
    } catch (NativeException e) {
      Native.closeQuietly(fd);
      throw e;
    }
  }

  @Override
  public void close() {
    Native.closeQuietly(packetFd);
    Native.closeQuietly(icmpFd);
  }
}
