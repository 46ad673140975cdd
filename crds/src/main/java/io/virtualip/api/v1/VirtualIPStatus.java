package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.schema.DeepMergePatch;
import java.util.List;

/**
 * Observed state: which node holds the address and what is wrong, aggregated by the operator from
 * the agents' entries.
 */
// List-maps let each agent server-side-apply its own status.nodes entry, and the operator its
// conditions, without overwriting the others' entries; fabric8 has no annotation for list types,
// hence the merge patch.
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
    {"properties": {
      "nodes": {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
      "conditions": {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"], "items": {
        "required": ["type"],
        "properties": {
          "type": {"description": "Ready, SplitBrain or Degraded.", "maxLength": 316},
          "status": {"description": "True, False or Unknown.", "maxLength": 16},
          "reason": {"description": "Why the condition has its status, in one CamelCase word.", "maxLength": 1024},
          "message": {"description": "Why the condition has its status, in words.", "maxLength": 32768},
          "lastTransitionTime": {"description": "When the status last changed (RFC 3339).", "maxLength": 64},
          "observedGeneration": {"description": "Generation of the spec the condition was computed for."}}}},
      "stepDown": {"x-kubernetes-list-type": "set", "items": {"maxLength": 253}}}}
    """)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "observedGeneration",
  "virtualRouterId",
  "master",
  "nodes",
  "stepDown",
  "conditions"
})
public record VirtualIPStatus(
    @JsonPropertyDescription("Generation of the spec the operator last acted on.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "The VRID in use: spec.virtualRouterId or the one the operator allocated.")
        Integer virtualRouterId,
    @JsonPropertyDescription(
            "Node that holds the address, or empty when none or more than one claims it.")
        @Size(max = NodeStatus.MAX_NAME_LENGTH)
        String master,
    @JsonPropertyDescription(
            "One entry per node that runs the election, each written by that node's agent (a list-map keyed by name).")
        @Size(max = MAX_NODES)
        List<NodeStatus> nodes,
    @JsonPropertyDescription(
            "Nodes the operator has told to step down to end a split brain (splitBrainPolicy Resolve); their agents leave Master while listed.")
        @Size(max = MAX_NODES)
        List<String> stepDown,
    @JsonPropertyDescription("Ready, SplitBrain and Degraded conditions.")
        @Size(max = MAX_CONDITIONS)
        List<Condition> conditions) {
  /** status.nodes and status.stepDown: room for 255 nodes. */
  public static final int MAX_NODES = 255;

  /** Conditions: Ready, SplitBrain, Degraded, and room for a few more. */
  public static final int MAX_CONDITIONS = 8;

  /**
   * A condition's message, as metav1.Condition bounds it (the schema's merge patch above says the
   * same).
   */
  public static final int MAX_CONDITION_MESSAGE_LENGTH = 32768;

  /** A status with nothing set (all absent in JSON), to start from with the {@code with} copies. */
  public static final VirtualIPStatus EMPTY =
      new VirtualIPStatus(null, null, null, null, null, null);

  public VirtualIPStatus withVirtualRouterId(Integer v) {
    return new VirtualIPStatus(observedGeneration, v, master, nodes, stepDown, conditions);
  }

  public VirtualIPStatus withMaster(String v) {
    return new VirtualIPStatus(observedGeneration, virtualRouterId, v, nodes, stepDown, conditions);
  }

  public VirtualIPStatus withNodes(List<NodeStatus> v) {
    return new VirtualIPStatus(
        observedGeneration, virtualRouterId, master, v, stepDown, conditions);
  }

  public VirtualIPStatus withStepDown(List<String> v) {
    return new VirtualIPStatus(observedGeneration, virtualRouterId, master, nodes, v, conditions);
  }

  public VirtualIPStatus withConditions(List<Condition> v) {
    return new VirtualIPStatus(observedGeneration, virtualRouterId, master, nodes, stepDown, v);
  }
}
