package io.virtualip.api.v1.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class DeepMergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void mergesNestedObjectsMemberByMemberAsRfc7386Says() throws Exception {
    JsonNode target = json("{'a': {'b': 1, 'c': {'d': 2}}, 'e': [1, 2], 'f': 3}");
    JsonNode patch = json("{'a': {'c': {'x': 9}}, 'e': [3], 'f': null, 'g': 'new'}");

    assertThat(DeepMergePatch.merge(target, patch))
        .isEqualTo(json("{'a': {'b': 1, 'c': {'d': 2, 'x': 9}}, 'e': [3], 'g': 'new'}"));
  }

  @Test
  void keepsTheOtherPropertiesOfTheSchema() {
    JSONSchemaProps status =
        new JSONSchemaPropsBuilder()
            .withType("object")
            .addToProperties("nodes", new JSONSchemaPropsBuilder().withType("array").build())
            .addToProperties("master", new JSONSchemaPropsBuilder().withType("string").build())
            .build();

    JSONSchemaProps patched =
        new DeepMergePatch()
            .apply(
                status,
                "{\"properties\": {\"nodes\": {\"x-kubernetes-list-type\": \"map\", \"x-kubernetes-list-map-keys\": [\"name\"]}}}",
                new KubernetesSerialization());

    assertThat(patched.getProperties()).containsOnlyKeys("nodes", "master");
    assertThat(patched.getProperties().get("nodes").getType()).isEqualTo("array");
    assertThat(patched.getProperties().get("nodes").getXKubernetesListType()).isEqualTo("map");
    assertThat(patched.getProperties().get("nodes").getXKubernetesListMapKeys())
        .containsExactly("name");
    assertThat(patched.getProperties().get("master").getType()).isEqualTo("string");
  }
}
