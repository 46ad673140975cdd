package io.virtualip.api.v1;

/**
 * A node's VRRP state as reported in status.nodes (RFC 5798 section 6.4 plus Fault and Unknown).
 */
public enum NodeState {
  Init,
  Backup,
  Master,
  /** A track with weight 0 is failing, or the interface is missing: the node does not take part. */
  Fault,
  /**
   * Set by the operator when the node's agent Lease has expired: its last report can no longer be
   * trusted.
   */
  Unknown
}
