package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The values table in the chart's README covers values.yaml, and documents no key that does not exist. */
class ChartReadmeTest {

  private static final Pattern TABLE_KEY = Pattern.compile("(?m)^\\| `([A-Za-z0-9.]+)` \\|");

  @Test
  void valuesTableMatchesValuesYaml() throws IOException {
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(Chart.directory().resolve("values.yaml").toFile());
    List<String> keys = new ArrayList<>();
    collectKeys("", values, keys);
    Set<String> documented = documentedKeys();

    // A key is documented itself or through an ancestor documented as a whole (operator.resources).
    assertThat(keys).allSatisfy(key -> assertThat(documented)
        .as("README.md values table documents %s", key)
        .anyMatch(doc -> key.equals(doc) || key.startsWith(doc + ".")));
    assertThat(documented).allSatisfy(doc -> assertThat(keys)
        .as("values.yaml has the documented key %s", doc)
        .anyMatch(key -> key.equals(doc) || key.startsWith(doc + ".")));
  }

  private static Set<String> documentedKeys() throws IOException {
    Matcher matcher = TABLE_KEY.matcher(Files.readString(Chart.directory().resolve("README.md")));
    return matcher.results().map(m -> m.group(1))
        .filter(key -> !key.contains("/"))
        .collect(Collectors.toSet());
  }

  /** Dotted paths of the leaves; empty maps and lists count as leaves (users fill them). */
  private static void collectKeys(String prefix, JsonNode node, List<String> keys) {
    if (node.isObject() && !node.isEmpty()) {
      node.fields().forEachRemaining(field ->
          collectKeys(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), keys));
    } else {
      keys.add(prefix);
    }
  }
}
