package io.virtualip.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.virtualip.api.v1.VirtualIP;
import java.util.Objects;

/**
 * A VirtualIP update is worth a reconcile only when an input of its status changed: the spec
 * (generation), labels, deletion, finalizers, owner references, or the agents' status.nodes. The
 * operator's own status writes (master, conditions, VRID, stepDown) change none of these, so they
 * no longer reconcile the VirtualIP once more.
 */
public final class InputsChanged implements OnUpdateFilter<VirtualIP> {

  @Override
  public boolean accept(VirtualIP now, VirtualIP before) {
    var n = now.getMetadata();
    var b = before.getMetadata();
    return !Objects.equals(n.getGeneration(), b.getGeneration())
        || !Objects.equals(n.getLabels(), b.getLabels())
        || !Objects.equals(n.getAnnotations(), b.getAnnotations())
        || !Objects.equals(n.getDeletionTimestamp(), b.getDeletionTimestamp())
        || !Objects.equals(n.getFinalizers(), b.getFinalizers())
        || !Objects.equals(n.getOwnerReferences(), b.getOwnerReferences())
        || !Objects.equals(nodes(now), nodes(before));
  }

  private static Object nodes(VirtualIP v) {
    return v.getStatus() == null ? null : v.getStatus().nodes();
  }
}
