package io.virtualip.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.operator.status.Aggregate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * JSON patches (RFC 6902) for the operator's share of a VirtualIP's status. status.nodes belongs to
 * the agents (each its own entry), so the operator never sends the list: a merge patch or a
 * whole-status update could drop or, on the test server, duplicate entries an agent wrote a moment
 * earlier. Adding to an existing member replaces it (RFC 6902 section 4.1), so each owned field is
 * written on its own path.
 */
final class StatusPatch {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private StatusPatch() {}

  /**
   * The patch that makes the stored status (which must exist) carry {@code a}, or empty when it
   * already does.
   */
  static Optional<ArrayNode> operatorFields(
      VirtualIP stored, Aggregate a, long generation, ObjectMapper mapper) {
    VirtualIPStatus s = stored.getStatus();
    List<String> stepDown = a.stepDown().isEmpty() ? null : a.stepDown();
    ArrayNode ops = JSON.arrayNode();
    if (s == null) {
      throw new IllegalArgumentException("no status yet: create it with firstStatus()");
    }
    field(ops, "observedGeneration", s.observedGeneration(), generation, mapper);
    field(ops, "virtualRouterId", s.virtualRouterId(), a.virtualRouterId(), mapper);
    field(ops, "master", s.master(), a.master(), mapper);
    field(ops, "stepDown", s.stepDown(), stepDown, mapper);
    field(ops, "conditions", s.conditions(), a.conditions(), mapper);
    return ops.isEmpty() ? Optional.empty() : Optional.of(ops);
  }

  /**
   * The whole first status, for a PUT guarded by resourceVersion (no agent can have written an
   * entry yet).
   */
  static VirtualIPStatus firstStatus(Aggregate a, long generation) {
    return new VirtualIPStatus(
        generation,
        a.virtualRouterId(),
        a.master(),
        null,
        a.stepDown().isEmpty() ? null : a.stepDown(),
        a.conditions());
  }

  /**
   * Shows an entry whose agent's Lease expired as Unknown. Guarded by test operations on the
   * entry's name and on what the agent last wrote (its {@code updated} stamp, else its state), so
   * an agent that came back in the meantime wins and the patch fails harmlessly.
   */
  static ArrayNode markUnknown(int index, NodeStatus entry, String reason) {
    String at = "/status/nodes/" + index;
    ArrayNode ops = JSON.arrayNode();
    ops.add(op("test", at + "/name", JSON.textNode(entry.name())));
    if (entry.updated() != null) {
      ops.add(op("test", at + "/updated", JSON.textNode(entry.updated())));
    } else if (entry.state() != null) {
      ops.add(op("test", at + "/state", JSON.textNode(entry.state().name())));
    }
    ops.add(op("add", at + "/state", JSON.textNode(NodeState.Unknown.name())));
    ops.add(op("add", at + "/reason", JSON.textNode(reason)));
    return ops;
  }

  /**
   * Replaces one field; a field to clear is set to null rather than removed: the API server prunes
   * nulls of non-nullable fields, and, unlike {@code remove}, {@code add} cannot fail on a field
   * that is already gone.
   */
  private static void field(
      ArrayNode ops, String name, Object stored, Object wanted, ObjectMapper mapper) {
    if (!Objects.equals(stored, wanted)) {
      ops.add(
          op(
              "add",
              "/status/" + name,
              wanted == null ? JSON.nullNode() : mapper.valueToTree(wanted)));
    }
  }

  private static ObjectNode op(String op, String path, JsonNode value) {
    ObjectNode node = JSON.objectNode().put("op", op).put("path", path);
    node.set("value", value);
    return node;
  }
}
