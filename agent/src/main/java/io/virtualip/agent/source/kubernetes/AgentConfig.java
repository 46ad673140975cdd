package io.virtualip.agent.source.kubernetes;

import io.virtualip.api.v1.contract.Placement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The agent's settings in Kubernetes mode; {@link #fromEnvironment} reads what the operator's
 * DaemonSet sets.
 *
 * @param nodeName this node (downward API {@code spec.nodeName} as NODE_NAME)
 * @param namespace the agent's namespace (POD_NAMESPACE): its Lease and the password Secrets live
 *     there
 * @param eventNamespace where Events about the cluster-scoped VirtualIPs go: {@code default}, as
 *     client-go does for any object without a namespace
 * @param readyFile written once the watches have synced (the pod's readiness probe reads it)
 * @param statusWrite how this node's status.nodes entry is written
 * @param leaseDuration leaseDurationSeconds of the heartbeat Lease
 * @param leaseRenewInterval how often the Lease is renewed
 * @param masterRenewInterval how often the agent checks its entries for what time alone changes (a
 *     peer going silent); entries are written only on change (StatusReporter)
 * @param otherRenewInterval how long after its last write an entry the API shows otherwise (marked
 *     Unknown, lost) is rewritten
 * @param resyncPeriod informer resync: every cached object is offered again, repairing anything
 *     missed
 * @param placement this agent's DaemonSet placement (VIRTUALIP_PLACEMENT), or null: see {@link
 *     Placement}
 */
public record AgentConfig(
    String nodeName,
    String namespace,
    String eventNamespace,
    Path readyFile,
    StatusWriteMode statusWrite,
    Duration leaseDuration,
    Duration leaseRenewInterval,
    Duration masterRenewInterval,
    Duration otherRenewInterval,
    Duration resyncPeriod,
    Placement placement) {

  public static final Path DEFAULT_READY_FILE = Path.of("/run/virtualip/ready");

  public AgentConfig {
    Objects.requireNonNull(nodeName, "nodeName (NODE_NAME)");
    Objects.requireNonNull(namespace, "namespace (POD_NAMESPACE)");
  }

  /**
   * The contract's values: Lease of 4 s renewed every 1 s; entries checked for changes every 1 s.
   */
  public static AgentConfig defaults(String nodeName, String namespace) {
    return new AgentConfig(
        nodeName,
        namespace,
        "default",
        DEFAULT_READY_FILE,
        StatusWriteMode.AUTO,
        Duration.ofSeconds(4),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        null);
  }

  /**
   * NODE_NAME and POD_NAMESPACE (required), VIRTUALIP_READY_FILE, VIRTUALIP_STATUS_WRITE ({@code
   * json-patch}, {@code apply} or {@code auto}), VIRTUALIP_LEASE_DURATION_SECONDS,
   * VIRTUALIP_PLACEMENT.
   */
  public static AgentConfig fromEnvironment(Map<String, String> env) {
    String node = env.get("NODE_NAME");
    String namespace = env.get("POD_NAMESPACE");
    if (node == null || node.isBlank() || namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("NODE_NAME and POD_NAMESPACE must be set (downward API)");
    }
    AgentConfig c = defaults(node, namespace);
    String ready = env.getOrDefault("VIRTUALIP_READY_FILE", c.readyFile.toString());
    StatusWriteMode mode =
        StatusWriteMode.valueOf(
            env.getOrDefault("VIRTUALIP_STATUS_WRITE", "auto")
                .toUpperCase(Locale.ROOT)
                .replace('-', '_'));
    Duration lease =
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("VIRTUALIP_LEASE_DURATION_SECONDS", "4")));
    String placement = env.get("VIRTUALIP_PLACEMENT");
    return new AgentConfig(
        node,
        namespace,
        c.eventNamespace,
        Path.of(ready),
        mode,
        lease,
        c.leaseRenewInterval,
        c.masterRenewInterval,
        c.otherRenewInterval,
        c.resyncPeriod,
        placement == null || placement.isBlank() ? null : Placement.parse(placement));
  }

  public AgentConfig withReadyFile(Path path) {
    return new AgentConfig(
        nodeName,
        namespace,
        eventNamespace,
        path,
        statusWrite,
        leaseDuration,
        leaseRenewInterval,
        masterRenewInterval,
        otherRenewInterval,
        resyncPeriod,
        placement);
  }

  /** How this node's entry in status.nodes is written. */
  public enum StatusWriteMode {
    /**
     * A JSON patch that touches only this node's element (guarded by a {@code test} op) or appends
     * it: works on every server.
     */
    JSON_PATCH,
    /**
     * Server-side apply with field manager {@code virtualip-agent-<node>}. Merges per element
     * because the CRD marks status.nodes {@code x-kubernetes-list-type: map} keyed by name
     * (CrdContractTest guards that); without the marker it would replace the whole list.
     */
    APPLY,
    /**
     * The default: apply, falling back to the JSON patch for good when the server answers 415 (no
     * apply).
     */
    AUTO
  }
}
