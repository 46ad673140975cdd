package io.virtualip.operator.it;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small steps the lifecycle tests are written in: apply objects, read conditions and events. */
final class ClusterSteps {
  private final KubernetesClient client;

  ClusterSteps(KubernetesClient client) {
    this.client = client;
  }

  void node(String name, Map<String, String> labels) {
    client
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  VirtualIP apply(
      String name, Map<String, String> nodeSelector, Integer vrid, SplitBrainPolicy policy) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName(name);
    VirtualIPSpec spec =
        VirtualIPSpec.builder()
            .addresses(List.of("192.0.2.10/24"))
            .nodeSelector(nodeSelector)
            .virtualRouterId(vrid)
            .splitBrainPolicy(policy)
            .advertisementInterval("1s")
            .build();
    vip.setSpec(spec);
    return client.resource(vip).create();
  }

  VirtualIP get(String name) {
    return client.resources(VirtualIP.class).withName(name).get();
  }

  Optional<Condition> condition(String vip, String type) {
    VirtualIP v = get(vip);
    if (v == null || v.getStatus() == null || v.getStatus().conditions() == null) {
      return Optional.empty();
    }
    return v.getStatus().conditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** "status/reason" of a condition, or "absent". */
  String summary(String vip, String type) {
    return condition(vip, type).map(c -> c.getStatus() + "/" + c.getReason()).orElse("absent");
  }

  List<Event> events(String vip, String reason) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> vip.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  static NodeStatus entry(NodeState state, int priority) {
    return NodeStatus.builder().state(state).priority(priority).effectivePriority(priority).build();
  }
}
