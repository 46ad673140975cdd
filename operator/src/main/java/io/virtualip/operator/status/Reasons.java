package io.virtualip.operator.status;

import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.contract.FaultReason;

/**
 * Condition reasons and event reasons the operator writes, in one place for code, tests and docs.
 */
public final class Reasons {
  private Reasons() {}

  // Ready
  public static final String MASTER_ELECTED = "MasterElected";
  public static final String NO_MASTER = "NoMaster";
  public static final String SPLIT_BRAIN = "SplitBrain";
  public static final String NODES_NOT_REPORTING = "NodesNotReporting";
  public static final String NO_NODES = "NoNodesSelected";
  public static final String VRID_CONFLICT = "VRIDConflict";
  public static final String NO_FREE_VRID = "NoFreeVRID";
  public static final String INVALID_SPEC = "InvalidSpec";

  // SplitBrain
  public static final String MULTIPLE_MASTERS = "MultipleMasters";
  public static final String AT_MOST_ONE_MASTER = "AtMostOneMaster";

  // Degraded
  public static final String AGENT_DOWN = "AgentDown";
  public static final String INTERFACE_MISSING = FaultReason.INTERFACE_MISSING.code();
  public static final String NODES_IN_FAULT = "NodesInFault";
  public static final String NO_BACKUP = "NoBackup";
  public static final String HEALTHY = "Healthy";

  // Events only
  public static final String MASTER_CHANGED = "MasterChanged";
  public static final String SPLIT_BRAIN_RESOLVED = "SplitBrainResolved";
  public static final String VRID_ALLOCATED = "VRIDAllocated";

  /**
   * Whether a node entry is in Fault because its interface is missing: by the agent's code, never
   * its words.
   */
  public static boolean interfaceMissing(NodeStatus entry) {
    return entry.state() == NodeState.Fault
        && FaultReason.fromCode(entry.reasonCode())
            .filter(FaultReason.INTERFACE_MISSING::equals)
            .isPresent();
  }
}
