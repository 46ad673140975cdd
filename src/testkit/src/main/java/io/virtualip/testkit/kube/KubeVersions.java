package io.virtualip.testkit.kube;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Kubernetes versions the product is proven on, pinned once here and in {@code
 * src/kube-api-server/versions/} (one go.mod each; {@code KubeVersionsTest} keeps the two equal).
 *
 * <p>{@link #NEWEST} is the newest release that builds with the machine's Go 1.26. {@link #OLDEST}
 * is the oldest the chart claims: 1.30, because the chart's ValidatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1) is GA from 1.30 and bound ServiceAccount tokens carry the node
 * name ({@code authentication.kubernetes.io/node-name}) from 1.30; the CRD itself needs 1.28
 * ({@code reason}/{@code fieldPath} in x-kubernetes-validations).
 */
public final class KubeVersions {

  public static final String NEWEST = "1.37.2";
  public static final String OLDEST = "1.30.14";
  public static final List<String> ALL = List.of(NEWEST, OLDEST);

  /**
   * The system property that picks the version of {@link KubeApi#shared()}; the newest by default.
   */
  public static final String PROPERTY = "virtualip.kube.version";

  private KubeVersions() {}

  public static String selected() {
    return System.getProperty(PROPERTY, NEWEST);
  }

  /** kube-api-test's binary cache: {@code $KUBE_API_TEST_DIR} or {@code ~/.kubeapitest}. */
  public static Path cacheDir() {
    String dir = System.getenv("KUBE_API_TEST_DIR");
    return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".kubeapitest");
  }

  /** Where kube-api-test looks for the binaries of {@code version}. */
  public static Path binaries(String version) {
    return cacheDir().resolve("k8s").resolve(version + "-linux-" + arch());
  }

  public static boolean built(String version) {
    Path dir = binaries(version);
    return Files.isExecutable(dir.resolve("kube-apiserver"))
        && Files.isExecutable(dir.resolve("etcd"))
        && Files.isExecutable(dir.resolve("kubectl"));
  }

  /** The one line that says how to get the binaries of {@code version}. */
  public static String howToBuild(String version) {
    return "no kube-apiserver/etcd for Kubernetes "
        + version
        + " in "
        + binaries(version)
        + File.separator
        + "; build them with: src/kube-api-server/build.sh "
        + version
        + " (needs Go 1.26 and the Go module proxy, about 10 minutes per core)";
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return "x86_64".equals(arch) ? "amd64" : "aarch64".equals(arch) ? "arm64" : arch;
  }
}
