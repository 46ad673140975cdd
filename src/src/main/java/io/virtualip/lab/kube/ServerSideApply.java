package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side apply as far as the lab needs it, which the mock lacks (it answers 415): the real
 * operator is built with SSA on, and JOSDK adds its finalizer by apply.
 *
 * <p>What it does: the applied configuration is merged into the stored object (objects field by
 * field, everything else replaced), and fields this field manager applied last time but not this
 * time are removed, so a manager can clear what it owns, as with real apply. What it does not:
 * per-item merging of list-maps and sets between managers (a list is owned whole by its last
 * applier), conflict detection between managers, and apply to subresources (the dispatcher answers
 * those 415, as the mock does). In the lab only JOSDK applies, to add the operator's finalizer; the
 * agents' apply of their status.nodes entry gets 415 and they fall back to their JSON patch.
 */
final class ServerSideApply {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Identity fields every apply carries; never removed because a later apply omits them. */
  private static final Set<List<String>> IDENTITY =
      Set.of(
          List.of("apiVersion"),
          List.of("kind"),
          List.of("metadata", "name"),
          List.of("metadata", "namespace"));

  /** Object path + field manager -> the field paths it applied last. */
  private final Map<String, Set<List<String>>> owned = new ConcurrentHashMap<>();

  /** Parses an apply body: YAML (of which JSON is a subset). */
  static ObjectNode parse(byte[] body) {
    try {
      return (ObjectNode) YAML.readTree(body);
    } catch (IOException | ClassCastException e) {
      throw new IllegalArgumentException("apply body is not a YAML object", e);
    }
  }

  /**
   * The object to store: {@code stored} (a copy) with {@code applied} merged in and the manager's
   * dropped fields removed. {@code stored} is null when the object does not exist yet.
   */
  ObjectNode merge(String objectPath, String manager, ObjectNode stored, ObjectNode applied) {
    Set<List<String>> now = new HashSet<>();
    leaves(applied, new ArrayList<>(), now);
    Set<List<String>> before = owned.getOrDefault(objectPath + "|" + manager, Set.of());
    ObjectNode result = stored == null ? applied.deepCopy() : stored.deepCopy();
    for (List<String> dropped : before) {
      if (!now.contains(dropped) && !IDENTITY.contains(dropped)) {
        remove(result, dropped);
      }
    }
    if (stored != null) {
      mergeInto(result, applied);
    }
    owned.put(objectPath + "|" + manager, Set.copyOf(now));
    return result;
  }

  /** Forgets ownership of a deleted object. */
  void forget(String objectPath) {
    owned.keySet().removeIf(key -> key.startsWith(objectPath + "|"));
  }

  private static void leaves(JsonNode node, List<String> path, Set<List<String>> into) {
    if (node.isObject() && !node.isEmpty()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        path.add(field.getKey());
        leaves(field.getValue(), path, into);
        path.remove(path.size() - 1);
      }
    } else if (!path.isEmpty()) {
      into.add(List.copyOf(path));
    }
  }

  private static void mergeInto(ObjectNode target, JsonNode applied) {
    for (Iterator<Map.Entry<String, JsonNode>> it = applied.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode object && field.getValue().isObject()) {
        mergeInto(object, field.getValue());
      } else {
        target.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  private static void remove(ObjectNode root, List<String> path) {
    JsonNode node = root;
    for (String step : path.subList(0, path.size() - 1)) {
      node = node.get(step);
      if (!(node instanceof ObjectNode)) {
        return;
      }
    }
    ((ObjectNode) node).remove(path.get(path.size() - 1));
  }
}
