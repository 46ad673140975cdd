package io.virtualip.operator.status;

/** Condition reasons and event reasons the operator writes, in one place for code, tests and docs. */
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
  public static final String INTERFACE_MISSING = "InterfaceMissing";
  public static final String NODES_IN_FAULT = "NodesInFault";
  public static final String NO_BACKUP = "NoBackup";
  public static final String HEALTHY = "Healthy";

  // Events only
  public static final String MASTER_CHANGED = "MasterChanged";
  public static final String SPLIT_BRAIN_RESOLVED = "SplitBrainResolved";
  public static final String VRID_ALLOCATED = "VRIDAllocated";

  /**
   * Whether a Fault entry's reason says the VirtualIP's interface is missing on that node. The agent words it as
   * {@code "interface eth1 not found"}, {@code "interface eth1 vanished"} or {@code "no interface has a subnet
   * containing 192.0.2.10"}; a reason starting with {@code InterfaceMissing} is accepted too.
   */
  public static boolean saysInterfaceMissing(String reason) {
    return reason != null && (reason.startsWith(INTERFACE_MISSING) || reason.startsWith("no interface ")
        || (reason.startsWith("interface ") && (reason.endsWith(" not found") || reason.endsWith(" vanished"))));
  }
}
