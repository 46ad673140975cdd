package io.virtualip.agent.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One received VRRP datagram, filled in place by {@link VrrpSocket#receive(ReceivedPacket)} and
 * reused for the next one, so the receive path allocates nothing.
 *
 * <p>{@link #buffer()} is the socket's receive buffer. For IPv4 it holds the whole IP packet as the
 * raw socket delivers it (header at offset 0); for IPv6 the kernel strips the header and delivers
 * the VRRP message only, and the hop limit and destination come from ancillary data. Either way
 * {@link #payloadOffset()} and {@link #payloadLength()} locate the VRRP message, and the fields
 * below carry what the RFC checks need.
 */
public final class ReceivedPacket {

  private ByteBuffer buffer;
  private boolean ipv6;
  private int length;
  private int payloadOffset;
  private int payloadLength;
  private int hopLimit;
  private int interfaceIndex;
  private boolean truncated;
  private long arrivalRealtimeNanos;
  private final byte[] source = new byte[16];
  private final byte[] destination = new byte[16];

  void set(
      ByteBuffer buffer,
      boolean ipv6,
      int length,
      int payloadOffset,
      int hopLimit,
      int interfaceIndex,
      boolean truncated,
      long arrivalRealtimeNanos) {
    this.buffer = buffer;
    this.ipv6 = ipv6;
    this.length = length;
    this.payloadOffset = payloadOffset;
    this.payloadLength = Math.max(0, length - payloadOffset);
    this.hopLimit = hopLimit;
    this.interfaceIndex = interfaceIndex;
    this.truncated = truncated;
    this.arrivalRealtimeNanos = arrivalRealtimeNanos;
  }

  /**
   * The source address bytes (first {@link #addressLength()} valid); shared, valid until the next
   * receive.
   */
  public byte[] sourceBytes() {
    return source;
  }

  /**
   * The destination address bytes (first {@link #addressLength()} valid); shared, like {@link
   * #sourceBytes()}.
   */
  public byte[] destinationBytes() {
    return destination;
  }

  /** The receive buffer; valid until the next receive on the same socket. */
  public ByteBuffer buffer() {
    return buffer;
  }

  public boolean ipv6() {
    return ipv6;
  }

  /** Bytes delivered by the kernel (the whole IPv4 packet, or the IPv6 payload). */
  public int length() {
    return length;
  }

  public int payloadOffset() {
    return payloadOffset;
  }

  public int payloadLength() {
    return payloadLength;
  }

  /**
   * IPv4 TTL from the header, or IPv6 hop limit from IPV6_HOPLIMIT ancillary data (-1 if absent).
   */
  public int hopLimit() {
    return hopLimit;
  }

  public int interfaceIndex() {
    return interfaceIndex;
  }

  /** The datagram did not fit the receive buffer (MSG_TRUNC); its tail is missing. */
  public boolean truncated() {
    return truncated;
  }

  /**
   * When the kernel received the datagram (SO_TIMESTAMPNS), in CLOCK_REALTIME nanoseconds; 0 if it
   * did not say. {@link EventLoop#arrivalNanos} turns it into the loop's clock.
   */
  public long arrivalRealtimeNanos() {
    return arrivalRealtimeNanos;
  }

  public int addressLength() {
    return ipv6 ? 16 : 4;
  }

  /** The source as an {@link InetAddress}; allocates, so for logs and tests, not the hot path. */
  public InetAddress sourceAddress() {
    return toAddress(source);
  }

  public InetAddress destinationAddress() {
    return toAddress(destination);
  }

  private InetAddress toAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(Arrays.copyOf(bytes, addressLength()));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A copy of the VRRP message; allocates, for tests and diagnostics. */
  public byte[] payloadCopy() {
    byte[] copy = new byte[payloadLength];
    buffer.get(payloadOffset, copy);
    return copy;
  }
}
