package io.virtualip.agent.source.kubernetes;

import io.virtualip.agent.spec.VipDefinition;

/** What {@link InstanceResolver} makes of one VirtualIP for this node. */
public sealed interface Resolution {

  /** The placement does not select this node: no instance runs here. */
  record NotSelected() implements Resolution {}

  /**
   * Selected, but something it needs is not there yet (the operator's VRID, a Secret): a new
   * instance does not start, a running one keeps its last good configuration.
   */
  record Waiting(String reason) implements Resolution {}

  /**
   * Selected, and refused by the spec compiler as file mode refuses it (a lax API server stored
   * it): no instance runs, and the node reports Fault with reason code InvalidSpec and this
   * problem.
   */
  record Invalid(String problem) implements Resolution {}

  /**
   * Selected and complete: the definition the spec compiler made, the same as file mode makes of
   * the same spec.
   */
  record Run(VipDefinition config) implements Resolution {}
}
