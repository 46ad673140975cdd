package io.virtualip.api.v1;

/**
 * Condition types and reasons of a VirtualIP's status, in one place for the operator, the agent and
 * tests.
 */
public final class Conditions {
  private Conditions() {}

  /** Exactly one live master and every selected node reporting. */
  public static final String READY = "Ready";

  /** Two or more live nodes claim Master at the same time. */
  public static final String SPLIT_BRAIN = "SplitBrain";

  /** Nodes in Fault or Unknown, a missing interface, or no backup left. */
  public static final String DEGRADED = "Degraded";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";
}
