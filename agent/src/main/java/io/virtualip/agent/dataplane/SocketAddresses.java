package io.virtualip.agent.dataplane;

import java.nio.ByteBuffer;

/**
 * Writes and reads the C socket address structs ({@code sockaddr_in}, {@code sockaddr_in6}, {@code
 * sockaddr_nl}, {@code sockaddr_ll}) in a native-order buffer. Port and protocol fields are
 * big-endian on the wire, so they are written byte by byte rather than through the buffer's native
 * order.
 */
final class SocketAddresses {

  static final int SOCKADDR_IN_SIZE = 16;
  static final int SOCKADDR_IN6_SIZE = 28;
  static final int SOCKADDR_NL_SIZE = 12;
  static final int SOCKADDR_LL_SIZE = 20;
  static final int SOCKADDR_STORAGE_SIZE = 128;

  private SocketAddresses() {}

  static int writeInet4(ByteBuffer b, int offset, byte[] address) {
    zero(b, offset, SOCKADDR_IN_SIZE);
    b.putShort(offset, (short) Native.AF_INET);
    b.put(offset + 4, address, 0, 4);
    return SOCKADDR_IN_SIZE;
  }

  static int writeInet6(ByteBuffer b, int offset, byte[] address, int scopeId) {
    zero(b, offset, SOCKADDR_IN6_SIZE);
    b.putShort(offset, (short) Native.AF_INET6);
    b.put(offset + 8, address, 0, 16);
    b.putInt(offset + 24, scopeId);
    return SOCKADDR_IN6_SIZE;
  }

  static int writeNetlink(ByteBuffer b, int offset, int groups) {
    zero(b, offset, SOCKADDR_NL_SIZE);
    b.putShort(offset, (short) Native.AF_NETLINK);
    b.putInt(offset + 8, groups);
    return SOCKADDR_NL_SIZE;
  }

  static int writeLinkLayer(
      ByteBuffer b, int offset, int protocol, int ifindex, byte[] hardwareAddress) {
    zero(b, offset, SOCKADDR_LL_SIZE);
    b.putShort(offset, (short) Native.AF_PACKET);
    putBigEndianShort(b, offset + 2, protocol);
    b.putInt(offset + 4, ifindex);
    b.put(offset + 11, (byte) hardwareAddress.length);
    b.put(offset + 12, hardwareAddress, 0, hardwareAddress.length);
    return SOCKADDR_LL_SIZE;
  }

  static void putBigEndianShort(ByteBuffer b, int offset, int value) {
    b.put(offset, (byte) (value >>> 8));
    b.put(offset + 1, (byte) value);
  }

  static void zero(ByteBuffer b, int offset, int length) {
    for (int i = 0; i < length; i++) {
      b.put(offset + i, (byte) 0);
    }
  }
}
