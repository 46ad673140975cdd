package io.virtualip.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Field selectors as kubectl describe and the agent's pod watch send them. */
class FieldSelectorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void describeSelectsTheEventsOfAClusterScopedObject() throws Exception {
    JsonNode event =
        JSON.readTree(
            """
                {"involvedObject": {"kind": "VirtualIP", "name": "seed-vi-1", "uid": "u1"}}""");
    String describe =
        "involvedObject.name=seed-vi-1,involvedObject.namespace=,involvedObject.kind=VirtualIP,"
            + "involvedObject.uid=u1";
    assertThat(FieldSelector.parse(describe).matches(event)).isTrue();
    assertThat(FieldSelector.parse(describe.replace("u1", "u2")).matches(event)).isFalse();
    assertThat(FieldSelector.parse("involvedObject.namespace=default").matches(event)).isFalse();
  }

  @Test
  void equalityFormsAndNegation() throws Exception {
    JsonNode pod =
        JSON.readTree("{\"spec\": {\"nodeName\": \"n1\"}, \"status\": {\"phase\": \"Running\"}}");
    assertThat(FieldSelector.parse("spec.nodeName==n1").matches(pod)).isTrue();
    assertThat(FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed").matches(pod)).isTrue();
    assertThat(FieldSelector.parse("status.phase!=Running").matches(pod)).isFalse();
    assertThat(FieldSelector.parse("").matches(pod)).isTrue();
    assertThatThrownBy(() -> FieldSelector.parse("spec.nodeName"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
