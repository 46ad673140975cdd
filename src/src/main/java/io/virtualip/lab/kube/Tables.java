package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code meta.k8s.io/v1} Tables, what a real API server answers to {@code Accept:
 * application/json;as=Table}: a Name column, then the type's printer columns, one row per object.
 */
final class Tables {

  private Tables() {}

  /**
   * @param body a list ({@code items}) or a single object as the mock answered it
   * @param includeObject {@code None}, {@code Metadata} (the default) or {@code Object}, as in the
   *     request
   */
  static ObjectNode table(ApiResource type, JsonNode body, String includeObject) {
    ArrayNode columns = KubectlCompatibleDispatcher.json().createArrayNode();
    columns.add(
        KubectlCompatibleDispatcher.object(
            "name",
            "Name",
            "type",
            "string",
            "format",
            "name",
            "description",
            "Name must be unique within a namespace.",
            "priority",
            0));
    for (PrinterColumn c : type.columns()) {
      columns.add(
          KubectlCompatibleDispatcher.object(
              "name",
              c.name(),
              "type",
              c.type(),
              "format",
              "",
              "description",
              c.jsonPath(),
              "priority",
              0));
    }
    ArrayNode rows = KubectlCompatibleDispatcher.json().createArrayNode();
    // List.of for a single object: iterating the ObjectNode itself would yield its field values.
    Iterable<JsonNode> objects = body.has("items") ? body.get("items") : List.of(body);
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      type.columns().forEach(c -> cells.add(c.cell(object)));
      if ("Object".equals(includeObject)) {
        row.set("object", object);
      } else if (!"None".equals(includeObject)) {
        row.set(
            "object",
            KubectlCompatibleDispatcher.object(
                "kind",
                "PartialObjectMetadata",
                "apiVersion",
                "meta.k8s.io/v1",
                "metadata",
                object.path("metadata")));
      }
    }
    ObjectNode table =
        KubectlCompatibleDispatcher.object("kind", "Table", "apiVersion", "meta.k8s.io/v1");
    table
        .putObject("metadata")
        .put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    table.set("columnDefinitions", columns);
    table.set("rows", rows);
    return table;
  }
}
