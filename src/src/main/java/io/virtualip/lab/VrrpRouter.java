package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A VRRP router process in a lab node, our agent or keepalived, seen from the outside: whether its
 * node holds the virtual addresses, the last state it logged, and the two ways it can stop.
 */
public interface VrrpRouter extends AutoCloseable {

  /** The RFC states a router logs; {@link #NONE} before its first transition. */
  enum Role {
    NONE,
    INITIALIZE,
    BACKUP,
    MASTER,
    FAULT
  }

  /**
   * Which implementation runs a router; {@link #start} gives both the same {@link VirtualRouter}.
   */
  enum Implementation {
    OURS,
    KEEPALIVED;

    /**
     * Starts this implementation on {@code node} with {@code priority}; {@code peers} for unicast.
     */
    public VrrpRouter start(
        Lab lab, Node node, VirtualRouter router, int priority, List<Node> peers) {
      return this == OURS
          ? AgentProcess.start(lab, node, router, priority, peers)
          : KeepalivedProcess.start(lab, node, router.keepalived(priority, peers));
    }

    @Override
    public String toString() {
      return this == OURS ? "our agent" : "keepalived";
    }
  }

  Implementation implementation();

  Node node();

  /** Process id of the router (for keepalived the parent; its VRRP child is a descendant). */
  long pid();

  /** Whether every VIP of the router is on the node's interface right now. */
  boolean holdsVips();

  /** The last state the router logged. */
  Role role();

  /** How many state transitions the router has logged since it started. */
  int transitions();

  Path log();

  boolean isRunning();

  /** SIGTERM: a master sends a priority-0 advertisement and removes its VIPs before exiting. */
  void stop();

  /**
   * SIGKILL, as a crash: no priority-0 advertisement, and the VIPs stay configured on the
   * interface.
   */
  void kill();

  @Override
  void close();

  default void awaitRole(Role role, Duration timeout) {
    Await.until(this + " to log " + role + " (log: " + log() + ")", timeout, () -> role() == role);
  }

  /** Waits until the node holds the VIPs ({@code true}) or holds none of them. */
  default void awaitVips(boolean held, Duration timeout) {
    Await.until(
        this + (held ? " to hold" : " to release") + " the VIPs",
        timeout,
        () -> holdsVips() == held);
  }
}
