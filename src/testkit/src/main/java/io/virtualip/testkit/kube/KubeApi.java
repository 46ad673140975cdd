package io.virtualip.testkit.kube;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.cert.CertManager;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * A real kube-apiserver + etcd on loopback, started with fabric8's kube-api-test from the binaries
 * that {@code src/kube-api-server/build.sh} put in its cache (offline: it never downloads).
 *
 * <p>What this adds to kube-api-test, thinly: its own certificate directory per server
 * (kube-api-test keeps one apiserver certificate for 127.0.0.1 in its cache directory; ours also
 * names the addresses a lab exposes the server on, see {@link #expose}); {@code
 * --bind-address=127.0.0.1} (kube-api-test leaves the default, every address); clients for
 * ServiceAccount tokens, so that programs run with the chart's own permissions and never as admin.
 * The etcd that build.sh installs listens on loopback only (kube-api-test asks for 0.0.0.0).
 */
public final class KubeApi implements AutoCloseable {

  private static final Map<String, KubeApi> SHARED = new ConcurrentHashMap<>();

  private final String version;
  private final Path workDir;
  private final KubeAPIServer server;
  private final KubernetesClient admin;
  private final String url;
  private final List<Relay> relays = new ArrayList<>();

  private KubeApi(String version, List<InetAddress> exposedOn) {
    if (!KubeVersions.built(version)) {
      throw new IllegalStateException(KubeVersions.howToBuild(version));
    }
    this.version = version;
    try {
      workDir = Files.createTempDirectory("virtualip-kube-api-");
      Files.createSymbolicLink(workDir.resolve("k8s"), KubeVersions.cacheDir().resolve("k8s"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeCertificates(exposedOn);
    server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(workDir.toString())
                .withApiServerVersion(version)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                // A loopback address may not be the kubernetes Service's endpoint; nothing here
                // needs one.
                .withApiServerFlag("--endpoint-reconciler-type", "none")
                .build());
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly, "kube-api-stop"));
    server.start();
    Config config = Config.fromKubeconfig(server.getKubeConfigYaml());
    url = config.getMasterUrl().replaceAll("/$", "");
    admin = new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * One server of {@link KubeVersions#selected()} per JVM, started on first use and stopped when
   * the JVM exits.
   */
  public static KubeApi shared() {
    return shared(KubeVersions.selected());
  }

  /** One server of {@code version} per JVM, started on first use and stopped when the JVM exits. */
  public static KubeApi shared(String version) {
    return SHARED.computeIfAbsent(version, v -> new KubeApi(v, List.of()));
  }

  /**
   * A server of its own, for a caller that stops it. {@code exposedOn}: addresses of this host that
   * {@link #expose} will relay from (they go into the serving certificate).
   */
  public static KubeApi start(String version, InetAddress... exposedOn) {
    return new KubeApi(version, List.of(exposedOn));
  }

  public String version() {
    return version;
  }

  /** {@code https://127.0.0.1:PORT} */
  public String url() {
    return url;
  }

  /** A client in group system:masters, for test setup and for checking what others wrote. */
  public KubernetesClient admin() {
    return admin;
  }

  /** The admin kubeconfig (client certificate), as kubectl reads it. */
  public String adminKubeconfig() {
    return server.getKubeConfigYaml();
  }

  /** The CA that signed the serving certificate, PEM. */
  public String caCertificate() {
    return read(workDir.resolve(CertManager.API_SERVER_CERT_NAME));
  }

  /** Creates the namespace if it is not there. */
  public void namespace(String name) {
    namespace(admin, name);
  }

  /**
   * Creates the ServiceAccount (and its namespace) if missing and returns a one-hour token for it
   * (TokenRequest).
   */
  public String token(String namespace, String serviceAccount) {
    return token(admin, namespace, serviceAccount, null);
  }

  /**
   * A token bound to a Pod, as the kubelet gives a pod: on a Pod with {@code spec.nodeName} the API
   * server puts the node's name into the token's user extra ({@code
   * authentication.kubernetes.io/node-name}), which the chart's admission policy uses to tell the
   * agent of one node from another.
   */
  public String podToken(HasMetadata pod, String serviceAccount) {
    return token(admin, pod.getMetadata().getNamespace(), serviceAccount, pod);
  }

  static void namespace(KubernetesClient admin, String name) {
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  /**
   * A one-hour token of {@code serviceAccount} (created, with its namespace, if missing), bound to
   * {@code boundTo} when not null. Static for callers that hold only an admin client (a Quarkus
   * test, in another class loader).
   */
  public static String token(
      KubernetesClient admin, String namespace, String serviceAccount, HasMetadata boundTo) {
    namespace(admin, namespace);
    admin
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(serviceAccount)
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .serverSideApply();
    var spec = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L);
    if (boundTo != null) {
      spec.withNewBoundObjectRef()
          .withApiVersion("v1")
          .withKind(boundTo.getKind())
          .withName(boundTo.getMetadata().getName())
          .withUid(boundTo.getMetadata().getUid())
          .endBoundObjectRef();
    }
    TokenRequest answer =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(spec.endSpec().build());
    return answer.getStatus().getToken();
  }

  /** A client that authenticates with {@code token} (a ServiceAccount's), so RBAC applies to it. */
  public KubernetesClient client(String token) {
    return new KubernetesClientBuilder().withConfig(config(token, url)).build();
  }

  /**
   * The client configuration for {@code token} at {@code server} (this server's URL or an {@link
   * #expose}d one).
   */
  public Config config(String token, String server) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(server)
        .withCaCertData(base64(caCertificate()))
        .withOauthToken(token)
        .withNamespace("default")
        .build();
  }

  /**
   * A kubeconfig for {@code token} at {@code server}, for programs started as processes (kubectl,
   * agents).
   */
  public String kubeconfig(String token, String server) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: virtualip",
        "  cluster:",
        "    server: " + server,
        "    certificate-authority-data: " + base64(caCertificate()),
        "users:",
        "- name: virtualip",
        "  user:",
        "    token: " + token,
        "contexts:",
        "- name: virtualip",
        "  context: {cluster: virtualip, user: virtualip, namespace: default}",
        "current-context: virtualip",
        "");
  }

  /**
   * Relays {@code address:port} (port 0: any free one) to the server, for processes in network
   * namespaces that reach this host on {@code address}; the address must have been named at {@link
   * #start}. Returns the server URL there.
   */
  public synchronized String expose(InetAddress address, int port) {
    Relay relay = Relay.start(address, port, apiPort());
    relays.add(relay);
    String host =
        address.getHostAddress().contains(":")
            ? "[" + address.getHostAddress() + "]"
            : address.getHostAddress();
    return "https://" + host + ":" + relay.port();
  }

  /**
   * An API outage for everyone who comes through {@link #expose}: every relay stops listening and
   * drops its open connections (watches included). The server itself runs on, and so does {@link
   * #admin()}, which talks to it on loopback; {@link #restoreRelays()} ends the outage on the same
   * addresses and ports.
   */
  public synchronized void cutRelays() {
    relays.forEach(Relay::close);
  }

  /** Ends a {@link #cutRelays()} outage: each relay listens again on its address and port. */
  public synchronized void restoreRelays() {
    relays.replaceAll(r -> r.isClosed() ? Relay.start(r.address(), r.port(), apiPort()) : r);
  }

  private int apiPort() {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  @Override
  public void close() {
    SHARED.values().remove(this);
    stopQuietly();
  }

  private synchronized void stopQuietly() {
    relays.forEach(Relay::close);
    relays.clear();
    try {
      server.stop();
    } catch (RuntimeException e) {
      // Stopped already (the shutdown hook and close() both come here).
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(KubeApi::delete);
    } catch (IOException e) {
      // The temporary directory is gone already.
    }
  }

  /**
   * The serving certificate names 127.0.0.1 and every exposed address; kube-api-test keeps it if
   * present.
   */
  private void writeCertificates(List<InetAddress> exposedOn) {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    exposedOn.forEach(a -> names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
    CertManager.generateKeyAndCertificate(
        "CN=virtualip-kube-api",
        workDir.resolve(CertManager.API_SERVER_KEY_NAME).toFile(),
        workDir.resolve(CertManager.API_SERVER_CERT_NAME).toFile(),
        names.toArray(GeneralName[]::new));
    CertManager.generateKeyAndCertificate(
        "O=system:masters,CN=virtualip-admin",
        workDir.resolve(CertManager.CLIENT_KEY_NAME).toFile(),
        workDir.resolve(CertManager.CLIENT_CERT_NAME).toFile());
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Best effort: a temporary file.
    }
  }
}
