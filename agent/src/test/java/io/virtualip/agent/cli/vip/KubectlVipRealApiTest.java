package io.virtualip.agent.cli.vip;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kubectl vip} end to end against the real kube-apiserver: VirtualIPs with recorded statuses
 * written through the status subresource (so the CRD's schema accepts what the plugin reads), then
 * the command as a user runs it, with a kubeconfig file ({@code --kubeconfig}) of a cluster
 * administrator.
 */
class KubectlVipRealApiTest {

  private static final List<String> NAMES = List.of("kubectl-vip-healthy", "kubectl-vip-auth");

  @TempDir Path dir;

  private KubernetesClient admin;
  private Path kubeconfig;

  @BeforeEach
  void cluster() throws IOException {
    Requirements.kubeApi();
    KubeApi api = KubeApi.shared();
    InstalledChart.on(api);
    admin = api.admin();
    delete();
    kubeconfig = Files.writeString(dir.resolve("kubeconfig"), api.adminKubeconfig());
    create("healthy", "kubectl-vip-healthy");
    create("auth-mismatch", "kubectl-vip-auth");
  }

  @AfterEach
  void delete() {
    if (admin != null) {
      NAMES.forEach(n -> admin.resources(VirtualIP.class).withName(n).delete());
    }
  }

  /**
   * The fixture as a user would create it, then its recorded status as the agents and the operator
   * write it.
   */
  private void create(String fixture, String name) {
    VirtualIP recorded = Fixtures.load(fixture);
    VirtualIP vip = new VirtualIP();
    vip.setMetadata(new ObjectMetaBuilder().withName(name).build());
    vip.setSpec(recorded.getSpec());
    VirtualIP created = admin.resource(vip).create();
    created.setStatus(recorded.getStatus());
    admin.resource(created).updateStatus();
  }

  private record Run(int exit, String out, String err) {}

  private Run kubectlVip(String... args) {
    VipCommand vip = new VipCommand();
    vip.clock = Clock.fixed(Fixtures.RECORDED, ZoneOffset.UTC);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line =
        new CommandLine(vip).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--kubeconfig";
    all[args.length + 1] = kubeconfig.toString();
    int exit = line.execute(all);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void whyExplainsTheAuthMismatchFromTheStatusOnTheServer() {
    Run run = kubectlVip("why", "kubectl-vip-auth");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith(
            "VirtualIP kubectl-vip-auth: 192.0.2.10/24, VRRPv2 Multicast, VRID 51, master -\n")
        .contains(
            "SplitBrain=True (MultipleMasters): Nodes node-a, node-b claim Master at the same time.")
        .contains(
            "- node-a rejects adverts (600): authentication mismatch (the nodes use different passwords)"
                + " [AUTH_MISMATCH]; make the VirtualIP's settings agree on every node");
  }

  @Test
  void whyOfAHealthyVirtualIp() {
    Run run = kubectlVip("why", "kubectl-vip-healthy");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("  Healthy: node-a holds 192.0.2.10.\n")
        .contains("  - nothing to fix\n");
    // The matrix row of node-b: it heard node-a 1 s before its last update, and not node-c (a
    // silent backup).
    assertThat(run.out().lines().map(String::strip))
        .anyMatch(l -> l.matches("node-b\\s+1s\\s+self\\s+-"));
  }

  @Test
  void whyOfAMissingVirtualIpIsOneLineAndExit1() {
    Run run = kubectlVip("why", "kubectl-vip-absent");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("virtualip \"kubectl-vip-absent\" not found" + System.lineSeparator());
  }

  @Test
  void getListsMasterBackupsVridVersionMode() {
    Run run = kubectlVip("get");
    assertThat(run.exit()).as(run.err()).isZero();
    List<List<String>> rows = run.out().lines().map(l -> List.of(l.split("\\s+"))).toList();
    assertThat(rows.get(0))
        .startsWith("NAME", "ADDRESSES", "VRID", "VERSION", "MODE", "MASTER", "BACKUPS");
    assertThat(rows)
        .anyMatch(
            r ->
                r.subList(0, 11)
                    .equals(
                        List.of(
                            "kubectl-vip-auth",
                            "192.0.2.10/24",
                            "51",
                            "v2",
                            "Multicast",
                            "-",
                            "-",
                            "node-a(Master),node-b(Master)",
                            "False",
                            "True",
                            "False")));
    assertThat(rows)
        .anyMatch(
            r ->
                r.subList(0, 11)
                    .equals(
                        List.of(
                            "kubectl-vip-healthy",
                            "192.0.2.10/24",
                            "51",
                            "v3",
                            "Multicast",
                            "node-a",
                            "node-b,node-c",
                            "-",
                            "True",
                            "False",
                            "False")));
  }
}
