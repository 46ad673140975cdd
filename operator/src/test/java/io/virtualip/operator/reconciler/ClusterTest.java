package io.virtualip.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterTest {
  private static final Taint CONTROL_PLANE =
      new TaintBuilder()
          .withKey("node-role.kubernetes.io/control-plane")
          .withEffect("NoSchedule")
          .build();

  private static Node node(String name, Map<String, String> labels, Taint... taints) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withTaints(taints)
        .endSpec()
        .build();
  }

  private static VirtualIP vip(Map<String, String> selector, Toleration... tolerations) {
    VirtualIP vip = new VirtualIP();
    vip.setSpec(
        VirtualIPSpec.builder()
            .nodeSelector(selector)
            .tolerations(tolerations.length == 0 ? null : List.of(tolerations))
            .build());
    return vip;
  }

  private final Cluster cluster =
      new Cluster(
          List.of(),
          List.of(
              node("worker-1", Map.of("role", "lb")),
              node("worker-2", Map.of("role", "app")),
              node("cp-1", Map.of("role", "lb"), CONTROL_PLANE),
              node(
                  "soft",
                  Map.of("role", "lb"),
                  new TaintBuilder().withKey("x").withEffect("PreferNoSchedule").build())),
          List.of(),
          List.of());

  @Test
  void selectsByLabelsAndLeavesOutNodesWhoseTaintsKeepTheAgentAway() {
    assertThat(cluster.selectedNodes(vip(null))).containsExactly("soft", "worker-1", "worker-2");
    assertThat(cluster.selectedNodes(vip(Map.of("role", "lb"))))
        .containsExactly("soft", "worker-1");
  }

  @Test
  void tolerationsLetTheAgentOntoTaintedNodes() {
    Toleration controlPlane =
        new TolerationBuilder()
            .withKey("node-role.kubernetes.io/control-plane")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    Toleration everything = new TolerationBuilder().withOperator("Exists").build();
    assertThat(cluster.selectedNodes(vip(Map.of("role", "lb"), controlPlane)))
        .containsExactly("cp-1", "soft", "worker-1");
    assertThat(cluster.selectedNodes(vip(null, everything))).hasSize(4);
  }

  @Test
  void aNotReadyNodeStaysSelectedLikeItsAgentPod() {
    // The DaemonSet controller tolerates node.kubernetes.io/* taints for every daemon pod, so the
    // agent keeps running (and may still be master) on a NotReady node: the operator must keep
    // counting it, as the agent does.
    Taint notReady =
        new TaintBuilder().withKey("node.kubernetes.io/not-ready").withEffect("NoExecute").build();
    Cluster withNotReady =
        new Cluster(
            List.of(),
            List.of(node("worker-3", Map.of("role", "lb"), notReady)),
            List.of(),
            List.of());
    assertThat(withNotReady.selectedNodes(vip(Map.of("role", "lb")))).containsExactly("worker-3");
  }

  @Test
  void eachPlacementGetsItsOwnNodesWhenOneClusterIsAskedForMany() {
    // The selections are remembered per (nodeSelector, tolerations) within one reconcile's
    // Cluster.
    assertThat(cluster.selectedNodes(vip(Map.of("role", "lb"))))
        .containsExactly("soft", "worker-1");
    assertThat(cluster.selectedNodes(vip(Map.of("role", "app")))).containsExactly("worker-2");
    assertThat(
            cluster.selectedNodes(
                vip(
                    Map.of("role", "lb"),
                    new TolerationBuilder()
                        .withKey("node-role.kubernetes.io/control-plane")
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build())))
        .containsExactly("cp-1", "soft", "worker-1");
    assertThat(cluster.selectedNodes(vip(Map.of("role", "lb"))))
        .containsExactly("soft", "worker-1");
  }
}
