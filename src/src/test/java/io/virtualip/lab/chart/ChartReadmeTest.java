package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.virtualip.lab.chart.RbacPermissions.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The values table in the chart's README covers values.yaml, and documents no key that does not
 * exist; its RBAC table says exactly what the rendered chart grants each ServiceAccount.
 */
class ChartReadmeTest {

  /** A row of the RBAC table: account, scope, apiGroup, resource, names, verbs, why. */
  private static final Pattern RBAC_ROW =
      Pattern.compile(
          "(?m)^\\| (operator|agent) \\| ([^|]+) \\| `([^`]*)` \\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\| [^|]+ \\|$");

  private static final Pattern TABLE_KEY = Pattern.compile("(?m)^\\| `([A-Za-z0-9.]+)` \\|");

  @Test
  void valuesTableMatchesValuesYaml() throws IOException {
    JsonNode values =
        new ObjectMapper(new YAMLFactory())
            .readTree(Chart.directory().resolve("values.yaml").toFile());
    List<String> keys = new ArrayList<>();
    collectKeys("", values, keys);
    Set<String> documented = documentedKeys();

    // A key is documented itself or through an ancestor documented as a whole (operator.resources).
    assertThat(keys)
        .allSatisfy(
            key ->
                assertThat(documented)
                    .as("README.md values table documents %s", key)
                    .anyMatch(doc -> key.equals(doc) || key.startsWith(doc + ".")));
    assertThat(documented)
        .allSatisfy(
            doc ->
                assertThat(keys)
                    .as("values.yaml has the documented key %s", doc)
                    .anyMatch(key -> key.equals(doc) || key.startsWith(doc + ".")));
  }

  @Test
  void rbacTableIsWhatTheRenderedChartGrants() throws IOException {
    String readme = Files.readString(Chart.directory().resolve("README.md"));
    List<HasMetadata> objects = Chart.objects(Chart.render(Map.of()));
    Map<String, Set<Permission>> documented = new HashMap<>();
    Matcher row = RBAC_ROW.matcher(readme);
    while (row.find()) {
      String scope =
          switch (row.group(2).strip()) {
            case "cluster" -> RbacPermissions.CLUSTER;
            case "release namespace" -> Chart.NAMESPACE;
            default -> row.group(2).strip().replace("`", "");
          };
      String group = row.group(3).equals("\"\"") ? "" : row.group(3);
      List<String> names =
          row.group(5).strip().equals("all")
              ? List.of(RbacPermissions.ANY_NAME)
              : Arrays.stream(row.group(5).split(","))
                  .map(n -> n.strip().replace("`", ""))
                  .toList();
      for (String name : names) {
        documented
            .computeIfAbsent(row.group(1), a -> new HashSet<>())
            .addAll(RbacPermissions.grant(scope, group, row.group(4), name, row.group(6).strip()));
      }
    }

    assertThat(documented).containsOnlyKeys("operator", "agent");
    for (String account : List.of("operator", "agent")) {
      assertThat(documented.get(account))
          .as("README.md RBAC table, account %s, against the rendered chart", account)
          .containsExactlyInAnyOrderElementsOf(
              RbacPermissions.of(objects, Chart.NAMESPACE, "virtualip-" + account));
    }
  }

  private static Set<String> documentedKeys() throws IOException {
    Matcher matcher = TABLE_KEY.matcher(Files.readString(Chart.directory().resolve("README.md")));
    return matcher
        .results()
        .map(m -> m.group(1))
        .filter(key -> !key.contains("/"))
        .collect(Collectors.toSet());
  }

  /** Dotted paths of the leaves; empty maps and lists count as leaves (users fill them). */
  private static void collectKeys(String prefix, JsonNode node, List<String> keys) {
    if (node.isObject() && !node.isEmpty()) {
      node.fields()
          .forEachRemaining(
              field ->
                  collectKeys(
                      prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
                      field.getValue(),
                      keys));
    } else {
      keys.add(prefix);
    }
  }
}
