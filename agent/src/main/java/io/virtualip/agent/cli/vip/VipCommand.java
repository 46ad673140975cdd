package io.virtualip.agent.cli.vip;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.virtualip.api.v1.VirtualIP;
import java.io.File;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code virtualip-agent vip}, which the {@code kubectl-vip} launcher runs as {@code kubectl vip}:
 * {@code why NAME} and {@code get}. The cluster as kubectl finds it (KUBECONFIG or ~/.kube/config,
 * or {@code --kubeconfig}, with {@code --context}). Exit 0 with the report, 1 with one line on
 * stderr when the VirtualIP is not there or the API server does not answer.
 */
@Command(
    name = "vip",
    mixinStandardHelpOptions = true,
    description =
        "Explain VirtualIPs from their status (the kubectl plugin: kubectl vip why NAME, kubectl vip get)",
    subcommands = {VipCommand.Why.class, VipCommand.Get.class})
public final class VipCommand {

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
  File kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "kubeconfig context (default: the current one)")
  String context;

  /** The clock ages are measured against; a field so that tests can fix it. */
  Clock clock = Clock.systemUTC();

  KubernetesClient client() {
    Config config =
        kubeconfig != null
            ? Config.fromKubeconfig(context, kubeconfig)
            : Config.autoConfigure(context);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Command(
      name = "why",
      mixinStandardHelpOptions = true,
      description =
          "Why a VirtualIP is (not) healthy: nodes, who hears whom, rejections, conditions, diagnosis, fix")
  static final class Why implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand VipCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "the VirtualIP")
    String name;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (KubernetesClient client = parent.client()) {
        VirtualIP vip = client.resources(VirtualIP.class).withName(name).get();
        if (vip == null) {
          err.println("virtualip \"" + name + "\" not found");
          return 1;
        }
        out.print(WhyReport.render(vip, parent.clock.instant()));
        out.flush();
        return 0;
      } catch (
          RuntimeException
              e) { // KubernetesClientException, or a kubeconfig fabric8 cannot use: one line, no
        // trace
        err.println("cannot read virtualip \"" + name + "\": " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Every VirtualIP with master, backups, VRID, VRRP version and mode")
  static final class Get implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand VipCommand parent;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (KubernetesClient client = parent.client()) {
        out.print(
            WideList.render(
                client.resources(VirtualIP.class).list().getItems(), parent.clock.instant()));
        out.flush();
        return 0;
      } catch (
          RuntimeException
              e) { // KubernetesClientException, or a kubeconfig fabric8 cannot use: one line, no
        // trace
        spec.commandLine().getErr().println("cannot list virtualips: " + e.getMessage());
        return 1;
      }
    }
  }
}
