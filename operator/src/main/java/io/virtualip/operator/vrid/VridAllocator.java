package io.virtualip.operator.vrid;

import io.virtualip.operator.vrid.VridDecision.Outcome;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses each VirtualIP's VRID so no two VRRP routers on one segment share it (RFC 5798 section
 * 5.2.3: the VRID identifies the virtual router on its LAN). A segment is approximated by (address
 * family, interface, overlapping nodes). Pure: the reconciler supplies every VirtualIP's claim.
 */
public final class VridAllocator {
  public static final int MIN_VRID = 1;
  public static final int MAX_VRID = 255;

  private final BitSet reserved;

  public VridAllocator(BitSet reserved) {
    this.reserved = (BitSet) reserved.clone();
  }

  public boolean isReserved(int vrid) {
    return reserved.get(vrid);
  }

  /**
   * Decides the VRID of {@code self} given every other VirtualIP's claim. A contested VRID stays
   * with the VirtualIP already running with it, else the older one ({@link VridClaim#precedes});
   * the other gets a conflict when its VRID was pinned in the spec, or moves to a free VRID when
   * the operator had allocated it.
   */
  public VridDecision decide(VridClaim self, Collection<VridClaim> all) {
    List<VridClaim> neighbours =
        all.stream()
            .filter(c -> !c.name().equals(self.name()) && c.sharesSegmentWith(self))
            .toList();

    if (self.pinned() != null) {
      int vrid = self.pinned();
      if (reserved.get(vrid)) {
        return new VridDecision(null, Outcome.CONFLICT, null, vrid);
      }
      return holderBefore(self, neighbours, vrid)
          .map(holder -> new VridDecision(null, Outcome.CONFLICT, holder.name(), vrid))
          .orElseGet(() -> new VridDecision(vrid, Outcome.PINNED, null, null));
    }

    Integer recorded = self.recorded();
    Optional<VridClaim> takenBy =
        recorded == null ? Optional.empty() : holderBefore(self, neighbours, recorded);
    if (recorded != null && takenBy.isEmpty()) {
      return new VridDecision(recorded, Outcome.KEPT, null, null);
    }

    BitSet used = (BitSet) reserved.clone();
    for (VridClaim n : neighbours) {
      if (n.effective() != null) {
        used.set(n.effective());
      }
    }
    int free = used.nextClearBit(MIN_VRID);
    if (free > MAX_VRID) {
      return new VridDecision(null, Outcome.EXHAUSTED, null, null);
    }
    return takenBy
        .map(holder -> new VridDecision(free, Outcome.MOVED, holder.name(), recorded))
        .orElseGet(() -> new VridDecision(free, Outcome.ALLOCATED, null, null));
  }

  private static Optional<VridClaim> holderBefore(
      VridClaim self, List<VridClaim> neighbours, int vrid) {
    return neighbours.stream()
        .filter(n -> n.effective() != null && n.effective() == vrid && n.precedes(self, vrid))
        .min(Comparator.comparing(VridClaim::created).thenComparing(VridClaim::name));
  }
}
