package io.virtualip.operator.vrid;

import java.util.BitSet;
import java.util.Optional;

/**
 * Parses the reserved-VRID setting, a comma-separated list of VRIDs and ranges such as {@code
 * 1-10,51}.
 */
public final class VridRanges {
  private VridRanges() {}

  public static BitSet parse(Optional<String> text) {
    BitSet reserved = new BitSet(VridAllocator.MAX_VRID + 1);
    if (text.isEmpty() || text.get().isBlank()) {
      return reserved;
    }
    for (String part : text.get().split(",")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      int dash = item.indexOf('-');
      int from = vrid(dash < 0 ? item : item.substring(0, dash), text.get());
      int to = dash < 0 ? from : vrid(item.substring(dash + 1), text.get());
      if (to < from) {
        throw new IllegalArgumentException(
            "reserved VRID range " + item + " runs backwards in '" + text.get() + "'");
      }
      reserved.set(from, to + 1);
    }
    return reserved;
  }

  private static int vrid(String s, String whole) {
    try {
      int v = Integer.parseInt(s.trim());
      if (v < VridAllocator.MIN_VRID || v > VridAllocator.MAX_VRID) {
        throw new IllegalArgumentException(
            "reserved VRID " + v + " is outside 1-255 in '" + whole + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "reserved VRIDs must look like 1-10,51, not '" + whole + "'", e);
    }
  }
}
