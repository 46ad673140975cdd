package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.virtualip.api.v1.schema.DeepMergePatch;
import java.util.Objects;

/** Healthy while at least one pod matching the selector is Ready on this node. */
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
    {"properties": {"selector": {"properties": {
      "matchLabels": {"description": "Labels a pod must all have."},
      "matchExpressions": {"description": "Label requirements a pod must all meet.", "items": {"properties": {
        "key": {"description": "Label key."},
        "operator": {"description": "In, NotIn, Exists or DoesNotExist."},
        "values": {"description": "Values for In and NotIn; empty for Exists and DoesNotExist."}}}}}}}}
    """)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"namespace", "selector"})
public class PodsTrack {

  @JsonPropertyDescription("Namespace of the pods.")
  @Required
  @Size(min = 1, max = 63)
  private String namespace;

  @JsonPropertyDescription("Label selector of the pods.")
  @Required
  private LabelSelector selector;

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof PodsTrack other)) return false;
    return Objects.equals(namespace, other.namespace) && Objects.equals(selector, other.selector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, selector);
  }

  @Override
  public String toString() {
    return "PodsTrack{" + "namespace=" + namespace + ", " + "selector=" + selector + "}";
  }
}
