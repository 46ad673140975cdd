package io.virtualip.agent.dataplane;

import java.nio.ByteBuffer;

/**
 * A NETLINK_ROUTE socket: the kernel's interface for reading and changing links and addresses, and
 * for being told when they change (multicast groups). Messages are built and parsed by {@link
 * NetlinkMessages}.
 */
final class NetlinkSocket implements AutoCloseable {

  static final int NETLINK_ROUTE = 0;
  static final int RTMGRP_LINK = 0x1;
  static final int RTMGRP_IPV4_IFADDR = 0x10;
  static final int RTMGRP_IPV6_IFADDR = 0x100;
  private static final int RECEIVE_BUFFER = 64 * 1024;

  private final int fd;
  private final NativeBuffer kernelAddress = new NativeBuffer(SocketAddresses.SOCKADDR_NL_SIZE);
  private final NativeBuffer receive = new NativeBuffer(RECEIVE_BUFFER);
  private final NativeBuffer send = new NativeBuffer(4096);

  /**
   * @param groups RTMGRP_* multicast groups to subscribe to (0 for a request socket)
   * @param nonBlocking for event-loop use
   */
  NetlinkSocket(int groups, boolean nonBlocking) throws NativeException {
    fd =
        Sockets.open(
            Native.AF_NETLINK,
            Native.SOCK_RAW | (nonBlocking ? Native.SOCK_NONBLOCK : 0),
            NETLINK_ROUTE,
            "socket(AF_NETLINK, NETLINK_ROUTE)");
    try {
      if (groups != 0) {
        // Room for bursts of events (a bond flapping, many addresses) before the kernel reports
        // ENOBUFS.
        Sockets.setInt(fd, Native.SOL_SOCKET, Native.SO_RCVBUF, 1 << 20, "SO_RCVBUF netlink");
      }
      NativeBuffer local = new NativeBuffer(SocketAddresses.SOCKADDR_NL_SIZE);
      SocketAddresses.writeNetlink(local.buffer(), 0, groups);
      Native.check(
          Native.LIBC.bind(fd, local.pointer(), SocketAddresses.SOCKADDR_NL_SIZE), "bind netlink");
      SocketAddresses.writeNetlink(kernelAddress.buffer(), 0, 0);
    } catch (NativeException | RuntimeException e) {
      Native.closeQuietly(fd);
      throw e;
    }
  }

  int fd() {
    return fd;
  }

  /** The buffer to build a request in; {@link #send(int)} sends its first {@code length} bytes. */
  ByteBuffer sendBuffer() {
    return send.buffer();
  }

  void send(int length) throws NativeException {
    Native.check(
        Native.LIBC.sendto(
            fd,
            send.pointer(),
            length,
            0,
            kernelAddress.pointer(),
            SocketAddresses.SOCKADDR_NL_SIZE),
        "netlink send");
  }

  /**
   * Reads one datagram (possibly several netlink messages) into {@link #receiveBuffer()}.
   *
   * @return its length, or -1 if nothing is waiting on a non-blocking socket
   * @throws NativeException with errno ENOBUFS when the kernel dropped events because we were too
   *     slow
   */
  int receive() throws NativeException {
    while (true) {
      long n = Native.LIBC.recvfrom(fd, receive.pointer(), RECEIVE_BUFFER, 0, null, null);
      if (n >= 0) {
        receive.buffer().limit((int) n).position(0);
        return (int) n;
      }
      int errno = Native.errno();
      if (errno == Native.EAGAIN) {
        return -1;
      }
      if (errno != Native.EINTR) {
        throw NativeException.fromErrno("netlink receive", errno);
      }
    }
  }

  ByteBuffer receiveBuffer() {
    return receive.buffer();
  }

  @Override
  public void close() {
    Native.closeQuietly(fd);
  }
}
