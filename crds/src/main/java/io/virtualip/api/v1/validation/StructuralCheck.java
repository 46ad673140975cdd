package io.virtualip.api.v1.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The OpenAPI part of the API server's validation: type, required, enum, bounds, pattern, list
 * types, unknown fields.
 *
 * <p>Unknown fields are refused, as with kubectl's default {@code --validate=strict}: the server
 * would otherwise prune them silently, and a misspelt {@code prioritys} in an agent's config file
 * must not turn into default priorities.
 *
 * <p>Like the API server ({@code hasBlockingErr} in apiextensions-apiserver), wrong types, missing
 * required fields, unsupported enum values and too long or too many values are <em>blocking</em>:
 * the CEL rules are not run, because they could not rely on the shape of {@code self}.
 */
final class StructuralCheck {
  /** Patterns are Go RE2 in the API server; re2j has the same syntax and semantics. */
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private static final int SHOWN_VALUE_LENGTH = 60;

  private final List<Violation> violations = new ArrayList<>();
  private boolean blocking;

  List<Violation> violations() {
    return violations;
  }

  boolean blocking() {
    return blocking;
  }

  void check(JsonNode schema, JsonNode value, String path) {
    if (!hasType(schema.path("type").asText(""), value)) {
      fail(path, "must be of type " + schema.path("type").asText() + ", got " + show(value), true);
      return;
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null && !contains(allowed, value)) {
      fail(path, show(value) + " is not supported: use one of " + join(allowed), true);
      return;
    }
    if (value.isObject()) {
      checkObject(schema, value, path);
    } else if (value.isArray()) {
      checkArray(schema, value, path);
    } else if (value.isTextual()) {
      checkString(schema, value.textValue(), path);
    } else if (value.isNumber()) {
      checkNumber(schema, value.decimalValue(), path);
    }
  }

  private void checkObject(JsonNode schema, JsonNode value, String path) {
    JsonNode properties = schema.path("properties");
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        String description = properties.path(required.asText()).path("description").asText("");
        fail(
            join(path, required.asText()),
            "is required" + (description.isEmpty() ? "" : ": " + description),
            true);
      }
    }
    bound(value.size(), schema, "minProperties", "maxProperties", path, "entry", "entries");
    JsonNode additional = schema.get("additionalProperties");
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    value
        .fields()
        .forEachRemaining(
            field -> {
              String fieldPath = join(path, field.getKey());
              if (path.isEmpty() && OBJECT_FIELDS.contains(field.getKey())) {
                return;
              }
              if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), fieldPath);
              } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), fieldPath);
              } else if (!preserveUnknown) {
                fail(
                    fieldPath,
                    "unknown field \""
                        + field.getKey()
                        + "\": not in the VirtualIP schema (misspelt?)",
                    true);
              }
            });
  }

  private void checkArray(JsonNode schema, JsonNode value, String path) {
    bound(value.size(), schema, "minItems", "maxItems", path, "item", "items");
    JsonNode items = schema.get("items");
    for (int i = 0; i < value.size(); i++) {
      if (items != null) {
        check(items, value.get(i), path + "[" + i + "]");
      }
    }
    switch (schema.path("x-kubernetes-list-type").asText("atomic")) {
      case "set" -> checkUnique(value, path, item -> item, StructuralCheck::show);
      case "map" -> {
        List<String> keys = new ArrayList<>();
        schema.path("x-kubernetes-list-map-keys").forEach(key -> keys.add(key.asText()));
        checkUnique(
            value,
            path,
            item -> keys.stream().map(item::path).toList(),
            item ->
                keys.stream()
                    .map(key -> key + " " + show(item.path(key)))
                    .collect(Collectors.joining(", ")));
      }
      default -> {}
    }
  }

  private void checkUnique(
      JsonNode list,
      String path,
      Function<JsonNode, Object> identity,
      Function<JsonNode, String> describe) {
    Map<Object, Integer> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Integer first = seen.putIfAbsent(identity.apply(list.get(i)), i);
      if (first != null) {
        fail(
            path + "[" + i + "]",
            "duplicate entry for "
                + describe.apply(list.get(i))
                + ", already at index "
                + first
                + ": each entry may appear only once",
            false);
      }
    }
  }

  private void checkString(JsonNode schema, String value, String path) {
    int length = value.codePointCount(0, value.length());
    if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
      fail(
          path,
          "must be at least "
              + schema.get("minLength").asInt()
              + " characters long, got "
              + show(text(value)),
          false);
    }
    if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
      fail(
          path,
          "must be at most "
              + schema.get("maxLength").asInt()
              + " characters long, got "
              + length
              + " characters",
          true);
    }
    if (schema.has("pattern")) {
      String pattern = schema.get("pattern").asText();
      if (!PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(value).find()) {
        // A regular expression alone tells few people what to write; the field's description does.
        String description = schema.path("description").asText("");
        fail(
            path,
            show(text(value))
                + " does not have the expected form "
                + pattern
                + (description.isEmpty() ? "" : " (" + description + ")"),
            false);
      }
    }
  }

  private static JsonNode text(String value) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(value);
  }

  private void checkNumber(JsonNode schema, BigDecimal value, String path) {
    if (schema.has("minimum") && value.compareTo(schema.get("minimum").decimalValue()) < 0) {
      fail(
          path,
          "must be at least " + plain(schema.get("minimum")) + ", got " + value.toPlainString(),
          false);
    }
    if (schema.has("maximum") && value.compareTo(schema.get("maximum").decimalValue()) > 0) {
      fail(
          path,
          "must be at most " + plain(schema.get("maximum")) + ", got " + value.toPlainString(),
          false);
    }
  }

  private void bound(
      int size, JsonNode schema, String min, String max, String path, String one, String many) {
    if (schema.has(min) && size < schema.get(min).asInt()) {
      fail(
          path,
          "must have at least " + count(schema.get(min).asInt(), one, many) + ", got " + size,
          false);
    }
    if (schema.has(max) && size > schema.get(max).asInt()) {
      fail(
          path,
          "must have at most " + count(schema.get(max).asInt(), one, many) + ", got " + size,
          true);
    }
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private void fail(String path, String message, boolean blocks) {
    violations.add(new Violation(path, message));
    blocking |= blocks;
  }

  private static boolean hasType(String type, JsonNode value) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true;
    };
  }

  private static boolean contains(JsonNode allowed, JsonNode value) {
    for (JsonNode candidate : allowed) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String join(JsonNode values) {
    List<String> shown = new ArrayList<>();
    values.forEach(v -> shown.add(show(v)));
    return String.join(", ", shown);
  }

  private static String plain(JsonNode number) {
    return number.decimalValue().stripTrailingZeros().toPlainString();
  }

  static String show(JsonNode value) {
    String json = value.toString();
    return json.length() > SHOWN_VALUE_LENGTH
        ? json.substring(0, SHOWN_VALUE_LENGTH - 3) + "..."
        : json;
  }

  /** Fields of every object the API server checks itself; a CRD's schema does not declare them. */
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");
}
