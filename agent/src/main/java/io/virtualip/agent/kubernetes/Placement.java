package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.placement.PlacementKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A VirtualIP's placement: where its agents run. The operator runs one agent DaemonSet per distinct placement, so a
 * node that two placements select runs two agents; each must run only the VirtualIPs of its own DaemonSet, or both
 * would run the same election on one node. The agent learns its placement from the environment variable
 * {@code VIRTUALIP_PLACEMENT} ({@code {"nodeSelector":{...},"tolerations":[...]}}, set by the operator in the
 * DaemonSet's pod template, which is placement-specific anyway); without it the agent runs every VirtualIP that
 * selects its node.
 *
 * <p>Compared as values: an absent and an empty nodeSelector are the same, and the order of tolerations does not
 * matter.
 */
public record Placement(Map<String, String> nodeSelector, Set<Toleration> tolerations) {

  public Placement {
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? Set.of() : Set.copyOf(tolerations);
  }

  /** The label value the operator puts on this placement's VirtualIPs ({@link PlacementKey#LABEL}). */
  public String key() {
    return PlacementKey.hash(nodeSelector, tolerations);
  }

  public static Placement of(VirtualIPSpec spec) {
    List<Toleration> t = spec.getTolerations();
    return new Placement(spec.getNodeSelector(), t == null ? null : Set.copyOf(t));
  }

  /** Parses the JSON form of {@code VIRTUALIP_PLACEMENT}: a VirtualIP spec's nodeSelector and tolerations. */
  public static Placement parse(String json) {
    VirtualIPSpec spec;
    try {
      spec = new KubernetesSerialization().unmarshal(json, VirtualIPSpec.class);
    } catch (RuntimeException e) {
      // fabric8 wraps the parser's message in a generic "An error has occurred."; the root cause says what is wrong.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      String detail = cause.getMessage() == null ? cause.toString() : cause.getMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException("VIRTUALIP_PLACEMENT is not {\"nodeSelector\":{...},\"tolerations\":[...]}: "
          + detail, e);
    }
    return of(spec);
  }
}
