package io.virtualip.operator.dependent;

import io.fabric8.kubernetes.api.model.Toleration;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.placement.PlacementKey;
import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.TreeMap;

/**
 * Where agents must run: spec.nodeSelector and spec.tolerations. VirtualIPs with equal placements share one agent
 * DaemonSet, named after a hash of the placement's canonical JSON (keys sorted, tolerations sorted), so the name is
 * the same whichever VirtualIP is reconciled first and whatever order the user wrote.
 */
public record Placement(Map<String, String> nodeSelector, List<Toleration> tolerations) {

  public Placement {
    nodeSelector = Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector));
    tolerations = PlacementKey.sorted(tolerations);
  }

  public static Placement of(VirtualIP vip) {
    var spec = vip.getSpec();
    return new Placement(spec == null || spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector(),
        spec == null || spec.getTolerations() == null ? List.of() : spec.getTolerations());
  }

  public boolean isEmpty() {
    return nodeSelector.isEmpty() && tolerations.isEmpty();
  }

  public String canonicalJson() {
    return PlacementKey.canonicalJson(nodeSelector, tolerations);
  }

  /** First 10 hex characters of SHA-256 over the canonical JSON. */
  public String hash() {
    return PlacementKey.hash(canonicalJson());
  }
}
