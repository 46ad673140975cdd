package io.virtualip.operator.vrid;

/**
 * The allocator's answer for one VirtualIP.
 *
 * @param vrid the VRID to record in status.virtualRouterId, or null when there is none to run with
 * @param outcome how it was reached
 * @param other the older VirtualIP that holds the VRID when the outcome is a conflict or a move,
 *     else null
 * @param contested the contested VRID for {@link Outcome#CONFLICT} and {@link Outcome#MOVED}, else
 *     null
 */
public record VridDecision(Integer vrid, Outcome outcome, String other, Integer contested) {

  /** For a VirtualIP whose spec is invalid: no VRID is decided, agents do not run it. */
  public static final VridDecision NOT_DECIDED =
      new VridDecision(null, Outcome.NOT_DECIDED, null, null);

  public enum Outcome {
    /** spec.virtualRouterId, free on this segment. */
    PINNED,
    /** The VRID recorded earlier, kept. */
    KEPT,
    /** A newly allocated VRID. */
    ALLOCATED,
    /**
     * The recorded (allocated, not pinned) VRID was taken by an older VirtualIP; a free one
     * replaces it.
     */
    MOVED,
    /** spec.virtualRouterId is used by an older VirtualIP on the same nodes, or reserved. */
    CONFLICT,
    /** Every VRID from 1 to 255 is reserved or used on this segment. */
    EXHAUSTED,
    /** Not asked: the spec is invalid. */
    NOT_DECIDED
  }

  public boolean usable() {
    return vrid != null;
  }
}
