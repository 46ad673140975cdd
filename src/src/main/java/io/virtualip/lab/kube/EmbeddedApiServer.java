package io.virtualip.lab.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.virtualip.api.v1.VirtualIP;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's Kubernetes API: fabric8's mock server in CRUD mode behind a {@link
 * KubectlCompatibleDispatcher}, so the operator, the agents (fabric8 clients) and the real kubectl
 * all work against it. Plain HTTP with any bearer token: it only ever listens on a lab address.
 *
 * <p>{@link #stop()} and {@link #restart()} simulate an API outage: the listener goes away and
 * comes back on the same address and port with every stored object kept (the store lives in the
 * dispatcher, not the listener).
 */
public final class EmbeddedApiServer implements LabApi {

  /** Where the crds module puts the generated CRD on the classpath. */
  public static final String CRD_RESOURCE = "/META-INF/fabric8/virtualips.virtualip.io-v1.yml";

  /** The agents' and operator's namespace. */

  /** The Kubernetes minor version announced on /version: the kubectl on these machines is 1.32. */
  private static final String MINOR_VERSION = "32";

  /**
   * Held so the level sticks: the mock logs every request at INFO, which would drown the demo's
   * story.
   */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubectlCompatibleDispatcher dispatcher =
      new KubectlCompatibleDispatcher(MINOR_VERSION);
  private final InetAddress bind;
  private final int port;
  private KubernetesMockServer server;
  private final KubernetesClient admin;

  private EmbeddedApiServer(InetAddress bind, int port) {
    this.bind = bind;
    this.server = listen(bind, port);
    this.port = server.getPort();
    dispatcher.serverAddress(hostPort());
    this.admin = new KubernetesClientBuilder().withConfig(clientConfig()).build();
  }

  /** Starts listening on {@code bind}:{@code port} (0: any free port). */
  public static EmbeddedApiServer start(InetAddress bind, int port) {
    return new EmbeddedApiServer(bind, port);
  }

  private KubernetesMockServer listen(InetAddress address, int listenPort) {
    KubernetesMockServer mock =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    mock.init(address, listenPort);
    return mock;
  }

  @Override
  public String description() {
    return "fabric8 mock API server, CRUD mode (no RBAC, no schema) on " + url();
  }

  /** {@code http://address:port}, what clients and the kubeconfig use. */
  @Override
  public String url() {
    return "http://" + hostPort();
  }

  private String hostPort() {
    String host =
        bind instanceof Inet6Address ? "[" + bind.getHostAddress() + "]" : bind.getHostAddress();
    return host + ":" + port;
  }

  public int port() {
    return port;
  }

  /**
   * A client configuration for this server that reads nothing from the environment, the kube config
   * or a service account, so the lab's own client can never reach a real cluster by accident.
   */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withOauthToken("virtualip-lab")
        .withTrustCerts(true)
        .withNamespace("default")
        .withRequestTimeout(10_000)
        .withConnectionTimeout(5_000)
        .build();
  }

  /** The lab's own client, for arranging and asserting. */
  @Override
  public KubernetesClient client() {
    return admin;
  }

  /** The mock knows no RBAC: every client may do everything, so there is nothing to install. */
  @Override
  public void installChartRbac() {}

  @Override
  public Map<String, String> operatorEnvironment(Path workDir) {
    return clientEnvironment();
  }

  @Override
  public Map<String, String> agentEnvironment(String node, Path workDir) {
    return clientEnvironment();
  }

  /**
   * fabric8's configuration from the environment: this API, any token, no kubeconfig or service
   * account.
   */
  private Map<String, String> clientEnvironment() {
    Map<String, String> access = new LinkedHashMap<>();
    access.put("KUBERNETES_MASTER", url());
    access.put("KUBERNETES_AUTH_TOKEN", "virtualip-lab");
    access.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    return LabApi.clientEnvironment(access);
  }

  /** The kubectl on the PATH, if any. */
  @Override
  public Optional<Kubectl> kubectl(Path workDir) {
    return Kubectl.available() ? Optional.of(Kubectl.forServer(this, workDir)) : Optional.empty();
  }

  /**
   * Stores the VirtualIP CRD (as generated by the crds module), so discovery, tables and /status
   * work for it.
   */
  @Override
  public CustomResourceDefinition applyVirtualIpCrd() {
    try (InputStream crd = VirtualIP.class.getResourceAsStream(CRD_RESOURCE)) {
      if (crd == null) {
        throw new IllegalStateException(
            CRD_RESOURCE + " is not on the classpath (build the crds module)");
      }
      CustomResourceDefinition definition =
          admin.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class);
      return admin.resource(definition).createOr(existing -> existing.update());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a kubeconfig for the real kubectl (any token is accepted). Use it with {@code
   * --kubeconfig} and a {@code --cache-dir} of the lab's own, so kubectl's discovery cache never
   * mixes with a real cluster's.
   */
  public Path writeKubeconfig(Path file) {
    String config =
        """
                apiVersion: v1
                kind: Config
                clusters:
                - name: virtualip-lab
                  cluster:
                    server: %s
                users:
                - name: virtualip-lab
                  user:
                    token: virtualip-lab
                contexts:
                - name: virtualip-lab
                  context:
                    cluster: virtualip-lab
                    user: virtualip-lab
                current-context: virtualip-lab
                """
            .formatted(url());
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, config);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Begins an API outage: the listener closes, stored objects stay. */
  @Override
  public synchronized void stop() {
    if (server != null) {
      server.destroy();
      server = null;
    }
  }

  /** Ends an outage: listens again on the same address and port. */
  @Override
  public synchronized void restart() {
    if (server == null) {
      server = listen(bind, port);
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return server != null;
  }

  @Override
  public synchronized void close() {
    admin.close();
    stop();
  }
}
