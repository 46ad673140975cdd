package io.virtualip.agent.vrrp;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum. Sums
 * are kept as an int accumulator so a pseudo-header and the message can be added in pieces and
 * folded once.
 */
final class InternetChecksum {
  private InternetChecksum() {}

  /**
   * Adds {@code length} bytes of {@code buf} from absolute index {@code offset}; an odd tail is
   * zero padded.
   */
  static int add(int sum, ByteBuffer buf, int offset, int length) {
    int end = offset + length - 1;
    int i = offset;
    for (; i < end; i += 2) {
      sum += ((buf.get(i) & 0xff) << 8) | (buf.get(i + 1) & 0xff);
    }
    if (i == end) {
      sum += (buf.get(i) & 0xff) << 8;
    }
    return fold(sum);
  }

  /**
   * Adds the first {@code length} bytes of {@code bytes}; lengths here are addresses (4 or 16
   * bytes).
   */
  static int add(int sum, byte[] bytes, int length) {
    for (int i = 0; i + 1 < length; i += 2) {
      sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
    }
    return fold(sum);
  }

  /** Adds one 16-bit word. */
  static int addWord(int sum, int word) {
    return fold(sum + (word & 0xffff));
  }

  /** The checksum field value for an accumulated sum; 0 on a received message means "valid". */
  static int finish(int sum) {
    return ~fold(sum) & 0xffff;
  }

  // Folding after every piece keeps the int from overflowing however long the input.
  private static int fold(int sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return sum;
  }
}
