package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.util.List;
import java.util.Map;

/** Test objects with documentation addresses only (RFC 5737, RFC 3849). */
final class Fixtures {
  private Fixtures() {}

  static VirtualIP virtualIp(String name) {
    VirtualIP vip = new VirtualIP();
    vip.setMetadata(new ObjectMetaBuilder().withName(name).build());
    VirtualIPSpec spec = new VirtualIPSpec();
    spec.setAddresses(List.of("192.0.2.100/24"));
    spec.setVirtualRouterId(51);
    vip.setSpec(spec);
    return vip;
  }

  static Node node(String name, Map<String, String> labels, String... internalIps) {
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewStatus().endStatus();
    for (String ip : internalIps) {
      b.editStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus();
    }
    return b.build();
  }

  static InstanceSnapshot snapshot(io.virtualip.api.v1.NodeState state, long advertsSent, String reason) {
    return new InstanceSnapshot(state, 100, 100, state == io.virtualip.api.v1.NodeState.Master ? "192.0.2.1" : null,
        "192.0.2.1", java.time.Instant.parse("2026-11-26T10:00:00Z").plusSeconds(advertsSent), reason, advertsSent, 0,
        Map.of("AUTH_MISMATCH", 2L), List.of(new InstanceSnapshot.Peer("192.0.2.2", 90,
            java.time.Instant.parse("2026-11-26T10:00:00.250Z"))));
  }
}
