package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.EventSubject;
import java.time.Instant;
import java.util.Locale;

/**
 * core/v1 Events on a VirtualIP for this node's own transitions, e.g. reason {@code Transition},
 * message {@code node-a BACKUP -> MASTER: master down interval expired}. The operator records the
 * cluster-wide events (MasterElected, SplitBrain, ...); these tell the story of each node.
 */
class TransitionEvents {

  static final String REASON = "Transition";
  static final String COMPONENT = "virtualip-agent";

  /** 253 (a DNS subdomain) less a dot and 16 hex digits. */
  private static final int MAX_PREFIX = 253 - 17;

  private final KubernetesClient client;
  private final String node;
  private final String namespace;

  TransitionEvents(KubernetesClient client, String node, String namespace) {
    this.client = client;
    this.node = node;
    this.namespace = namespace;
  }

  /** A node entering Fault is a warning: it no longer takes part in the election. */
  Event build(VirtualIP vip, NodeState from, InstanceSnapshot to) {
    Instant at = to.since();
    String reason = to.reason() == null || to.reason().isEmpty() ? "" : ": " + to.reason();
    String message =
        node
            + " "
            + from.name().toUpperCase(Locale.ROOT)
            + " -> "
            + to.state().name().toUpperCase(Locale.ROOT)
            + reason;
    String time = Rfc3339.format(at);
    return new EventBuilder()
        .withNewMetadata()
        .withName(name(vip.getMetadata().getName(), at))
        .withNamespace(namespace)
        .endMetadata()
        .withInvolvedObject(EventSubject.of(vip))
        .withReason(REASON)
        .withMessage(message)
        .withType(to.state() == NodeState.Fault ? "Warning" : "Normal")
        .withNewSource()
        .withComponent(COMPONENT)
        .withHost(node)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(node)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  /**
   * Unique per node and transition: VirtualIP and node names, cut to fit the 253 characters of a
   * name, and the transition time in nanoseconds.
   */
  String name(String virtualIp, Instant at) {
    String prefix = virtualIp + "." + node;
    if (prefix.length() > MAX_PREFIX) {
      // A name part must end in a letter or digit.
      prefix = prefix.substring(0, MAX_PREFIX).replaceAll("[^a-z0-9]+$", "");
    }
    return prefix + "." + Long.toHexString(at.getEpochSecond() * 1_000_000_000L + at.getNano());
  }

  void create(Event event) {
    client.v1().events().inNamespace(namespace).resource(event).create();
  }
}
