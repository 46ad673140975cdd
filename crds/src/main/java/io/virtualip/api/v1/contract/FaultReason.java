package io.virtualip.api.v1.contract;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why a node's instance is in Fault: the code the agent writes into {@code
 * status.nodes[].reasonCode}, next to the words in {@code reason}. The operator decides on the code
 * (for example Degraded/InterfaceMissing) and never on the words.
 *
 * <p>To add a reason: add a constant with its code (CamelCase, as Kubernetes reasons are).
 */
public enum FaultReason {
  /**
   * The configured interface does not exist (or vanished), or no interface has a subnet holding the
   * address.
   */
  INTERFACE_MISSING("InterfaceMissing"),
  /** The interface exists but has no address of this node to advertise from. */
  NO_OWN_ADDRESS("NoOwnAddress"),
  /** A track of weight 0 fails, or the interface is down or has no carrier. */
  TRACK_FAILING("TrackFailing"),
  /** The spec is one this node refuses to run (the message names field and problem). */
  INVALID_SPEC("InvalidSpec"),
  /** The data plane could not run the instance (a socket or netlink error). */
  DATA_PLANE_ERROR("DataPlaneError");

  private static final Map<String, FaultReason> BY_CODE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(FaultReason::code, Function.identity()));

  private final String code;

  FaultReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  /**
   * The reason with this code; empty for none or a code this build does not know (a newer agent).
   */
  public static Optional<FaultReason> fromCode(String code) {
    return Optional.ofNullable(code == null ? null : BY_CODE.get(code));
  }
}
