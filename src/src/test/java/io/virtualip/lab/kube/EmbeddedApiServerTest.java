package io.virtualip.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.lab.ExecResult;
import io.virtualip.testkit.Requirements;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against the embedded API: apply, get with the CRD's columns, describe with
 * Events.
 */
class EmbeddedApiServerTest {

  @TempDir Path dir;
  private EmbeddedApiServer api;
  private Kubectl kubectl;

  @BeforeEach
  void start() {
    // kubectl is not packaged in Debian but is on every machine of this kind, CI included: strict
    // there.
    Requirements.tools("kubectl");
    api = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0);
    kubectl = Kubectl.forServer(api, dir);
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void kubectlAppliesGetsAndDescribesAVirtualIp() throws Exception {
    Path crd = dir.resolve("crd.yaml");
    try (var in = VirtualIP.class.getResourceAsStream(EmbeddedApiServer.CRD_RESOURCE)) {
      Files.write(crd, in.readAllBytes());
    }
    Path vip = dir.resolve("vip.yaml");
    Files.writeString(
        vip,
        """
                apiVersion: virtualip.io/v1
                kind: VirtualIP
                metadata:
                  name: seed-vi-1
                spec:
                  addresses: ["192.0.2.100/24"]
                  virtualRouterId: 51
                """);

    assertThat(ok(kubectl.run("apply", "--validate=false", "-f", crd.toString())).stdout())
        .contains("customresourcedefinition.apiextensions.k8s.io/virtualips.virtualip.io created");
    assertThat(ok(kubectl.run("apply", "--validate=false", "-f", vip.toString())).stdout())
        .contains("virtualip.virtualip.io/seed-vi-1 created");

    VirtualIP stored = api.client().resources(VirtualIP.class).withName("seed-vi-1").get();
    stored.setStatus(
        io.virtualip.api.v1.VirtualIPStatus.EMPTY
            .withVirtualRouterId(51)
            .withMaster("n1")
            .withConditions(
                java.util.List.of(
                    new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withReason("MasterElected")
                        .withLastTransitionTime(Instant.now().toString())
                        .build(),
                    new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType("SplitBrain")
                        .withStatus("False")
                        .withReason("OneMaster")
                        .withLastTransitionTime(Instant.now().toString())
                        .build())));
    api.client().resources(VirtualIP.class).resource(stored).updateStatus();

    // Column order is the CRD's (the generator sorts printer columns by name); values as a real
    // server prints.
    TextTable table = TextTable.parse(ok(kubectl.run("get", "vip")).stdout());
    assertThat(table.headers())
        .containsExactlyInAnyOrder(
            "NAME", "ADDRESSES", "VRID", "MASTER", "READY", "SPLIT-BRAIN", "AGE");
    assertThat(table.row("seed-vi-1"))
        .get()
        .satisfies(
            row -> {
              assertThat(row)
                  .containsEntry("ADDRESSES", "[\"192.0.2.100/24\"]")
                  .containsEntry("VRID", "51")
                  .containsEntry("MASTER", "n1")
                  .containsEntry("READY", "True")
                  .containsEntry("SPLIT-BRAIN", "False");
              assertThat(row.get("AGE")).matches("\\d+s");
            });
    assertThat(
            TextTable.parse(ok(kubectl.run("get", "virtualips.virtualip.io", "seed-vi-1")).stdout())
                .rows())
        .singleElement()
        .satisfies(row -> assertThat(row).containsEntry("MASTER", "n1"));

    VirtualIP withUid = api.client().resources(VirtualIP.class).withName("seed-vi-1").get();
    api.client()
        .v1()
        .events()
        .inNamespace("default")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName("seed-vi-1.split")
                .withNamespace("default")
                .endMetadata()
                .withInvolvedObject(
                    new ObjectReferenceBuilder()
                        .withApiVersion("virtualip.io/v1")
                        .withKind("VirtualIP")
                        .withName("seed-vi-1")
                        .withUid(withUid.getMetadata().getUid())
                        .build())
                .withType("Warning")
                .withReason("SplitBrain")
                .withMessage("n1 and n2 both claim master")
                .withFirstTimestamp(Instant.now().toString())
                .withLastTimestamp(Instant.now().toString())
                .withCount(1)
                .build())
        .create();
    // An event about another object must not show up.
    api.client()
        .v1()
        .events()
        .inNamespace("default")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName("other.x")
                .withNamespace("default")
                .endMetadata()
                .withInvolvedObject(
                    new ObjectReferenceBuilder().withKind("VirtualIP").withName("other").build())
                .withType("Normal")
                .withReason("MasterElected")
                .withMessage("unrelated")
                .withFirstTimestamp(Instant.now().toString())
                .withLastTimestamp(Instant.now().toString())
                .withCount(1)
                .build())
        .create();

    String described = ok(kubectl.run("describe", "vip", "seed-vi-1")).stdout();
    assertThat(described)
        .contains("Name:", "seed-vi-1", "Events:", "SplitBrain", "n1 and n2 both claim master")
        .doesNotContain("unrelated");
    assertThat(ok(kubectl.run("version")).stdout()).contains("Server Version: v1.32");
  }

  private static ExecResult ok(ExecResult result) {
    assertThat(result.exitCode())
        .as(
            "kubectl %s\nstdout: %s\nstderr: %s",
            result.command(), result.stdout(), result.stderr())
        .isZero();
    return result;
  }
}
