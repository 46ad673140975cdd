package io.virtualip.api.v1.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSelectionTest {

  private static VirtualIP placed(Map<String, String> selector, Toleration... tolerations) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName("v");
    vip.setSpec(
        VirtualIPSpec.builder()
            .nodeSelector(selector)
            .tolerations(tolerations.length == 0 ? null : List.of(tolerations))
            .build());
    return vip;
  }

  private static Node node(String name, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  private static Node tainted(String key, String value, String effect) {
    return new NodeBuilder(node("n", Map.of("role", "edge")))
        .editOrNewSpec()
        .addNewTaint()
        .withKey(key)
        .withValue(value)
        .withEffect(effect)
        .endTaint()
        .endSpec()
        .build();
  }

  @Test
  void emptySelectorSelectsEveryNode() {
    assertThat(NodeSelection.selects(placed(null), node("n", Map.of()))).isTrue();
    assertThat(NodeSelection.selects(placed(Map.of()), node("n", null))).isTrue();
  }

  @Test
  void everySelectorLabelMustMatch() {
    Node edge = node("n", Map.of("role", "edge", "zone", "a"));
    assertThat(NodeSelection.selects(placed(Map.of("role", "edge")), edge)).isTrue();
    assertThat(NodeSelection.selects(placed(Map.of("role", "edge", "zone", "a")), edge)).isTrue();
    assertThat(NodeSelection.selects(placed(Map.of("role", "edge", "zone", "b")), edge)).isFalse();
    assertThat(NodeSelection.selects(placed(Map.of("gpu", "true")), edge)).isFalse();
  }

  @Test
  void hardTaintsNeedATolerationWhilePreferNoScheduleDoesNot() {
    Node noSchedule = tainted("dedicated", "lb", "NoSchedule");
    assertThat(NodeSelection.selects(placed(null), noSchedule)).isFalse();
    assertThat(
            NodeSelection.selects(
                placed(
                    null,
                    new TolerationBuilder()
                        .withKey("dedicated")
                        .withOperator("Equal")
                        .withValue("lb")
                        .withEffect("NoSchedule")
                        .build()),
                noSchedule))
        .isTrue();
    assertThat(
            NodeSelection.selects(
                placed(
                    null, new TolerationBuilder().withKey("dedicated").withValue("other").build()),
                noSchedule))
        .isFalse();
    assertThat(
            NodeSelection.selects(
                placed(
                    null,
                    new TolerationBuilder().withKey("dedicated").withOperator("Exists").build()),
                noSchedule))
        .isTrue();
    assertThat(
            NodeSelection.selects(
                placed(null, new TolerationBuilder().withOperator("Exists").build()),
                tainted("anything", null, "NoExecute")))
        .isTrue();
    assertThat(
            NodeSelection.selects(
                placed(
                    null,
                    new TolerationBuilder()
                        .withKey("dedicated")
                        .withOperator("Exists")
                        .withEffect("NoExecute")
                        .build()),
                noSchedule))
        .isFalse();
    assertThat(NodeSelection.selects(placed(null), tainted("dedicated", "lb", "PreferNoSchedule")))
        .isTrue();
  }

  @Test
  void taintsTheDaemonSetControllerToleratesNeverDeselectANode() {
    assertThat(
            NodeSelection.selects(
                placed(null), tainted("node.kubernetes.io/not-ready", null, "NoExecute")))
        .isTrue();
    assertThat(
            NodeSelection.selects(
                placed(null), tainted("node.kubernetes.io/unschedulable", null, "NoSchedule")))
        .isTrue();
  }
}
