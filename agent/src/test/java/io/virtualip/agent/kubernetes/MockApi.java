package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.CustomResourceDefinitionProcessor;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.virtualip.api.v1.VirtualIP;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode with the committed VirtualIP CRD loaded (so /status is a subresource as on a
 * real server), and an outage switch: {@link #stop()} shuts the listener down, {@link #restart()} brings it back on
 * the same port with the same stored objects.
 */
final class MockApi implements AutoCloseable {

  private final KubernetesCrudDispatcher dispatcher = new RealisticPatchDispatcher();
  private KubernetesMockServer server;
  private final InetAddress address;
  private final int port;
  private final KubernetesClient admin;

  MockApi() throws Exception {
    this(InetAddress.getLoopbackAddress());
  }

  /** Listening on {@code address}, e.g. one that agents in network namespaces can reach. */
  MockApi(InetAddress address) throws Exception {
    this.address = address;
    server = newServer();
    server.init(address, 0);
    port = server.getPort();
    admin = client();
    try (InputStream crd = VirtualIP.class.getResourceAsStream("/META-INF/fabric8/virtualips.virtualip.io-v1.yml")) {
      admin.resource(admin.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    }
  }

  /**
   * The mock throws inside its dispatcher when a JSON patch's {@code test} op fails, and the request then hangs until
   * the client's timeout. A real API server answers 422 Unprocessable Entity; this answers the same, so the agent's
   * retry on a lost race is exercised as it would be against a real server.
   */
  private static final class RealisticPatchDispatcher extends KubernetesCrudDispatcher {

    RealisticPatchDispatcher() {
      teachNodeNameFieldSelector(this);
    }
    @Override
    public MockResponse handlePatch(RecordedRequest request) {
      try {
        return super.handlePatch(request);
      } catch (RuntimeException e) {
        if (!e.getClass().getSimpleName().contains("JsonPatch")) {
          throw e;
        }
        return new MockResponse().setResponseCode(422).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\","
            + "\"status\":\"Failure\",\"reason\":\"Invalid\",\"code\":422,\"message\":\"the server rejected our "
            + "request due to an error in our request: " + e.getClass().getSimpleName() + "\"}");
      }
    }
  }

  /**
   * A real API server filters pods by the {@code spec.nodeName} field selector (the kubelet's own watch uses it);
   * the mock knows only metadata fields and answers such a list or watch with nothing. Its attribute extractor is
   * a private field without a setter, so it is replaced by reflection with one that also extracts a pod's node name.
   */
  private static void teachNodeNameFieldSelector(KubernetesCrudDispatcher dispatcher) {
    try {
      Field field = KubernetesCrudDispatcher.class.getDeclaredField("kubernetesAttributesExtractor");
      field.setAccessible(true);
      KubernetesAttributesExtractor original = (KubernetesAttributesExtractor) field.get(dispatcher);
      Field crds = KubernetesCrudDispatcher.class.getDeclaredField("crdProcessor");
      crds.setAccessible(true);
      KubernetesAttributesExtractor withNodeName = new KubernetesAttributesExtractor() {
        @Override
        public AttributeSet extract(HasMetadata resource) {
          AttributeSet attributes = super.extract(resource);
          String nodeName = nodeName(resource);
          return nodeName == null ? attributes : attributes.add(new Attribute("spec.nodeName", nodeName));
        }
      };
      withNodeName.setCustomResourceDefinitionProcessor((CustomResourceDefinitionProcessor) crds.get(dispatcher));
      field.set(dispatcher, withNodeName);
      // The create handler keeps its own reference.
      Field postHandlerField = KubernetesCrudDispatcher.class.getDeclaredField("postHandler");
      postHandlerField.setAccessible(true);
      Object postHandler = postHandlerField.get(dispatcher);
      Field postExtractor = postHandler.getClass().getDeclaredField("attributeExtractor");
      postExtractor.setAccessible(true);
      if (original == null || postExtractor.get(postHandler) != original) {
        throw new IllegalStateException("mock server internals changed: attribute extractor not where expected");
      }
      postExtractor.set(postHandler, withNodeName);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("mock server internals changed", e);
    }
  }

  /** The mock hands stored objects over as generic resources, the client's as typed ones. */
  private static String nodeName(HasMetadata resource) {
    if (resource instanceof Pod pod) {
      return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    }
    if (resource instanceof GenericKubernetesResource generic && "Pod".equals(generic.getKind())
        && generic.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        && spec.get("nodeName") instanceof String name) {
      return name;
    }
    return null;
  }

  private KubernetesMockServer newServer() {
    return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
  }

  /** A client configured as the agent configures its own (short timeouts, no hidden retries). */
  KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(KubernetesAgent.agentClientConfig(server.createClient().getConfiguration())).build();
  }

  /** The server's URL, e.g. for a kubeconfig. */
  String url() {
    return "http://" + address.getHostAddress() + ":" + port;
  }

  /** The test's own client, for arranging and asserting. */
  KubernetesClient admin() {
    return admin;
  }

  void stop() {
    server.destroy();
  }

  void restart() {
    server = newServer();
    server.init(address, port);
  }

  @Override
  public void close() {
    admin.close();
    server.destroy();
  }
}
