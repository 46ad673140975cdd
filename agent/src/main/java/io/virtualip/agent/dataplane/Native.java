package io.virtualip.agent.dataplane;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * The loaded {@link LibC}, errno access and the Linux constants the data plane uses (values from
 * the uapi headers).
 */
public final class Native {

  public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  // <bits/socket.h>, <linux/socket.h>
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_NETLINK = 16;
  public static final int AF_PACKET = 17;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_NONBLOCK = 0x800;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int MSG_DONTWAIT = 0x40;
  public static final int SOL_SOCKET = 1;
  public static final int SO_RCVBUF = 8;
  public static final int SO_RCVBUFFORCE = 33;
  public static final int SO_BINDTODEVICE = 25;

  // <linux/in.h>
  public static final int IPPROTO_IP = 0;
  public static final int IP_TTL = 2;
  public static final int IP_PKTINFO = 8;
  public static final int IP_MULTICAST_IF = 32;
  public static final int IP_MULTICAST_TTL = 33;
  public static final int IP_MULTICAST_LOOP = 34;
  public static final int IP_ADD_MEMBERSHIP = 35;

  // <linux/in6.h>, <linux/ipv6.h>
  public static final int IPPROTO_IPV6 = 41;
  public static final int IPPROTO_ICMPV6 = 58;
  public static final int IPV6_CHECKSUM = 7;
  public static final int IPV6_UNICAST_HOPS = 16;
  public static final int IPV6_MULTICAST_IF = 17;
  public static final int IPV6_MULTICAST_HOPS = 18;
  public static final int IPV6_MULTICAST_LOOP = 19;
  public static final int IPV6_ADD_MEMBERSHIP = 20;
  public static final int IPV6_RECVPKTINFO = 49;
  public static final int IPV6_PKTINFO = 50;
  public static final int IPV6_RECVHOPLIMIT = 51;
  public static final int IPV6_HOPLIMIT = 52;
  public static final int ICMP6_FILTER = 1;

  /** IANA protocol number of VRRP (RFC 5798 §5.1.1.4). */
  public static final int IPPROTO_VRRP = 112;

  // <linux/if_ether.h>
  public static final int ETH_P_ARP = 0x0806;

  // <asm-generic/errno-base.h>, <asm-generic/errno.h>
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int ENODEV = 19;
  public static final int EEXIST = 17;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENOBUFS = 105;

  // <fcntl.h>, <sched.h>, <sys/epoll.h>, <sys/eventfd.h>, <sys/timerfd.h>, <time.h>
  public static final int O_RDONLY = 0;
  public static final int O_CLOEXEC = 0x80000;
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int EPOLL_CLOEXEC = 0x80000;
  public static final int EPOLL_CTL_ADD = 1;
  public static final int EPOLL_CTL_DEL = 2;
  public static final int EPOLLIN = 0x1;
  public static final int EPOLLET = 1 << 31;
  public static final int EFD_NONBLOCK = 0x800;
  public static final int EFD_CLOEXEC = 0x80000;
  public static final int CLOCK_REALTIME = 0;
  public static final int CLOCK_MONOTONIC = 1;

  /**
   * SO_TIMESTAMPNS (the "old" one, struct timespec of longs on LP64); also its cmsg type,
   * SCM_TIMESTAMPNS.
   */
  public static final int SO_TIMESTAMPNS = 35;

  public static final int TFD_NONBLOCK = 0x800;
  public static final int TFD_CLOEXEC = 0x80000;
  public static final int PR_SET_TIMERSLACK = 29;

  /**
   * {@code struct itimerspec}: it_interval then it_value, each a {@code struct timespec} of two
   * longs.
   */
  public static final int ITIMERSPEC_SIZE = 32;

  public static final int ITIMERSPEC_VALUE_OFFSET = 16;

  /** x86_64 packs {@code struct epoll_event} (12 bytes); every other LP64 ABI aligns it to 16. */
  public static final int EPOLL_EVENT_SIZE =
      Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64 ? 12 : 16;

  public static final int EPOLL_EVENT_DATA_OFFSET = 4 + (EPOLL_EVENT_SIZE - 12);

  private Native() {}

  public static int errno() {
    return LastError.getLastError(RUNTIME);
  }

  /** Throws a {@link NativeException} naming {@code what} when a call returned -1. */
  public static int check(int result, String what) throws NativeException {
    if (result < 0) {
      throw NativeException.fromErrno(what, errno());
    }
    return result;
  }

  public static long check(long result, String what) throws NativeException {
    if (result < 0) {
      throw NativeException.fromErrno(what, errno());
    }
    return result;
  }

  public static void closeQuietly(int fd) {
    if (fd >= 0) {
      LIBC.close(fd);
    }
  }
}
