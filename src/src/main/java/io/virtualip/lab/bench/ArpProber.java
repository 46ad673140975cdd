package io.virtualip.lab.bench;

import io.virtualip.lab.LabException;
import io.virtualip.lab.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Asks "who has VIP?" from a lab node every 250 µs and notes when each MAC first answers after a
 * mark: the moment a new master holds the address <em>and</em> its kernel answers ARP for it, as a
 * client on the segment would find it. Resolution is the request period (0.25 ms) plus scheduling.
 * (Until 2026-11-26 13:30 UTC it was 1 ms, as coarse as the differences between the two
 * implementations it was meant to show.) It also notes the VRRP (IPv4) adverts it sees: the last
 * one of each router, and the first priority-0 one after the mark, so a failover can be timed from
 * the wire event the backup reacts to as well as from the signal that caused it.
 *
 * <p>One thread moves into the node's network namespace with setns(2) (which changes only the
 * calling thread) and opens an AF_PACKET socket for ARP there, so the prober runs in the
 * benchmark's JVM and its timestamps ({@link System#nanoTime()}) are directly comparable with the
 * moment the benchmark killed a router.
 */
public final class ArpProber implements AutoCloseable {

  private static final BenchLibC LIBC = BenchLibC.INSTANCE;
  private static final long PERIOD_NANOS = 250_000;
  private static final int PR_SET_TIMERSLACK = 29;
  private static final int ARP_LENGTH = 42;
  private static final int SOCKADDR_LL_LENGTH = 20;

  /**
   * Enough of a frame for ARP (42 bytes) and Ethernet + IPv4 without options + the VRRP header's
   * first bytes.
   */
  private static final int FRAME_PREFIX = 64;

  private static final int IPPROTO_VRRP = 112;

  private final String namespace;
  private final String iface;
  private final byte[] ownMac;
  private final byte[] ownIp;
  private final byte[] vip;
  private final Map<String, Long> firstReplyAfterMark = new ConcurrentHashMap<>();
  private final Map<String, Long> lastAdvert = new ConcurrentHashMap<>();
  private final Map<String, Long> firstPriorityZeroAfterMark = new ConcurrentHashMap<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread thread;
  private volatile long mark = Long.MAX_VALUE;
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  private ArpProber(Node from, byte[] vip) {
    this.namespace = from.namespace();
    this.iface = from.iface();
    this.ownMac = mac(from.mac());
    this.ownIp = from.ipv4().getAddress();
    this.vip = vip;
    this.thread = new Thread(this::run, "arp-prober-" + from.name());
    this.thread.setDaemon(true);
  }

