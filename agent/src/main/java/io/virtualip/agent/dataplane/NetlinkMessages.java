package io.virtualip.agent.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encoding and decoding of the rtnetlink messages we use (layouts from {@code <linux/netlink.h>},
 * {@code <linux/rtnetlink.h>}, {@code <linux/if_addr.h>}, {@code <linux/if_link.h>}); all fields in
 * host order.
 */
final class NetlinkMessages {

  // nlmsghdr
  static final int NLMSG_HDRLEN = 16;

  /** Where struct nlmsghdr keeps nlmsg_seq. */
  static final int NLMSG_SEQ_OFFSET = 8;

  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;

  // message types
  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;

  // ifinfomsg (16 bytes) attributes
  static final int IFINFOMSG_LEN = 16;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_OPERSTATE = 16;

  // ifaddrmsg (8 bytes) attributes
  static final int IFADDRMSG_LEN = 8;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int IFA_LABEL = 3;
  static final int IFA_FLAGS = 8;
  static final int IFA_PROTO = 11;

  private NetlinkMessages() {}

  static int align(int length) {
    return (length + 3) & ~3;
  }

  /** Writes an nlmsghdr at 0; the length is patched by {@link #finish}. */
  static int header(ByteBuffer b, int type, int flags, int sequence) {
    SocketAddresses.zero(b, 0, NLMSG_HDRLEN);
    b.putShort(4, (short) type).putShort(6, (short) flags).putInt(NLMSG_SEQ_OFFSET, sequence);
    return NLMSG_HDRLEN;
  }

  static int finish(ByteBuffer b, int length) {
    b.putInt(0, length);
    return length;
  }

  static int ifaddrmsg(
      ByteBuffer b, int offset, int family, int prefixLength, int flags, int index) {
    b.put(offset, (byte) family)
        .put(offset + 1, (byte) prefixLength)
        .put(offset + 2, (byte) flags)
        .put(offset + 3, (byte) 0)
        .putInt(offset + 4, index);
    return offset + IFADDRMSG_LEN;
  }

  static int attribute(ByteBuffer b, int offset, int type, byte[] value) {
    int length = 4 + value.length;
    b.putShort(offset, (short) length).putShort(offset + 2, (short) type);
    b.put(offset + 4, value);
    SocketAddresses.zero(b, offset + length, align(length) - length);
    return offset + align(length);
  }

  static int attributeInt(ByteBuffer b, int offset, int type, int value) {
    b.putShort(offset, (short) 8).putShort(offset + 2, (short) type).putInt(offset + 4, value);
    return offset + 8;
  }

  static int attributeByte(ByteBuffer b, int offset, int type, int value) {
    b.putShort(offset, (short) 5).putShort(offset + 2, (short) type).putInt(offset + 4, 0);
    b.put(offset + 4, (byte) value);
    return offset + 8;
  }

  static int attributeString(ByteBuffer b, int offset, int type, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    byte[] terminated = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, terminated, 0, bytes.length);
    return attribute(b, offset, type, terminated);
  }

  static Link parseLink(ByteBuffer b, int offset, int length) {
    int index = b.getInt(offset + NLMSG_HDRLEN + 4);
    int flags = b.getInt(offset + NLMSG_HDRLEN + 8);
    String name = "";
    int operState = Link.IF_OPER_UNKNOWN;
    byte[] hardware = new byte[0];
    int end = offset + length;
    for (int a = offset + NLMSG_HDRLEN + IFINFOMSG_LEN; a + 4 <= end; ) {
      int attrLength = b.getShort(a) & 0xffff;
      int type = b.getShort(a + 2) & 0x3fff;
      if (attrLength < 4) {
        break;
      }
      switch (type) {
        case IFLA_IFNAME -> name = string(b, a + 4, attrLength - 4);
        case IFLA_OPERSTATE -> operState = b.get(a + 4) & 0xff;
        case IFLA_ADDRESS -> hardware = bytes(b, a + 4, attrLength - 4);
        default -> {}
      }
      a += align(attrLength);
    }
    return new Link(index, name, flags, operState, hardware);
  }

  static InterfaceAddress parseAddress(ByteBuffer b, int offset, int length) {
    int body = offset + NLMSG_HDRLEN;
    int prefixLength = b.get(body + 1) & 0xff;
    int flags = b.get(body + 2) & 0xff;
    int index = b.getInt(body + 4);
    byte[] address = null;
    byte[] local = null;
    String label = "";
    int protocol = 0;
    int end = offset + length;
    for (int a = body + IFADDRMSG_LEN; a + 4 <= end; ) {
      int attrLength = b.getShort(a) & 0xffff;
      int type = b.getShort(a + 2) & 0x3fff;
      if (attrLength < 4) {
        break;
      }
      switch (type) {
        case IFA_ADDRESS -> address = bytes(b, a + 4, attrLength - 4);
        case IFA_LOCAL -> local = bytes(b, a + 4, attrLength - 4);
        case IFA_LABEL -> label = string(b, a + 4, attrLength - 4);
        case IFA_FLAGS -> flags = b.getInt(a + 4);
        case IFA_PROTO -> protocol = b.get(a + 4) & 0xff;
        default -> {}
      }
      a += align(attrLength);
    }
    // For IPv4 IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point
    // links).
    byte[] own = local != null ? local : address;
    if (own == null) {
      return null;
    }
    try {
      return new InterfaceAddress(
          index, InetAddress.getByAddress(own), prefixLength, label, flags, protocol);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String string(ByteBuffer b, int offset, int length) {
    int n = 0;
    while (n < length && b.get(offset + n) != 0) {
      n++;
    }
    byte[] bytes = new byte[n];
    b.get(offset, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static byte[] bytes(ByteBuffer b, int offset, int length) {
    byte[] bytes = new byte[length];
    b.get(offset, bytes);
    return bytes;
  }
}
