package io.virtualip.lab.kube;

import io.virtualip.lab.Commands;
import io.virtualip.lab.ExecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real kubectl pointed at the lab's API through a kubeconfig of the lab's own, with a cache
 * directory of its own so discovery cached for another server is never used. For the {@link
 * EmbeddedApiServer} it is the one on the PATH ({@code /usr/bin/kubectl}, 1.32 on these machines;
 * not installable from Debian, so callers check {@link #available()}); for the {@link
 * RealApiServer} the one build.sh built with the server.
 */
public final class Kubectl {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path binary;
  private final Path kubeconfig;
  private final Path cacheDir;

  /** The kubectl on the PATH. */
  public Kubectl(Path kubeconfig, Path cacheDir) {
    this(null, kubeconfig, cacheDir);
  }

  /** {@code binary}, or the one on the PATH where it is null. */
  public Kubectl(Path binary, Path kubeconfig, Path cacheDir) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /**
   * Writes {@code server}'s kubeconfig into {@code dir} and uses {@code dir/kube-cache} as cache.
   */
  public static Kubectl forServer(EmbeddedApiServer server, Path dir) {
    return new Kubectl(
        server.writeKubeconfig(dir.resolve("kubeconfig")), dir.resolve("kube-cache"));
  }

  /** The kubectl binary on the PATH, if any. */
  public static Path binary() {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  public static boolean available() {
    return binary() != null;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * Runs {@code kubectl --kubeconfig K --cache-dir C ARGS...} and returns its result (exit code not
   * checked).
   */
  public ExecResult run(String... args) {
    Path binary = this.binary != null ? this.binary : binary();
    if (binary == null) {
      throw new IllegalStateException("kubectl is not on the PATH");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                cacheDir.toString(),
                "--request-timeout",
                "10s"));
    command.addAll(List.of(args));
    return Commands.run(TIMEOUT, command);
  }
}
