package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.virtualip.agent.spec.VipDefinition;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@code pods} track: healthy while at least one Ready pod of the selector runs on this node.
 */
final class PodsTracks {
  private PodsTracks() {}

  static boolean healthy(VipDefinition.PodsCheck track, String node, Collection<Pod> pods) {
    return pods.stream()
        .anyMatch(
            p ->
                node.equals(p.getSpec() == null ? null : p.getSpec().getNodeName())
                    && track.namespace().equals(p.getMetadata().getNamespace())
                    && p.getMetadata().getDeletionTimestamp() == null
                    && matches(track.selector(), p.getMetadata().getLabels())
                    && ready(p));
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * metav1.LabelSelector semantics; an empty selector matches everything, a missing one nothing.
   */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null
        && !selector.getMatchLabels().entrySet().stream()
            .allMatch(e -> e.getValue().equals(l.get(e.getKey())))) {
      return false;
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    return expressions == null || expressions.stream().allMatch(r -> matches(r, l));
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> labels.containsKey(r.getKey()) && values.contains(labels.get(r.getKey()));
      case "NotIn" -> !labels.containsKey(r.getKey()) || !values.contains(labels.get(r.getKey()));
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default -> false;
    };
  }
}
