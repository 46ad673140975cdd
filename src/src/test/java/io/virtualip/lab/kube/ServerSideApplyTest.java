package io.virtualip.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The lab's simplified apply: merge what is applied, remove what the same manager stopped applying.
 */
class ServerSideApplyTest {

  private static ObjectNode yaml(String text) {
    return ServerSideApply.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void addsAFinalizerAndKeepsEverythingElse() {
    ServerSideApply apply = new ServerSideApply();
    ObjectNode stored =
        yaml(
            """
                apiVersion: virtualip.io/v1
                kind: VirtualIP
                metadata: {name: vip, resourceVersion: "7", labels: {a: b}}
                spec: {addresses: [192.0.2.100/24]}
                """);
    ObjectNode merged =
        apply.merge(
            "/apis/virtualip.io/v1/virtualips/vip",
            "virtualip",
            stored,
            yaml(
                """
                {"apiVersion": "virtualip.io/v1", "kind": "VirtualIP",
                 "metadata": {"name": "vip", "finalizers": ["virtualips.virtualip.io/finalizer"]}}
                """));
    assertThat(merged.at("/metadata/finalizers/0").asText())
        .isEqualTo("virtualips.virtualip.io/finalizer");
    assertThat(merged.at("/metadata/labels/a").asText()).isEqualTo("b");
    assertThat(merged.at("/metadata/resourceVersion").asText()).isEqualTo("7");
    assertThat(merged.at("/spec/addresses/0").asText()).isEqualTo("192.0.2.100/24");
    assertThat(stored.at("/metadata/finalizers").isMissingNode())
        .as("stored object untouched")
        .isTrue();
  }

  @Test
  void aManagerRemovesWhatItNoLongerApplies() {
    ServerSideApply apply = new ServerSideApply();
    String path = "/api/v1/namespaces/x/configmaps/c";
    ObjectNode first =
        apply.merge(
            path,
            "m1",
            yaml("{metadata: {name: c}, data: {kept: k}}"),
            yaml("{metadata: {name: c}, data: {mine: '1', other: '2'}}"));
    assertThat(first.at("/data/mine").asText()).isEqualTo("1");
    ObjectNode second =
        apply.merge(path, "m1", first, yaml("{metadata: {name: c}, data: {mine: '3'}}"));
    assertThat(second.at("/data/mine").asText()).isEqualTo("3");
    assertThat(second.at("/data/other").isMissingNode()).as("dropped by its manager").isTrue();
    assertThat(second.at("/data/kept").asText()).as("never applied by m1").isEqualTo("k");
    assertThat(second.at("/metadata/name").asText()).isEqualTo("c");

    ObjectNode byAnother = apply.merge(path, "m2", second, yaml("{metadata: {name: c}}"));
    assertThat(byAnother.at("/data/mine").asText()).as("m2 owns nothing of m1's").isEqualTo("3");
  }
}
