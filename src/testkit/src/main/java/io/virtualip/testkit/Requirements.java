package io.virtualip.testkit;

import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine: root, tools on the PATH, the real API server's binaries.
 * Where something is missing the test is skipped with the reason (a developer without root or
 * without the binaries), but where CI sets {@code VIRTUALIP_REQUIRE_ROOT_TESTS=1} (root and tools)
 * or {@code VIRTUALIP_REQUIRE_KUBE_API=1} (the API server) the test fails instead: a missing
 * install step must never turn into a skipped check that CI counts as a pass.
 */
public final class Requirements {

  public static final String STRICT_ROOT = "VIRTUALIP_REQUIRE_ROOT_TESTS";
  public static final String STRICT_KUBE_API = "VIRTUALIP_REQUIRE_KUBE_API";

  private Requirements() {}

  /** Root, for network namespaces, raw sockets, netlink changes and nftables. */
  public static void root(String why) {
    require(isRoot(), "needs root: " + why, STRICT_ROOT, System.getenv());
  }

  /** Executables on the PATH, e.g. {@code "keepalived", "tshark"}. */
  public static void tools(String... tools) {
    for (String tool : tools) {
      require(hasTool(tool), "needs " + tool + " on the PATH", STRICT_ROOT, System.getenv());
    }
  }

  /**
   * Files another module's tests leave behind (e.g. metrics scraped from a running agent), with how
   * to make them; as strict as root and tools.
   */
  public static void files(String how, Path... files) {
    for (Path file : files) {
      require(
          Files.isRegularFile(file),
          "needs " + file + " (" + how + ")",
          STRICT_ROOT,
          System.getenv());
    }
  }

  /**
   * The real kube-apiserver + etcd of {@code version} (see {@code src/kube-api-server/build.sh});
   * the message says how to build them.
   */
  public static void kubeApi(String version) {
    require(
        KubeVersions.built(version),
        KubeVersions.howToBuild(version),
        STRICT_KUBE_API,
        System.getenv());
  }

  /**
   * The real kube-apiserver + etcd of the version the tests run on ({@link
   * KubeVersions#selected()}).
   */
  public static void kubeApi() {
    kubeApi(KubeVersions.selected());
  }

  /**
   * @param met whether the requirement is met
   * @param message what is missing and, where it helps, how to get it
   * @param strictVariable the environment variable that turns a skip into a failure when it is
   *     {@code 1}
   */
  public static void require(
      boolean met, String message, String strictVariable, Map<String, String> environment) {
    if (met) {
      return;
    }
    if ("1".equals(environment.get(strictVariable))) {
      Assertions.fail(message + " (" + strictVariable + "=1: required here, not skipped)");
    }
    Assumptions.abort(message);
  }

  public static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Whether {@code tool} is an executable on the PATH. */
  public static boolean hasTool(String tool) {
    return Stream.of(
            System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        .map(dir -> Path.of(dir, tool))
        .anyMatch(Files::isExecutable);
  }
}
