package io.virtualip.lab.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's API when the binaries are built: a real kube-apiserver + etcd ({@link KubeApi})
 * listening on loopback, reached by the node namespaces through a relay on the root side of the
 * lab's host link (the serving certificate names that address). The chart's RBAC and the agents'
 * node-restriction policy are applied; the operator runs with a token of the chart's {@code
 * virtualip-operator} ServiceAccount and each agent with a token of {@code virtualip-agent} bound
 * to a Pod on its node, as the kubelet would give the DaemonSet's pod (the token carries the node's
 * name). An outage cuts the relay: the operator and the agents lose the API, the lab's admin client
 * (on loopback) does not.
 */
public final class RealApiServer implements LabApi {

  public static final String NAMESPACE = InstalledChart.NAMESPACE;

  private final KubeApi api;
  private final String url;
  private volatile boolean running = true;

  private RealApiServer(KubeApi api, String url) {
    this.api = api;
    this.url = url;
  }

  /**
   * Starts {@code version} and exposes it on {@code hostAddress} (the root side of the lab's host
   * link).
   */
  public static RealApiServer start(String version, InetAddress hostAddress) {
    KubeApi api = KubeApi.start(version, hostAddress);
    try {
      return new RealApiServer(api, api.expose(hostAddress, 0));
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  @Override
  public String description() {
    return "real kube-apiserver v"
        + api.version()
        + " + etcd on "
        + api.url().replace("https://", "")
        + ", the chart's RBAC and admission policy from deploy/: the operator and the agents run with the"
        + " chart's ServiceAccounts";
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public KubernetesClient client() {
    return api.admin();
  }

  /**
   * The chart's cluster objects (deploy/ without the operator's Deployment), with the CRD
   * established.
   */
  @Override
  public CustomResourceDefinition applyVirtualIpCrd() {
    InstalledChart.on(api);
    return api.admin()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("virtualips.virtualip.io")
        .get();
  }

  @Override
  public void installChartRbac() {
    InstalledChart.on(api);
  }

  @Override
  public Map<String, String> operatorEnvironment(Path workDir) {
    return environment(
        workDir.resolve("operator.kubeconfig"), InstalledChart.on(api).operatorToken());
  }

  /**
   * Stores the Pod the DaemonSet would have on {@code node} (nothing schedules or runs it: the lab
   * starts the agent itself) and gives the agent a token bound to it, as the kubelet does.
   */
  @Override
  public Map<String, String> agentEnvironment(String node, Path workDir) {
    return environment(
        workDir.resolve("agent-" + node + ".kubeconfig"), InstalledChart.on(api).agentToken(node));
  }

  /**
   * A kubeconfig of its own per process (fabric8 reads it through KUBECONFIG), readable by root
   * only.
   */
  private Map<String, String> environment(Path kubeconfig, String token) {
    try {
      Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
      Files.writeString(kubeconfig, api.kubeconfig(token, url));
      Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return LabApi.clientEnvironment(Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString()));
  }

  /**
   * The kubectl that build.sh put next to kube-apiserver (the server's own version), else the one
   * on the PATH.
   */
  @Override
  public Optional<Kubectl> kubectl(Path workDir) {
    Path built = KubeVersions.binaries(api.version()).resolve("kubectl");
    Path binary = Files.isExecutable(built) ? built : Kubectl.binary();
    if (binary == null) {
      return Optional.empty();
    }
    Path kubeconfig = workDir.resolve("kubeconfig");
    try {
      Files.createDirectories(workDir);
      Files.writeString(kubeconfig, api.adminKubeconfig());
      Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(new Kubectl(binary, kubeconfig, workDir.resolve("kube-cache")));
  }

  @Override
  public synchronized void stop() {
    api.cutRelays();
    running = false;
  }

  @Override
  public synchronized void restart() {
    api.restoreRelays();
    running = true;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public void close() {
    api.close();
  }
}
