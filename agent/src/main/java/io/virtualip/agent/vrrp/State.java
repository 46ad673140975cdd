package io.virtualip.agent.vrrp;

/**
 * RFC 5798 §6.4 states, plus keepalived's FAULT for an instance whose weight-0 track is failing.
 */
public enum State {
  /** RFC 5798 §6.4.1: waiting for a Startup event. */
  INITIALIZE,
  /** RFC 5798 §6.4.2: monitoring the availability and state of the Master Router. */
  BACKUP,
  /** RFC 5798 §6.4.3: forwarding for the virtual addresses and advertising. */
  MASTER,
  /**
   * Not part of the RFC: a weight-0 track failed, so the instance neither advertises nor takes
   * over.
   */
  FAULT
}
