package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * One health input of an instance, with keepalived's weight semantics: a positive weight is added while healthy, a
 * negative one subtracted while failing, and 0 puts the instance in Fault while failing.
 */
public sealed interface ResolvedTrack {

  int weight();

  /** Watched by the engine itself (the data plane sees links through netlink); the glue never reports it. */
  record InterfaceTrack(String interfaceName, int weight) implements ResolvedTrack {
  }

  /** Probed by the engine itself, like an interface track; 2xx and 3xx are healthy. */
  record HttpGetTrack(String host, int port, String path, int weight, Thresholds thresholds) implements ResolvedTrack {
  }

  /** Evaluated by the glue from the pods on this node ({@link PodsTracks}). */
  record PodsTrack(String namespace, LabelSelector selector, int weight) implements ResolvedTrack {
  }

  /**
   * When a probed track changes: after {@code failureThreshold} consecutive failures it fails, after
   * {@code successThreshold} consecutive successes it is healthy again (the kubelet's probe semantics).
   */
  record Thresholds(int intervalSeconds, int failureThreshold, int successThreshold) {
  }
}
