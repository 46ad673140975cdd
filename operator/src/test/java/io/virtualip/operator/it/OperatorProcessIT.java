package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.operator.config.LeaderElection;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built operator ({@code target/quarkus-app/quarkus-run.jar}, prod profile, leader election on)
 * as a process against the real API server, with a ServiceAccount token: how it takes, keeps and
 * gives up the leader Lease (issue 11). Runs in the integration-test phase, after the package phase
 * has built the jar.
 */
class OperatorProcessIT {
  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final String NS = RealApiServer.NAMESPACE;
  private static KubeApi api;
  private static KubernetesClient admin;
  private Process operator;
  private Path log;

  @BeforeAll
  static void cluster() {
    Requirements.kubeApi();
    api = KubeApi.shared();
    admin = api.admin();
    InstalledChart.on(api);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (operator != null && operator.isAlive()) {
      operator.destroyForcibly();
      operator.waitFor(10, TimeUnit.SECONDS);
    }
    admin.leases().inNamespace(NS).withName(LeaderElection.LEASE_NAME).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> lease() == null);
  }

  private Lease lease() {
    return admin.leases().inNamespace(NS).withName(LeaderElection.LEASE_NAME).get();
  }

  private static String holder(Lease lease) {
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * Starts the operator jar as pod {@code pod} with a token of ServiceAccount {@code
   * serviceAccount}.
   */
  private void start(String pod, String serviceAccount) throws IOException {
    assertThat(JAR).as("the operator jar (mvn package builds it before this test)").isRegularFile();
    Path kubeconfig = Files.createTempFile("virtualip-operator-", ".kubeconfig");
    kubeconfig.toFile().deleteOnExit();
    // The Lease's namespace is the client's: the pod's namespace, as in a cluster.
    Files.writeString(
        kubeconfig,
        api.kubeconfig(api.token(NS, serviceAccount), api.url())
            .replace("namespace: default", "namespace: " + NS));
    log = Files.createTempFile("virtualip-operator-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("HOSTNAME", pod);
    env.put("POD_NAMESPACE", NS);
    env.put("VIRTUALIP_AGENT_NAMESPACE", NS);
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("QUARKUS_HTTP_PORT", "0");
    env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    operator = builder.start();
  }

  private String output() throws IOException {
    return Files.readString(log);
  }

  private Lease awaitLeading(String pod) {
    return await("the operator to take the leader Lease")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            this::lease,
            l -> {
              String holder = holder(l);
              return holder != null && holder.startsWith(pod);
            });
  }

  @Test
  void sigtermEndsTheOperatorWithinFiveSecondsAndReleasesTheLease() throws Exception {
    start("op-sigterm", RealApiServer.OPERATOR_SA);
    awaitLeading("op-sigterm");

    operator.destroy(); // SIGTERM, as the kubelet sends
    boolean exited = operator.waitFor(5, TimeUnit.SECONDS);
    assertThat(exited).as("exited within 5 s of SIGTERM; log:%n%s", output()).isTrue();
    assertThat(holder(lease())).as("the Lease is released; log:%n%s", output()).isNullOrEmpty();
  }

  @Test
  void renewalsRefusedAfterARestartInTheSamePodNeverLetItReconcile() throws Exception {
    // What the chart granted before issue 11: create and update, no patch, which is what fabric8
    // renews with.
    String sa = "virtualip-operator-nopatch";
    admin
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(sa)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("virtualip-operator")
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(sa)
                .withNamespace(NS)
                .endSubject()
                .build())
        .serverSideApply();
    admin
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(sa)
                .withNamespace(NS)
                .endMetadata()
                .withRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("apps")
                        .withResources("daemonsets")
                        .withVerbs("get", "list", "watch", "create", "update", "patch", "delete")
                        .build(),
                    new PolicyRuleBuilder()
                        .withApiGroups("coordination.k8s.io")
                        .withResources("leases")
                        .withVerbs("get", "list", "watch", "create")
                        .build(),
                    new PolicyRuleBuilder()
                        .withApiGroups("coordination.k8s.io")
                        .withResources("leases")
                        .withResourceNames(LeaderElection.LEASE_NAME)
                        .withVerbs("update")
                        .build())
                .build())
        .serverSideApply();
    admin
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(sa)
                .withNamespace(NS)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(sa)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(sa)
                .withNamespace(NS)
                .endSubject()
                .build())
        .serverSideApply();
    // The Lease as the replica's predecessor in the same pod left it: held, in its name, not
    // expired.
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    admin
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(LeaderElection.LEASE_NAME)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("op-restarted")
                .withLeaseDurationSeconds(3600)
                .withAcquireTime(now)
                .withRenewTime(now)
                .withLeaseTransitions(0)
                .endSpec()
                .build())
        .create();
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName("proc-restarted");
    vip.setSpec(
        VirtualIPSpec.builder()
            .addresses(List.of("192.0.2.40/24"))
            .nodeSelector(Map.of("role", "proc-restarted"))
            .build());
    admin.resource(vip).create();
    try {
      start("op-restarted", sa);
      await("the operator to start")
          .atMost(Duration.ofSeconds(60))
          .until(() -> output().contains("started in"));
      // Several renewal rounds (2 s each): a replica that took the predecessor's record for its own
      // reconciled here (status and DaemonSet written) while every renewal got 403.
      Thread.sleep(8000);
      VirtualIP seen = admin.resources(VirtualIP.class).withName("proc-restarted").get();
      assertThat(seen.getStatus())
          .as("no reconcile without a renewed Lease; log:%n%s", output())
          .isNull();
      assertThat(
              admin
                  .apps()
                  .daemonSets()
                  .inNamespace(NS)
                  .withLabel("virtualip.io/placement")
                  .list()
                  .getItems())
          .noneMatch(
              ds ->
                  ds.getMetadata().getOwnerReferences().stream()
                      .anyMatch(o -> o.getName().equals("proc-restarted")));
    } finally {
      admin.resources(VirtualIP.class).withName("proc-restarted").withGracePeriod(0).delete();
    }
  }
}
