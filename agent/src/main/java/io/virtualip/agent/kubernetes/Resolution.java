package io.virtualip.agent.kubernetes;

/** What {@link InstanceResolver} makes of one VirtualIP for this node. */
public sealed interface Resolution {

  /** The placement does not select this node: no instance runs here. */
  record NotSelected() implements Resolution {
  }

  /**
   * Selected, but something it needs is not there yet (the operator's VRID, a Secret): a new instance does not start,
   * a running one keeps its last good configuration.
   */
  record Waiting(String reason) implements Resolution {
  }

  /** Selected and complete. */
  record Run(ResolvedInstance config) implements Resolution {
  }
}
