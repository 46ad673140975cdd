package io.virtualip.agent.vrrp;

/**
 * Why the state changed, as a closed set: the metrics' {@code reason} label (bounded cardinality)
 * next to the human sentence of {@link InstanceStatus#lastTransitionReason()}, which names
 * addresses and durations.
 */
public enum TransitionCause {
  /** RFC 5798 §6.4.1 Startup (to BACKUP, or to MASTER as the address owner). */
  STARTUP,
  /** RFC 5798 §6.4.2: the Master_Down_Timer expired, no advert from the master (or from anyone). */
  MASTER_DOWN,
  /** RFC 5798 §6.4.2: the master sent priority 0 and Skew_Time expired. */
  MASTER_GAVE_UP,
  /** RFC 5798 §6.4.2: we discarded a lower-priority master's adverts to take over (preempt). */
  PREEMPT,
  /**
   * RFC 5798 §6.4.3: a master heard a better one (higher priority, or equal and a higher address).
   */
  BETTER_MASTER,
  /**
   * A track changed: a weight-0 track failed (FAULT) or recovered, or the interface went away or
   * came back.
   */
  TRACK,
  /** The operator asked this node to step down (to end a split brain). */
  STEP_DOWN,
  /** RFC 5798 Shutdown event (SIGTERM, instance removed or replaced). */
  SHUTDOWN
}
