package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.virtualip.api.v1.schema.DeepMergePatch;

/**
 * Healthy while at least one pod matching the selector is Ready on this node.
 *
 * @param namespace where the pods are
 * @param selector which pods count
 */
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
public record PodsTrack(
    @JsonPropertyDescription("Namespace of the pods.") @Required @Size(min = 1, max = 63)
        String namespace,
    @JsonPropertyDescription("Label selector of the pods.") @Required LabelSelector selector) {}