  /**
   * Starts probing for {@code vip} (an IPv4 literal) from {@code from}; returns once the socket is
   * open.
   */
  public static ArpProber start(Node from, String vip) {
    ArpProber prober = new ArpProber(from, ipv4(vip));
    prober.thread.start();
    try {
      if (!prober.ready.await(10, TimeUnit.SECONDS)) {
        throw new LabException("ARP prober did not start");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
    if (prober.failure != null) {
      throw prober.failure;
    }
    return prober;
  }

  /** From now on, remember the first reply of each MAC; replies before this call are forgotten. */
  public void mark(long nanoTime) {
    firstReplyAfterMark.clear();
    firstPriorityZeroAfterMark.clear();
    mark = nanoTime;
  }

  /** Whether {@code mac} has answered since the mark. */
  public boolean repliedSinceMark(String mac) {
    return firstReplyAfterMark.containsKey(mac);
  }

  /**
   * When the last advert with a non-zero priority from {@code source} (IPv4 text) was seen, or -1
   * if never.
   */
  public long lastAdvert(String source) {
    return lastAdvert.getOrDefault(source, -1L);
  }

  /**
   * When the last advert with a non-zero priority from {@code source} (IPv4 text) for {@code vrid}
   * was seen, or -1 if never: the one router's adverts when the same node runs others beside it.
   */
  public long lastAdvert(String source, int vrid) {
    return lastAdvert.getOrDefault(source + "/" + vrid, -1L);
  }

  /**
   * When the first priority-0 advert from {@code source} after the mark was seen, or -1 if none
   * was.
   */
  public long priorityZeroAfterMark(String source) {
    return firstPriorityZeroAfterMark.getOrDefault(source, -1L);
  }

  /**
   * When the first priority-0 advert from {@code source} for {@code vrid} after the mark was seen,
   * or -1 if none was.
   */
  public long priorityZeroAfterMark(String source, int vrid) {
    return firstPriorityZeroAfterMark.getOrDefault(source + "/" + vrid, -1L);
  }

  /**
   * The {@link System#nanoTime()} of the first ARP reply from {@code mac} at or after the {@link
   * #mark}, waiting up to {@code timeout} for it.
   */
  public long awaitReply(String mac, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (failure != null) {
        throw failure;
      }
      Long at = firstReplyAfterMark.get(mac);
      if (at != null) {
        return at;
      }
      sleepMillis(1);
    }
    throw new LabException("no ARP reply from " + mac + " within " + timeout.toMillis() + " ms");
  }

  private void run() {
    int fd = -1;
    try {
      enterNamespace();
      // ETH_P_ALL: ARP replies and VRRP adverts on one socket, so both are timed by the same clock
      // reads.
      fd =
          check(
              LIBC.socket(
                  BenchLibC.AF_PACKET,
                  BenchLibC.SOCK_RAW | BenchLibC.SOCK_CLOEXEC,
                  Short.reverseBytes((short) BenchLibC.ETH_P_ALL) & 0xffff),
              "socket(AF_PACKET)");
      Runtime runtime = Runtime.getRuntime(LIBC);
      int ifindex = LIBC.if_nametoindex(iface);
      if (ifindex == 0) {
        throw new LabException("no interface " + iface + " in " + namespace);
      }
      Pointer address = Memory.allocateDirect(runtime, SOCKADDR_LL_LENGTH, true);
      address.putShort(0, (short) BenchLibC.AF_PACKET);
      address.putShort(2, Short.reverseBytes((short) BenchLibC.ETH_P_ALL));
      address.putInt(4, ifindex);
      address.putByte(11, (byte) 6);
      address.put(12, new byte[] {-1, -1, -1, -1, -1, -1}, 0, 6);
      check(LIBC.bind(fd, address, SOCKADDR_LL_LENGTH), "bind(AF_PACKET)");
      // ppoll(2) sleeps on a high-resolution timer until the next request is due; with the thread's
      // timer slack at its minimum (default 50 µs) the requests keep their period.
      LIBC.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
      Pointer timeout = Memory.allocateDirect(runtime, 16, true);
      Pointer pollFd = Memory.allocateDirect(runtime, 8, true);
      pollFd.putInt(0, fd);
      pollFd.putShort(4, BenchLibC.POLLIN);
      Pointer request = Memory.allocateDirect(runtime, ARP_LENGTH, true);
      writeRequest(request);
      Pointer reply = Memory.allocateDirect(runtime, 1500, true);
      byte[] frame = new byte[FRAME_PREFIX];
      ready.countDown();
      long nextSend = System.nanoTime();
      while (running) {
        long now = System.nanoTime();
        if (now - nextSend >= 0) {
          LIBC.sendto(fd, request, ARP_LENGTH, 0, address, SOCKADDR_LL_LENGTH);
          nextSend = now + PERIOD_NANOS;
        }
        long wait = Math.max(0, nextSend - System.nanoTime());
        timeout.putLong(0, wait / 1_000_000_000L);
        timeout.putLong(8, wait % 1_000_000_000L);
        if (LIBC.ppoll(pollFd, 1, timeout, null) <= 0) {
          continue;
        }
        long received = System.nanoTime();
        long length;
        while ((length = LIBC.recv(fd, reply, 1500, BenchLibC.MSG_DONTWAIT)) > 0) {
          if (length >= ARP_LENGTH) {
            reply.get(0, frame, 0, (int) Math.min(length, FRAME_PREFIX));
            if (isReplyForVip(frame) && received - mark >= 0) {
              firstReplyAfterMark.putIfAbsent(macText(frame, 22), received);
            } else if (isVrrpV4(frame, length)) {
              noteAdvert(frame, received);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e;
      ready.countDown();
    } finally {
      if (fd >= 0) {
        LIBC.close(fd);
      }
    }
  }

  /** Broadcast ARP request (RFC 826): who has the VIP, tell us. */
  private void writeRequest(Pointer p) {
    p.put(0, new byte[] {-1, -1, -1, -1, -1, -1}, 0, 6);
    p.put(6, ownMac, 0, 6);
    p.putShort(12, Short.reverseBytes((short) BenchLibC.ETH_P_ARP));
    p.putShort(14, Short.reverseBytes((short) 1)); // hardware: Ethernet
    p.putShort(16, Short.reverseBytes((short) 0x0800)); // protocol: IPv4
    p.putByte(18, (byte) 6);
    p.putByte(19, (byte) 4);
    p.putShort(20, Short.reverseBytes((short) 1)); // request
    p.put(22, ownMac, 0, 6);
    p.put(28, ownIp, 0, 4);
    p.put(32, new byte[6], 0, 6);
    p.put(38, vip, 0, 4);
  }

  private boolean isReplyForVip(byte[] f) {
    boolean arpReply = f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2;
    return arpReply && f[28] == vip[0] && f[29] == vip[1] && f[30] == vip[2] && f[31] == vip[3];
  }

  private static boolean isVrrpV4(byte[] f, long length) {
    return f[12] == 0x08
        && f[13] == 0x00
        && (f[23] & 0xff) == IPPROTO_VRRP
        && length >= 14 + (f[14] & 0x0f) * 4 + 4;
  }

  private void noteAdvert(byte[] f, long received) {
    String source =
        (f[26] & 0xff) + "." + (f[27] & 0xff) + "." + (f[28] & 0xff) + "." + (f[29] & 0xff);
    int vrrp = 14 + (f[14] & 0x0f) * 4;
    int vrid = f[vrrp + 1] & 0xff;
    int priority = f[vrrp + 2] & 0xff;
    // By source, and by source and VRID for a node that runs other routers beside the measured one.
    String ofRouter = source + "/" + vrid;
    if (priority > 0) {
      lastAdvert.put(source, received);
      lastAdvert.put(ofRouter, received);
    } else if (received - mark >= 0) {
      firstPriorityZeroAfterMark.putIfAbsent(source, received);
      firstPriorityZeroAfterMark.putIfAbsent(ofRouter, received);
    }
  }

  private void enterNamespace() {
    int ns =
        check(
            LIBC.open("/var/run/netns/" + namespace, BenchLibC.O_RDONLY | BenchLibC.O_CLOEXEC),
            "open netns " + namespace);
    try {
      // Only this thread moves; it stays in the namespace until it ends.
      check(LIBC.setns(ns, BenchLibC.CLONE_NEWNET), "setns " + namespace);
    } finally {
      LIBC.close(ns);
    }
  }

  private static int check(int result, String what) {
    if (result < 0) {
      throw new LabException(what + " failed, errno " + Runtime.getSystemRuntime().getLastError());
    }
    return result;
  }

  private static String macText(byte[] f, int offset) {
    StringBuilder text = new StringBuilder(17);
    for (int i = 0; i < 6; i++) {
      text.append(i == 0 ? "" : ":").append(String.format("%02x", f[offset + i] & 0xff));
    }
    return text.toString();
  }

  private static byte[] mac(String text) {
    String[] parts = text.split(":");
    byte[] mac = new byte[6];
    for (int i = 0; i < 6; i++) {
      mac[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return mac;
  }

  private static byte[] ipv4(String literal) {
    String[] parts = literal.split("\\.");
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 literal: " + literal);
    }
    byte[] address = new byte[4];
    for (int i = 0; i < 4; i++) {
      address[i] = (byte) Integer.parseInt(parts[i]);
    }
    return address;
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
