package io.virtualip.agent.dataplane;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A raw IP socket for protocol 112 (VRRP) on one interface and one address family, used both to
 * send and to receive.
 *
 * <p>Set up as RFC 5798 requires and keepalived does: bound to the device (SO_BINDTODEVICE), joined
 * to the VRRP group (224.0.0.18 with {@code ip_mreqn}, or ff02::12) on that interface, TTL / hop
 * limit 255 for multicast and unicast (§5.1.1.3, §5.1.2.3: receivers drop anything else), multicast
 * loopback off so a router never hears itself. For IPv6 the receiver asks for IPV6_HOPLIMIT and
 * IPV6_PKTINFO ancillary data, because the kernel strips the header; IPV6_CHECKSUM is left unset
 * (the kernel must not touch the VRRP checksum: the codec computes it with the pseudo header). The
 * socket is never bound to an address, since a bound raw socket would only receive datagrams sent
 * to that address and so miss the multicast group; the source address is chosen per datagram with
 * IP_PKTINFO / IPV6_PKTINFO ancillary data instead (for IPv6 the interface's link-local address, as
 * keepalived does).
 *
 * <p>All buffers and C structs are allocated once; {@link #receive} and {@link #send} allocate
 * nothing. Not thread-safe: one event-loop thread owns it.
 */
public final class VrrpSocket implements AutoCloseable {

  /** RFC 5798 §5.1.1.2 / §5.1.2.2: the VRRP multicast groups. */
  public static final byte[] IPV4_GROUP = {(byte) 224, 0, 0, 18};

  public static final byte[] IPV6_GROUP = {
    (byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12
  };

  /**
   * RFC 5798 §5.1.1.3 / §5.1.2.3: the TTL / hop limit every VRRP packet is sent with and must
   * arrive with.
   */
  public static final int VRRP_TTL = 255;

  private static final int MSGHDR_SIZE = 56;
  private static final int CMSG_HEADER = 16;
  private static final int MSG_TRUNC = 0x20;
  private static final int MAX_DATAGRAM = 4096;

  private final int fd;
  private final boolean ipv6;
  private final String interfaceName;
  private final int interfaceIndex;
  private final byte[] sourceAddress;

  // Packet bytes are in network order, and the VRRP codec reads them through this buffer's byte
  // order.
  private final NativeBuffer rxData = new NativeBuffer(MAX_DATAGRAM, ByteOrder.BIG_ENDIAN);
  private final NativeBuffer rxName = new NativeBuffer(SocketAddresses.SOCKADDR_STORAGE_SIZE);
  private final NativeBuffer rxControl = new NativeBuffer(256);
  private final NativeBuffer rxIov = new NativeBuffer(16);
  private final NativeBuffer rxMsg = new NativeBuffer(MSGHDR_SIZE);

  private final NativeBuffer txData = new NativeBuffer(MAX_DATAGRAM);
  private final NativeBuffer txName = new NativeBuffer(SocketAddresses.SOCKADDR_STORAGE_SIZE);
  private final NativeBuffer txControl = new NativeBuffer(64);
  private final NativeBuffer txIov = new NativeBuffer(16);
  private final NativeBuffer txMsg = new NativeBuffer(MSGHDR_SIZE);
  private final int txControlLength;

  private VrrpSocket(
      int fd, boolean ipv6, String interfaceName, int interfaceIndex, byte[] sourceAddress) {
    this.fd = fd;
    this.ipv6 = ipv6;
    this.interfaceName = interfaceName;
    this.interfaceIndex = interfaceIndex;
    this.sourceAddress = sourceAddress;
    rxIov.buffer().putLong(0, rxData.address()).putLong(8, MAX_DATAGRAM);
    rxMsg
        .buffer()
        .putLong(0, rxName.address())
        .putLong(16, rxIov.address())
        .putLong(24, 1)
        .putLong(32, rxControl.address());
    txIov.buffer().putLong(0, txData.address());
    txControlLength = sourceAddress == null ? 0 : writeSourceControl();
    txMsg
        .buffer()
        .putLong(0, txName.address())
        .putLong(16, txIov.address())
        .putLong(24, 1)
        .putLong(32, txControlLength == 0 ? 0 : txControl.address())
        .putLong(40, txControlLength);
  }

  /**
   * Opens an IPv4 VRRP socket on {@code interfaceName} in the calling thread's network namespace.
   *
   * @param source the primary IPv4 address adverts are sent from, or null to let the kernel choose
   */
  public static VrrpSocket openIpv4(String interfaceName, Inet4Address source)
      throws NativeException {
    return open(interfaceName, false, source == null ? null : source.getAddress());
  }

  /**
   * What both families share: the raw socket bound to the device, the family's group and hop
   * options, receive timestamps and the larger receive buffer; the socket is closed if any step
   * fails.
   */
  private static VrrpSocket open(String interfaceName, boolean ipv6, byte[] sourceAddress)
      throws NativeException {
    int index = Sockets.interfaceIndex(interfaceName);
    int fd =
        Sockets.open(
            ipv6 ? Native.AF_INET6 : Native.AF_INET,
            Native.SOCK_RAW | Native.SOCK_NONBLOCK,
            Native.IPPROTO_VRRP,
            ipv6 ? "socket(AF_INET6, SOCK_RAW, 112)" : "socket(AF_INET, SOCK_RAW, 112)");
    try {
      Sockets.bindToDevice(fd, interfaceName);
      if (ipv6) {
        setIpv6Options(fd, interfaceName, index);
      } else {
        setIpv4Options(fd, interfaceName, index);
      }
      Sockets.setInt(fd, Native.SOL_SOCKET, Native.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
      setReceiveBuffer(fd);
      return new VrrpSocket(fd, ipv6, interfaceName, index, sourceAddress);
    } catch (NativeException | RuntimeException e) {
      Native.closeQuietly(fd);
      throw e;
    }
  }

  /**
   * Joins {@code group} on interface {@code index}: {@code ip_mreqn} and {@code ipv6_mreq} both
   * start with the group and hold the index (an int, last) at {@code indexOffset}. Returns the
   * request, which IPv4 reuses for IP_MULTICAST_IF.
   */
  private static NativeBuffer joinGroup(
      int fd, int level, int option, byte[] group, int indexOffset, int index, String description)
      throws NativeException {
    int size = indexOffset + Integer.BYTES;
    NativeBuffer request = new NativeBuffer(size);
    request.buffer().put(0, group).putInt(indexOffset, index);
    Sockets.setBytes(fd, level, option, request, size, description);
    return request;
  }

  private static void setIpv4Options(int fd, String interfaceName, int index)
      throws NativeException {
    NativeBuffer mreqn =
        joinGroup(
            fd,
            Native.IPPROTO_IP,
            Native.IP_ADD_MEMBERSHIP,
            IPV4_GROUP,
            8,
            index,
            "IP_ADD_MEMBERSHIP 224.0.0.18 on " + interfaceName);
    mreqn.buffer().putInt(0, 0);
    Sockets.setBytes(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_IF, mreqn, 12, "IP_MULTICAST_IF");
    Sockets.setInt(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_TTL, VRRP_TTL, "IP_MULTICAST_TTL");
    Sockets.setInt(fd, Native.IPPROTO_IP, Native.IP_TTL, VRRP_TTL, "IP_TTL");
    Sockets.setInt(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
  }

  private static void setIpv6Options(int fd, String interfaceName, int index)
      throws NativeException {
    joinGroup(
        fd,
        Native.IPPROTO_IPV6,
        Native.IPV6_ADD_MEMBERSHIP,
        IPV6_GROUP,
        16,
        index,
        "IPV6_ADD_MEMBERSHIP ff02::12 on " + interfaceName);
    Sockets.setInt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF");
    Sockets.setInt(
        fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_HOPS, VRRP_TTL, "IPV6_MULTICAST_HOPS");
    Sockets.setInt(
        fd, Native.IPPROTO_IPV6, Native.IPV6_UNICAST_HOPS, VRRP_TTL, "IPV6_UNICAST_HOPS");
    Sockets.setInt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
    Sockets.setInt(fd, Native.IPPROTO_IPV6, Native.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
    Sockets.setInt(fd, Native.IPPROTO_IPV6, Native.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
  }

  /**
   * Room for {@value #RECEIVE_BUFFER_BYTES} bytes of queued packets (the kernel doubles it for its
   * bookkeeping): every instance on the interface shares this socket, and a master of many VRIDs
   * that was stalled (CPU starvation, a GC pause) sends every advert that fell due meanwhile at
   * once, so 255 VRIDs' adverts can arrive back to back while this agent's loop is busy too. The
   * default (rmem_default, 208 KiB) held 256 small packets (VrrpSocketTest). With CAP_NET_ADMIN
   * past rmem_max (SO_RCVBUFFORCE), else up to it; a refusal leaves the default.
   */
  private static void setReceiveBuffer(int fd) {
    try {
      Sockets.setInt(
          fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, RECEIVE_BUFFER_BYTES, "SO_RCVBUFFORCE");
    } catch (NativeException notPermitted) {
      try {
        Sockets.setInt(fd, Native.SOL_SOCKET, Native.SO_RCVBUF, RECEIVE_BUFFER_BYTES, "SO_RCVBUF");
      } catch (NativeException ignored) {
        // the default stays: enough for fewer routers
      }
    }
  }

  static final int RECEIVE_BUFFER_BYTES = 2 << 20;

  /**
   * Opens an IPv6 VRRP socket on {@code interfaceName} in the calling thread's network namespace.
   *
   * @param linkLocalSource the interface's link-local address (RFC 5798 §5.1.2.1 and keepalived
   *     send from it), or null to let the kernel choose
   */
  public static VrrpSocket openIpv6(String interfaceName, Inet6Address linkLocalSource)
      throws NativeException {
    return open(interfaceName, true, linkLocalSource == null ? null : linkLocalSource.getAddress());
  }

  /**
   * Opens the socket for the family of {@code source} (which may be null only together with {@code
   * ipv6}).
   */
  public static VrrpSocket open(String interfaceName, boolean ipv6, InetAddress source)
      throws NativeException {
    return ipv6
        ? openIpv6(interfaceName, (Inet6Address) source)
        : openIpv4(interfaceName, (Inet4Address) source);
  }

  /**
   * IP_PKTINFO / IPV6_PKTINFO control message that pins the source address and outgoing interface.
   */
  private int writeSourceControl() {
    ByteBuffer c = txControl.buffer();
    int dataLength = ipv6 ? 20 : 12;
    c.putLong(0, CMSG_HEADER + dataLength);
    if (ipv6) {
      c.putInt(8, Native.IPPROTO_IPV6).putInt(12, Native.IPV6_PKTINFO);
      c.put(CMSG_HEADER, sourceAddress).putInt(CMSG_HEADER + 16, interfaceIndex);
    } else {
      c.putInt(8, Native.IPPROTO_IP).putInt(12, Native.IP_PKTINFO);
      c.putInt(CMSG_HEADER, interfaceIndex).put(CMSG_HEADER + 4, sourceAddress);
    }
    return CMSG_HEADER + ((dataLength + 7) & ~7);
  }

  public int fd() {
    return fd;
  }

  public boolean ipv6() {
    return ipv6;
  }

  public String interfaceName() {
    return interfaceName;
  }

  public int interfaceIndex() {
    return interfaceIndex;
  }

  /** Sends the VRRP message between {@code payload}'s position and limit to the multicast group. */
  public int sendMulticast(ByteBuffer payload) throws NativeException {
    return send(payload, ipv6 ? IPV6_GROUP : IPV4_GROUP);
  }

  /**
   * Sends the VRRP message between {@code payload}'s position and limit to {@code destination} (4
   * or 16 bytes: the group or a unicast peer). The kernel builds the IP header. Does not move
   * {@code payload}'s position.
   */
  public int send(ByteBuffer payload, byte[] destination) throws NativeException {
    int length = payload.remaining();
    txData.buffer().put(0, payload, payload.position(), length);
    int nameLength =
        ipv6
            ? SocketAddresses.writeInet6(txName.buffer(), 0, destination, interfaceIndex)
            : SocketAddresses.writeInet4(txName.buffer(), 0, destination);
    txIov.buffer().putLong(8, length);
    txMsg.buffer().putInt(8, nameLength);
    while (true) {
      long sent = Native.LIBC.sendmsg(fd, txMsg.pointer(), 0);
      if (sent >= 0) {
        return (int) sent;
      }
      int errno = Native.errno();
      if (errno != Native.EINTR) {
        throw NativeException.fromErrno("sendmsg VRRP on " + interfaceName, errno);
      }
    }
  }

  /**
   * Receives one datagram into {@code out} if one is waiting.
   *
   * @return false when nothing is waiting (EAGAIN)
   */
  public boolean receive(ReceivedPacket out) throws NativeException {
    ByteBuffer msg = rxMsg.buffer();
    long received;
    while (true) {
      msg.putInt(8, SocketAddresses.SOCKADDR_STORAGE_SIZE);
      msg.putLong(40, rxControl.capacity());
      msg.putInt(48, 0);
      received = Native.LIBC.recvmsg(fd, rxMsg.pointer(), Native.MSG_DONTWAIT);
      if (received >= 0) {
        break;
      }
      int errno = Native.errno();
      if (errno == Native.EAGAIN) {
        return false;
      }
      if (errno != Native.EINTR) {
        throw NativeException.fromErrno("recvmsg VRRP on " + interfaceName, errno);
      }
    }
    int length = (int) Math.min(received, MAX_DATAGRAM);
    boolean truncated = (msg.getInt(48) & MSG_TRUNC) != 0;
    ByteBuffer data = rxData.buffer();
    data.limit(length).position(0);
    long arrival = 0;
    int hopLimit = -1;
    int ifindex = interfaceIndex;
    ByteBuffer control = rxControl.buffer();
    int controlLength = (int) msg.getLong(40);
    int offset = 0;
    // Walk the cmsghdr list (CMSG_NXTHDR): 8-byte length, level, type, data aligned to 8.
    while (offset + CMSG_HEADER <= controlLength) {
      int cmsgLength = (int) control.getLong(offset);
      if (cmsgLength < CMSG_HEADER) {
        break;
      }
      int level = control.getInt(offset + 8);
      int type = control.getInt(offset + 12);
      int value = offset + CMSG_HEADER;
      if (level == Native.SOL_SOCKET && type == Native.SO_TIMESTAMPNS) {
        arrival = control.getLong(value) * 1_000_000_000L + control.getLong(value + 8);
      } else if (level == Native.IPPROTO_IPV6 && type == Native.IPV6_HOPLIMIT) {
        hopLimit = control.getInt(value);
      } else if (level == Native.IPPROTO_IPV6 && type == Native.IPV6_PKTINFO) {
        control.get(value, out.destinationBytes(), 0, 16);
        ifindex = control.getInt(value + 16);
      }
      offset += (cmsgLength + 7) & ~7;
    }
    if (ipv6) {
      // The kernel strips the IPv6 header: the source comes from msg_name, the rest from ancillary
      // data.
      rxName.buffer().get(8, out.sourceBytes(), 0, 16);
      out.set(data, true, length, 0, hopLimit, ifindex, truncated, arrival);
    } else {
      // A raw IPv4 socket delivers the IP header: TTL, source and destination are read from it (RFC
      // 791).
      int headerLength = length >= 20 ? (data.get(0) & 0x0f) * 4 : length;
      int ttl = length >= 20 ? data.get(8) & 0xff : -1;
      if (length >= 20) {
        data.get(12, out.sourceBytes(), 0, 4);
        data.get(16, out.destinationBytes(), 0, 4);
      }
      out.set(
          data,
          false,
          length,
          Math.min(headerLength, length),
          ttl,
          interfaceIndex,
          truncated,
          arrival);
    }
    return true;
  }

  @Override
  public void close() {
    Native.closeQuietly(fd);
  }
}
