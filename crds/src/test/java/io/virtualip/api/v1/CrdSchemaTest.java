package io.virtualip.api.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.virtualip.api.v1.validation.CrdValidator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the issue, the API server and kubectl require of the generated CRD beyond what the generator
 * checks.
 */
class CrdSchemaTest {
  private static JsonNode crd;
  private static JsonNode schema;

  @BeforeAll
  static void read() throws IOException {
    try (InputStream in =
        CrdSchemaTest.class.getClassLoader().getResourceAsStream(CrdValidator.CRD_RESOURCE)) {
      crd = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    schema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  @Test
  void namesScopeAndPrinterColumnsAreThoseOfTheIssue() {
    assertThat(crd.at("/spec/group").asText()).isEqualTo("virtualip.io");
    assertThat(crd.at("/spec/names/kind").asText()).isEqualTo("VirtualIP");
    assertThat(crd.at("/spec/names/plural").asText()).isEqualTo("virtualips");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("vip");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    List<String> columns = new ArrayList<>();
    crd.at("/spec/versions/0/additionalPrinterColumns")
        .forEach(c -> columns.add(c.path("name").asText()));
    // kubectl get shows them in this order, the issue's; fabric8 alone would sort them by jsonPath.
    assertThat(columns)
        .containsExactly("ADDRESSES", "VRID", "MASTER", "READY", "SPLIT-BRAIN", "AGE");
  }

  @Test
  void statusNodesIsAListMapKeyedByNameSoAgentsCanApplyTheirOwnEntry() {
    JsonNode nodes = schema.at("/properties/status/properties/nodes");
    assertThat(nodes.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(nodes.path("x-kubernetes-list-map-keys")).containsExactly(TextNode.valueOf("name"));
    // The API server refuses list-map keys that are neither required nor defaulted.
    assertThat(nodes.at("/items/required")).contains(TextNode.valueOf("name"));
    JsonNode conditions = schema.at("/properties/status/properties/conditions");
    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(conditions.at("/items/required")).contains(TextNode.valueOf("type"));
    assertThat(schema.at("/properties/spec/properties/addresses/x-kubernetes-list-type").asText())
        .isEqualTo("set");
  }

  @Test
  void everyFieldHasADescription() {
    List<String> undescribed = new ArrayList<>();
    walk(
        schema.path("properties").path("spec"),
        "spec",
        (path, node) -> {
          if (node.path("description").asText("").isBlank()) {
            undescribed.add(path);
          }
        });
    walk(
        schema.path("properties").path("status"),
        "status",
        (path, node) -> {
          if (node.path("description").asText("").isBlank()) {
            undescribed.add(path);
          }
        });
    assertThat(undescribed)
        .as("fields without description (kubectl explain shows nothing)")
        .isEmpty();
  }

  /**
   * The API server estimates each rule's worst-case cost from the schema and refuses rules whose
   * lists or strings are unbounded. Every value a rule reads must therefore have maxItems,
   * maxProperties, maxLength or an enum.
   */
  @Test
  void everyValueARuleReadsIsBounded() {
    Pattern selection = Pattern.compile("self((?:\\.[A-Za-z_][A-Za-z0-9_]*)*)");
    List<String> unbounded = new ArrayList<>();
    walkAll(
        schema,
        "",
        (path, node) -> {
          for (JsonNode rule : node.path("x-kubernetes-validations")) {
            Matcher m = selection.matcher(rule.path("rule").asText());
            while (m.find()) {
              JsonNode target = node;
              for (String field : m.group(1).split("\\.")) {
                if (!field.isEmpty() && target.path("properties").has(field)) {
                  target = target.path("properties").path(field);
                }
              }
              if (!bounded(target)) {
                unbounded.add(
                    path + " rule " + rule.path("rule").asText() + " reads self" + m.group(1));
              }
            }
          }
        });
    assertThat(unbounded).isEmpty();
  }

  /**
   * Status is written by every agent and the operator: every string, list and map in it is bounded
   * (an unbounded status lets one writer fill etcd's object), with room for 255 nodes.
   */
  @Test
  void everyStatusStringListAndMapIsBoundedWithRoomFor255Nodes() {
    JsonNode status = schema.at("/properties/status");
    List<String> unbounded = new ArrayList<>();
    walkAll(
        status,
        "status",
        (path, node) -> {
          if (!bounded(node)) {
            unbounded.add(path);
          }
        });
    assertThat(unbounded).as("unbounded status fields").isEmpty();
    assertThat(status.at("/properties/nodes/maxItems").asInt()).isGreaterThanOrEqualTo(255);
    assertThat(status.at("/properties/stepDown/maxItems").asInt()).isGreaterThanOrEqualTo(255);
    assertThat(status.at("/properties/nodes/items/properties/peers/maxItems").asInt())
        .isGreaterThanOrEqualTo(254);
    assertThat(status.at("/properties/nodes/items/properties/name/maxLength").asInt())
        .isEqualTo(253);
  }

  private static boolean bounded(JsonNode node) {
    return switch (node.path("type").asText()) {
      case "string" -> node.has("maxLength") || node.has("enum");
      case "array" -> node.has("maxItems") && bounded(node.path("items"));
      case "object" -> !node.has("additionalProperties") || node.has("maxProperties");
      default -> true;
    };
  }

  /** Visits every property below {@code node}, array items included, with its path. */
  private static void walk(JsonNode node, String path, BiConsumer<String, JsonNode> visit) {
    visit.accept(path, node);
    node.path("properties")
        .fields()
        .forEachRemaining(p -> walk(p.getValue(), path + "." + p.getKey(), visit));
    JsonNode items = node.path("items");
    items
        .path("properties")
        .fields()
        .forEachRemaining(p -> walk(p.getValue(), path + "[]." + p.getKey(), visit));
  }

  private static void walkAll(JsonNode node, String path, BiConsumer<String, JsonNode> visit) {
    visit.accept(path, node);
    node.path("properties")
        .fields()
        .forEachRemaining(p -> walkAll(p.getValue(), path + "." + p.getKey(), visit));
    if (node.has("items")) {
      walkAll(node.get("items"), path + "[]", visit);
    }
  }
}
