package io.virtualip.api.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * YAML → model → YAML gives back the same document: the model has a field for everything the
 * examples say, with the same names and types, and adds nothing (no stray defaults or empty
 * collections) when written back.
 */
class ExamplesRoundTripTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * minimal.yaml is the minimal example, fast-failover.yaml the full one (every spec field but
   * unicastPeers).
   */
  static final String[] EXAMPLES = {
    "minimal.yaml", "fast-failover.yaml", "seed-keepalived-v2.yaml", "ipv6-v3.yaml", "unicast.yaml"
  };

  static String[] examples() {
    return EXAMPLES;
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleSurvivesTheModel(String example) throws IOException {
    JsonNode original = YAML.readTree(Path.of("..", "deploy", "examples", example).toFile());

    VirtualIP model = SERIALIZATION.convertValue(original, VirtualIP.class);
    JsonNode written = YAML.readTree(SERIALIZATION.asYaml(model));

    assertThat(written).isEqualTo(original);
  }

  @Test
  void examplesTogetherSetEverySpecField() throws IOException {
    Set<String> used = new TreeSet<>();
    for (String example : EXAMPLES) {
      YAML.readTree(Path.of("..", "deploy", "examples", example).toFile())
          .path("spec")
          .fieldNames()
          .forEachRemaining(used::add);
    }
    Set<String> declared = new TreeSet<>();
    YAML.readTree(CrdFileTest.COMMITTED.toFile())
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties")
        .fieldNames()
        .forEachRemaining(declared::add);

    assertThat(used).isEqualTo(declared);
  }
}
