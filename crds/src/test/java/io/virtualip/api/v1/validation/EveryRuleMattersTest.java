package io.virtualip.api.v1.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Removes each CEL rule from the CRD in turn and checks that some invalid case of {@link
 * ValidationTest} is then judged differently: no rule is dead weight, and the cases really depend
 * on the rules they claim to test.
 */
class EveryRuleMattersTest {

  static JsonNode crd() throws IOException {
    try (InputStream in =
        CrdValidator.class.getClassLoader().getResourceAsStream(CrdValidator.CRD_RESOURCE)) {
      return ValidationTest.YAML.readTree(in);
    }
  }

  /** JSON pointers of every x-kubernetes-validations entry in the CRD, each with its rule text. */
  static Stream<Arguments> rules() throws IOException {
    List<Arguments> found = new ArrayList<>();
    collect(
        crd().at("/spec/versions/0/schema/openAPIV3Schema"),
        "/spec/versions/0/schema/openAPIV3Schema",
        found);
    return found.stream();
  }

  private static void collect(JsonNode schema, String pointer, List<Arguments> found) {
    JsonNode rules = schema.path("x-kubernetes-validations");
    for (int i = 0; i < rules.size(); i++) {
      found.add(
          Arguments.of(
              rules.get(i).path("rule").asText(), pointer + "/x-kubernetes-validations", i));
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            p ->
                collect(
                    p.getValue(),
                    pointer + "/properties/" + p.getKey().replace("~", "~0").replace("/", "~1"),
                    found));
    if (schema.has("items")) {
      collect(schema.get("items"), pointer + "/items", found);
    }
  }

  @Test
  void theCrdHasRulesAndAllCompile() throws IOException {
    assertThat(rules()).hasSizeGreaterThanOrEqualTo(9);
    assertThat(CrdValidator.load().ruleCount()).isEqualTo(rules().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void removingTheRuleLetsAnInvalidCaseThrough(String rule, String rulesPointer, int index)
      throws IOException {
    JsonNode crd = crd();
    ((ArrayNode) crd.at(rulesPointer)).remove(index);
    CrdValidator without = CrdValidator.of(crd);
    CrdValidator with = CrdValidator.load();

    List<String> changed =
        ValidationTest.invalid()
            .map(Arguments::get)
            .filter(
                c ->
                    !with.validate(ValidationTest.virtualIp((String) c[1]))
                        .equals(without.validate(ValidationTest.virtualIp((String) c[1]))))
            .map(c -> (String) c[0])
            .toList();

    assertThat(changed).as("invalid cases that depend on rule %s", rule).isNotEmpty();
  }
}
