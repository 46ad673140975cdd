package io.virtualip.agent.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.agent.vrrp.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-configuration cases only a file has: several documents at once, and bytes that are not
 * text.
 */
class FileOnlyCasesTest {

  @TempDir Path dir;

  private static String doc(String name, String specExtra) {
    return "apiVersion: virtualip.io/v1\nkind: VirtualIP\nmetadata: {name: "
        + name
        + "}\nspec:\n"
        + "  addresses: [192.0.2.100/24]\n  virtualRouterId: 51\n"
        + specExtra;
  }

  /** Both would run and both become master: one VRID on one interface is one virtual router. */
  @Test
  void oneVridOnTheInterfaceAnOmittedInterfaceResolvesToIsRefused() {
    NodeFacts host =
        new NodeFacts(
            "node-a",
            List.of(new NodeFacts.HostAddress("eth0", AddressPrefix.parseAddress("192.0.2.1"), 24)),
            List.of());
    String yaml = doc("vi-1", "  interface: eth0\n") + "---\n" + doc("vi-2", "");

    assertThatThrownBy(() -> new ConfigLoader(host, null).parse("vips.yaml", yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "vips.yaml document 2 (vi-2): spec.virtualRouterId: 51 is already used by vi-1 on the same "
                + "interface (eth0) and address family");
    // Another interface may use the same VRID.
    String other = doc("vi-1", "  interface: eth1\n") + "---\n" + doc("vi-2", "");
    assertThat(parse(host, other)).hasSize(2);
  }

  private static List<io.virtualip.agent.spec.VipDefinition> parse(NodeFacts host, String yaml) {
    try {
      return new ConfigLoader(host, null).parse("vips.yaml", yaml);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage());
    }
  }

  @Test
  void aBinaryFileIsNamedAsSuchWithoutJavaWords() throws Exception {
    Path file = dir.resolve("vips.yaml");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0xc3, 0x28});
    assertThatThrownBy(() -> new ConfigLoader("node-a", null).load(file))
        .hasMessage(
            file + ": not UTF-8 text (is it a binary file?); expected VirtualIP YAML documents");
  }

  @Test
  void aListWhereAnObjectBelongsIsSaidInTheUsersTerms() {
    assertThatThrownBy(
            () ->
                new ConfigLoader("node-a", null)
                    .parse("vips.yaml", doc("vi-1", "  tracks: {a: 1}\n")))
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .startsWith("vips.yaml document 1 (vi-1): spec.tracks: ")
                    .doesNotContain("java.")
                    .doesNotContain("ArrayList")
                    .doesNotContain("Cannot construct"));
  }

  /**
   * The status's rejected counters are keyed by the contract's codes, the metric's reason label by
   * the verdict's name: every rejecting verdict has a reason, and its code is the verdict's name.
   */
  @Test
  void everyRejectingVerdictIsAContractRejectReason() {
    for (Verdict v : Verdict.values()) {
      if (!v.accepted()) {
        assertThat(v.rejectReason())
            .as("RejectReason for verdict %s: add it to the contract", v)
            .isNotNull();
        assertThat(v.rejectReason().code()).as("code of verdict %s", v).isEqualTo(v.name());
      }
    }
  }
}
