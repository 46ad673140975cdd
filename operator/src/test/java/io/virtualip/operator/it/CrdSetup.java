package io.virtualip.operator.it;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Installs the committed CRD and the agent namespace into the mock API server before the operator starts. */
public class CrdSetup implements Consumer<KubernetesServer> {
  static final Path CRD = Path.of("..", "crds", "virtualips.virtualip.io-v1.yml");
  static final String AGENT_NAMESPACE = "virtualip-system";

  @Override
  public void accept(KubernetesServer server) {
    var client = server.getClient();
    try (InputStream in = Files.newInputStream(CRD)) {
      client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
    } catch (IOException e) {
      throw new UncheckedIOException("the committed CRD is read from " + CRD.toAbsolutePath(), e);
    }
    client.resource(new NamespaceBuilder().withNewMetadata().withName(AGENT_NAMESPACE).endMetadata().build()).create();
  }
}
