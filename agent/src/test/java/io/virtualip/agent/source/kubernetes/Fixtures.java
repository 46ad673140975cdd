package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.api.v1.Authentication;
import io.virtualip.api.v1.AuthenticationType;
import io.virtualip.api.v1.SecretKeySelector;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.api.v1.contract.Placement;
import java.util.List;
import java.util.Map;

/** Test objects with documentation addresses only (RFC 5737, RFC 3849). */
final class Fixtures {
  private Fixtures() {}

  /**
   * VRID 51 in spec and, as the operator confirms it, in status (the only VRID an agent in
   * Kubernetes runs).
   */
  static VirtualIP virtualIp(String name) {
    return virtualIp(name, 51);
  }

  static VirtualIP virtualIp(String name, int vrid) {
    VirtualIP vip = new VirtualIP();
    vip.setMetadata(new ObjectMetaBuilder().withName(name).build());
    VirtualIPSpec spec =
        VirtualIPSpec.builder().addresses(List.of("192.0.2.100/24")).virtualRouterId(vrid).build();
    vip.setSpec(spec);
    VirtualIPStatus status = VirtualIPStatus.EMPTY.withVirtualRouterId(vrid);
    vip.setStatus(status);
    return vip;
  }

  /**
   * VRRPv2 simple-text authentication whose password is key {@code key} of Secret {@code secret}.
   */
  static Authentication passwordFromSecret(String secret, String key) {
    return new Authentication(AuthenticationType.Password, new SecretKeySelector(secret, key));
  }

  /**
   * Creates {@code vip} with its status, as the operator leaves it: the status is written
   * separately, because an API server ignores status on create when the CRD has a status
   * subresource.
   */
  /**
   * Creates {@code vip} labelled with its placement's key, as the operator labels every VirtualIP.
   */
  static VirtualIP create(KubernetesClient admin, VirtualIP vip) {
    Map<String, String> labels = new java.util.HashMap<>();
    if (vip.getMetadata().getLabels() != null) {
      labels.putAll(vip.getMetadata().getLabels());
    }
    labels.put(Placement.LABEL, Placement.of(vip).hash());
    vip.getMetadata().setLabels(labels);
    VirtualIP created = admin.resource(vip).create();
    if (vip.getStatus() == null) {
      return created;
    }
    created.setStatus(vip.getStatus());
    return admin.resource(created).updateStatus();
  }

  static Node node(String name, Map<String, String> labels, String... internalIps) {
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewStatus()
            .endStatus();
    for (String ip : internalIps) {
      b.editStatus()
          .addNewAddress()
          .withType("InternalIP")
          .withAddress(ip)
          .endAddress()
          .endStatus();
    }
    return b.build();
  }

  static InstanceSnapshot snapshot(
      io.virtualip.api.v1.NodeState state, long advertsSent, String reason) {
    return new InstanceSnapshot(
        state,
        100,
        100,
        state == io.virtualip.api.v1.NodeState.Master ? "192.0.2.1" : null,
        "192.0.2.1",
        java.time.Instant.parse("2026-11-26T10:00:00Z").plusSeconds(advertsSent),
        reason,
        advertsSent,
        0,
        Map.of(
            "AUTH_MISMATCH",
            2L), // Heard just now: a peer silent for 3 advertisement intervals is not written.
        List.of(
            new InstanceSnapshot.Peer(
                "192.0.2.2",
                90,
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))),
        null);
  }
}
