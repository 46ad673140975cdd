package io.virtualip.lab.kube;

import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code api-server --kubeconfig PATH [--version V]}: a real kube-apiserver + etcd on loopback with
 * RBAC on, for people and for checks. Prints {@code ready} once kubectl can talk to it, runs until
 * SIGINT/SIGTERM, then stops both and removes their data.
 */
@Command(
    name = "api-server",
    description = {
      "Start a real kube-apiserver + etcd on loopback (RBAC on), write an admin kubeconfig to PATH, print 'ready'",
      "and run until SIGINT/SIGTERM; then stop both and remove their data. Binaries: src/kube-api-server/build.sh."
    })
public final class ApiServerCommand implements Callable<Integer> {

  @Option(
      names = "--kubeconfig",
      required = true,
      description = "where to write the admin kubeconfig")
  Path kubeconfig;

  @Option(
      names = "--version",
      description = "a pinned Kubernetes version (default ${DEFAULT-VALUE}, the newest)")
  String version = KubeVersions.NEWEST;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!KubeVersions.ALL.contains(version)) {
      System.err.println(
          "api-server: version " + version + " is not pinned; use one of " + KubeVersions.ALL);
      return 2;
    }
    if (!KubeVersions.built(version)) {
      System.err.println("api-server: " + KubeVersions.howToBuild(version));
      return 2;
    }
    KubeApi api = KubeApi.start(version);
    CountDownLatch stopped = new CountDownLatch(1);
    // The shutdown hook KubeApi registers stops the processes; this one lets main return after it.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  stopped.countDown();
                }));
    Files.writeString(kubeconfig, api.adminKubeconfig());
    Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-------"));
    System.out.println(
        "kube-apiserver v" + version + " on " + api.url() + ", admin kubeconfig " + kubeconfig);
    System.out.println("ready");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
