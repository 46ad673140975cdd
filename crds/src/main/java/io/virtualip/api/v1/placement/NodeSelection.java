package io.virtualip.api.v1.placement;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.virtualip.api.v1.VirtualIP;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a VirtualIP's placement selects a node: the same decision the DaemonSet controller makes
 * for the agent pod the operator creates with that placement, so the agents that run an election
 * are exactly the ones scheduled for it.
 */
public final class NodeSelection {
  private NodeSelection() {}

  /**
   * The DaemonSet controller adds tolerations for these taints to every daemon pod (not-ready,
   * unreachable, the pressure conditions, unschedulable, network-unavailable for host-network
   * pods), so such a taint never evicts an agent. They must not deselect a node here either: a node
   * going NotReady must not stop its own election.
   */
  private static final String DAEMON_TOLERATED_PREFIX = "node.kubernetes.io/";

  /**
   * nodeSelector labels all present with equal values (none: every node), and every hard taint
   * tolerated.
   */
  public static boolean selects(VirtualIP vip, Node node) {
    var spec = vip.getSpec();
    if (spec == null) {
      return false;
    }
    return labelsMatch(spec.nodeSelector(), node.getMetadata().getLabels())
        && taintsTolerated(
            node.getSpec() == null ? null : node.getSpec().getTaints(), spec.tolerations());
  }

  static boolean labelsMatch(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null || selector.isEmpty()) {
      return true;
    }
    if (labels == null) {
      return false;
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  static boolean taintsTolerated(List<Taint> taints, List<Toleration> tolerations) {
    if (taints == null) {
      return true;
    }
    return taints.stream()
        // PreferNoSchedule is a preference: the scheduler may still place the pod there.
        .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
        .filter(t -> t.getKey() == null || !t.getKey().startsWith(DAEMON_TOLERATED_PREFIX))
        .allMatch(
            t -> tolerations != null && tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
  }

  /** Kubernetes' toleration matching (core/v1 Toleration.ToleratesTaint). */
  public static boolean tolerates(Toleration toleration, Taint taint) {
    String effect = toleration.getEffect();
    if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
      return false;
    }
    String key = toleration.getKey();
    String operator =
        toleration.getOperator() == null || toleration.getOperator().isEmpty()
            ? "Equal"
            : toleration.getOperator();
    if (key == null || key.isEmpty()) {
      // An empty key with Exists matches every taint; an empty key with Equal is invalid and
      // matches none.
      return "Exists".equals(operator);
    }
    if (!key.equals(taint.getKey())) {
      return false;
    }
    return switch (operator) {
      case "Exists" -> true;
      case "Equal" ->
          Objects.equals(emptyToNull(toleration.getValue()), emptyToNull(taint.getValue()));
      default -> false;
    };
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
