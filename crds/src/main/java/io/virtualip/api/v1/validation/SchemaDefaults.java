package io.virtualip.api.v1.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the API server does to a custom resource before it validates it: drop null values (fields
 * are not {@code nullable} in this CRD) and fill in each schema {@code default} where the field is
 * absent but its parent object is present. Works in place on a copy the caller owns.
 */
final class SchemaDefaults {
  private SchemaDefaults() {}

  static void apply(JsonNode schema, JsonNode value) {
    if (value == null || schema == null) {
      return;
    }
    if (value.isObject()) {
      ObjectNode object = (ObjectNode) value;
      removeNulls(object);
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        JsonNode defaultValue = property.getValue().get("default");
        if (defaultValue != null && !object.has(property.getKey())) {
          object.set(property.getKey(), defaultValue.deepCopy());
        }
      }
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode fieldSchema =
            properties.has(field.getKey())
                ? properties.get(field.getKey())
                : additional.isObject() ? additional : null;
        apply(fieldSchema, field.getValue());
      }
    } else if (value.isArray()) {
      value.forEach(item -> apply(schema.get("items"), item));
    }
  }

  private static void removeNulls(ObjectNode object) {
    List<String> nulls = new ArrayList<>();
    object
        .fields()
        .forEachRemaining(
            field -> {
              if (field.getValue().isNull()) {
                nulls.add(field.getKey());
              }
            });
    object.remove(nulls);
  }
}
