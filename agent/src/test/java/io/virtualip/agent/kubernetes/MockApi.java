package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.virtualip.api.v1.VirtualIP;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode with the committed VirtualIP CRD loaded (so /status is a subresource as on a
 * real server), and an outage switch: {@link #stop()} shuts the listener down, {@link #restart()} brings it back on
 * the same port with the same stored objects.
 */
final class MockApi implements AutoCloseable {

  private final KubernetesCrudDispatcher dispatcher = new RealisticPatchDispatcher();
  private KubernetesMockServer server;
  private final int port;
  private final KubernetesClient admin;

  MockApi() throws Exception {
    server = newServer();
    server.init(InetAddress.getLoopbackAddress(), 0);
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

  private KubernetesMockServer newServer() {
    return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
  }

  /** A client configured as the agent configures its own (short timeouts, no hidden retries). */
  KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(KubernetesAgent.agentClientConfig(server.createClient().getConfiguration())).build();
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
    server.init(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  public void close() {
    admin.close();
    server.destroy();
  }
}
