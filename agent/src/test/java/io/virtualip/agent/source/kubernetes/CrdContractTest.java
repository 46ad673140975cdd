package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.api.v1.VirtualIP;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * What the agent's server-side apply of its own status.nodes entry relies on in the CRD: without a
 * list-map keyed by name, one agent's apply would replace every other node's entry.
 */
class CrdContractTest {

  @Test
  void statusNodesIsAListMapKeyedByNameWithAStatusSubresource() throws Exception {
    CustomResourceDefinition crd;
    try (InputStream in =
        VirtualIP.class.getResourceAsStream("/META-INF/fabric8/virtualips.virtualip.io-v1.yml")) {
      crd = new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getSubresources().getStatus()).isNotNull();
    JSONSchemaProps nodes =
        version
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("status")
            .getProperties()
            .get("nodes");
    assertThat(nodes.getXKubernetesListType()).isEqualTo("map");
    assertThat(nodes.getXKubernetesListMapKeys()).containsExactly("name");
  }
}
