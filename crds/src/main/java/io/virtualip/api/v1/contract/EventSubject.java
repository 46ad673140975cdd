package io.virtualip.api.v1.contract;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.virtualip.api.v1.VirtualIP;

/**
 * How an Event names the VirtualIP it is about, the same from the agent (transitions) and the
 * operator (elections, split brain): {@code kubectl describe virtualip} and {@code kubectl vip why}
 * find both by this reference.
 */
public final class EventSubject {

  private EventSubject() {}

  /** The involvedObject of an Event about {@code vip}. */
  public static ObjectReference of(VirtualIP vip) {
    return new ObjectReferenceBuilder()
        .withApiVersion(vip.getApiVersion())
        .withKind(vip.getKind())
        .withName(vip.getMetadata().getName())
        .withUid(vip.getMetadata().getUid())
        .build();
  }
}
