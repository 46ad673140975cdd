package io.virtualip.agent.source.kubernetes;

import io.virtualip.api.v1.NodeStatus;

/**
 * Writes this node's own element of a VirtualIP's status.nodes, and nothing else. Called on the
 * reporter's thread.
 */
interface NodeStatusWriter {

  /** Creates or replaces this node's entry; a VirtualIP that no longer exists is not an error. */
  void write(String virtualIp, NodeStatus entry);

  /** Removes this node's entry, if there is one. */
  void remove(String virtualIp);
}
