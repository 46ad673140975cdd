package io.virtualip.agent.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.ConfigException;
import io.virtualip.agent.spec.VipDefinition;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path secrets;

  private static final String V2_WITH_PASSWORD =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata:
              name: VI_1
            spec:
              addresses: [192.0.2.100/24]
              interface: eth0
              virtualRouterId: 51
              version: 2
              advertisementInterval: 1s
              defaultPriority: 100
              priorities:
                node-a: 151
              authentication:
                type: Password
                secretRef: {name: vrrp, key: password}
            ---
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata:
              name: VI_6
            spec:
              addresses: ["2001:db8::100/64"]
              virtualRouterId: 53
              advertisementInterval: 100ms
              preempt: false
              preemptDelay: 2.5s
              mode: Unicast
              unicastPeers: ["2001:db8::2", "2001:db8::3"]
              tracks:
                - interface: eth1
                  weight: -20
            """;

  @Test
  void readsEveryDocumentWithNodePriorityAndSecret() throws Exception {
    Files.createDirectories(secrets.resolve("vrrp"));
    Files.writeString(secrets.resolve("vrrp/password"), "secret1\n");

    List<VipDefinition> vips =
        new ConfigLoader("node-a", secrets).parse("vips.yaml", V2_WITH_PASSWORD);

    assertThat(vips).hasSize(2);
    VipDefinition v1 = vips.get(0);
    assertThat(v1.name()).isEqualTo("VI_1");
    assertThat(v1.interfaceName()).isEqualTo("eth0");
    assertThat(v1.addresses()).containsExactly(AddressPrefix.parse("192.0.2.100/24"));
    assertThat(v1.vrid()).isEqualTo(51);
    assertThat(v1.version()).isEqualTo(2);
    assertThat(v1.priority()).isEqualTo(151);
    assertThat(v1.advertIntervalCentis()).isEqualTo(100);
    assertThat(v1.preempt()).isTrue();
    assertThat(v1.password()).containsExactly("secret1".getBytes());
    assertThat(v1.unicastPeers()).isEmpty();
    assertThat(v1.toString()).doesNotContain("secret1");

    VipDefinition v6 = vips.get(1);
    assertThat(v6.interfaceName()).isNull();
    assertThat(v6.ipv6()).isTrue();
    assertThat(v6.version()).isEqualTo(3);
    assertThat(v6.priority()).as("defaultPriority default").isEqualTo(100);
    assertThat(v6.advertIntervalCentis()).isEqualTo(10);
    assertThat(v6.preempt()).isFalse();
    assertThat(v6.preemptDelay()).isEqualTo(Duration.ofMillis(2500));
    assertThat(v6.password()).isNull();
    assertThat(v6.unicastPeers())
        .containsExactly(
            InetAddress.getByName("2001:db8::2"), InetAddress.getByName("2001:db8::3"));
    assertThat(v6.tracks()).containsExactly(new VipDefinition.InterfaceTrack("eth1", -20));
  }

  @Test
  void otherNodesGetTheDefaultPriority() throws Exception {
    Files.createDirectories(secrets.resolve("vrrp"));
    Files.writeString(secrets.resolve("vrrp/password"), "secret1");
    assertThat(new ConfigLoader("node-b", secrets).parse("f", V2_WITH_PASSWORD).get(0).priority())
        .isEqualTo(100);
  }

  @Test
  void unknownFieldIsNamed() {
    assertError(
        minimal("  virtualRouterId: 51\n  colour: blue\n"),
        "vips.yaml document 1 (VI_1): spec.colour: unknown field \"colour\": not in the VirtualIP schema (misspelt?)");
  }

  @Test
  void unknownNestedFieldIsNamedWithIndex() {
    assertError(
        minimal("  virtualRouterId: 51\n  tracks:\n    - interface: eth1\n      wieght: 5\n"),
        "vips.yaml document 1 (VI_1): spec.tracks[0].wieght: unknown field \"wieght\": not in the VirtualIP schema (misspelt?)");
  }

  @Test
  void invalidEnumValueListsTheAllowedOnes() {
    assertError(
        minimal("  virtualRouterId: 51\n  mode: Broadcast\n"),
        "vips.yaml document 1 (VI_1): spec.mode: \"Broadcast\" is not supported: use one of \"Multicast\", \"Unicast\"");
  }

  @Test
  void invalidValuesAreExplained() {
    assertError(
        minimal("  virtualRouterId: 300\n"),
        "vips.yaml document 1 (VI_1): spec.virtualRouterId: must be at most 255, got 300");
    assertError(
        minimal("  virtualRouterId: 51\n  advertisementInterval: 15ms\n"),
        "vips.yaml document 1 (VI_1): spec.advertisementInterval: with version 3 the advertisementInterval "
            + "must be 10ms to 40.95s in steps of 10ms (for example 1s, 100ms, 0.25s), not 15ms");
    // The words are the CRD's (the API server's); what matters here is the one line naming document
    // and field.
    assertErrorStarts(
        minimal("  virtualRouterId: 51\n  version: 2\n  advertisementInterval: 1.5s\n"),
        "vips.yaml document 1 (VI_1): spec.advertisementInterval: with version 2 the advertisementInterval "
            + "must be whole seconds from 1s to 255s");
    assertErrorStarts(
        minimal("  virtualRouterId: 51\n  advertisementInterval: soon\n"),
        "vips.yaml document 1 (VI_1): spec.advertisementInterval: ");
    assertErrorStarts(
        minimal("  virtualRouterId: abc\n"), "vips.yaml document 1 (VI_1): spec.virtualRouterId: ");
    assertErrorStarts(
        minimal("  virtualRouterId: 51\n  priorities: {node-a: 255}\n"),
        "vips.yaml document 1 (VI_1): spec.priorities");
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    assertError(
        minimal(""),
        "vips.yaml document 1 (VI_1): spec.virtualRouterId: required by the standalone "
            + "agent (no operator allocates one)");
    assertError(
        "apiVersion: virtualip.io/v1\nkind: VirtualIP\nmetadata: {name: X}\nspec:\n  virtualRouterId: 1\n",
        "vips.yaml document 1 (X): spec.addresses: is required: Virtual addresses with prefix length (192.0.2.100/24 or 2001:db8::100/64), all of one family; 1 to 16.");
    assertError(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: X}\n",
        "vips.yaml document 1 (X): apiVersion: must be virtualip.io/v1, got \"v1\"");
  }

  @Test
  void addressProblemsNameTheEntry() {
    assertError(
        minimal("  virtualRouterId: 51\n")
            .replace("[192.0.2.100/24]", "[192.0.2.100/24, 192.0.2.300/24]"),
        "vips.yaml document 1 (VI_1): spec.addresses: each address must be an IP address with a prefix length, for example 192.0.2.100/24 or 2001:db8::100/64");
    assertError(
        minimal("  virtualRouterId: 51\n")
            .replace("[192.0.2.100/24]", "[192.0.2.100/24, \"2001:db8::1/64\"]"),
        "vips.yaml document 1 (VI_1): spec.addresses: addresses must all be IPv4 or all be IPv6: one "
            + "VRRP instance carries one address family");
    assertError(
        minimal("  virtualRouterId: 51\n").replace("[192.0.2.100/24]", "[example.com/24]"),
        "vips.yaml document 1 (VI_1): spec.addresses: each address must be an IP address with a prefix length, for example 192.0.2.100/24 or 2001:db8::100/64");
  }

  @Test
  void secondDocumentErrorsNameTheSecondDocument() {
    String two =
        minimal("  virtualRouterId: 51\n")
            + "---\n"
            + minimal("  virtualRouterId: 51\n").replace("VI_1", "VI_2");
    assertError(
        two,
        "vips.yaml document 2 (VI_2): spec.virtualRouterId: 51 is already used by VI_1 on the same "
            + "interface and address family");
  }

  @Test
  void passwordProblems() throws Exception {
    String v2 =
        minimal(
            "  virtualRouterId: 51\n  version: 2\n  authentication:\n    type: Password\n"
                + "    secretRef: {name: vrrp, key: password}\n");
    assertThatThrownBy(() -> new ConfigLoader("n", null).parse("vips.yaml", v2))
        .hasMessage(
            "vips.yaml document 1 (VI_1): spec.authentication.secretRef: needs --secrets-dir to read "
                + "vrrp/password");
    Files.createDirectories(secrets.resolve("vrrp"));
    Files.writeString(secrets.resolve("vrrp/password"), "ninechars");
    assertThatThrownBy(() -> new ConfigLoader("n", secrets).parse("vips.yaml", v2))
        .hasMessageEndingWith("must hold 1 to 8 bytes (VRRPv2 simple text password), has 9");
    assertError(
        v2.replace("version: 2", "version: 3"),
        "vips.yaml document 1 (VI_1): spec.authentication: "
            + "authentication type Password exists only in version 2 (RFC 3768); VRRPv3 has no authentication");
  }

  @Test
  void unicastNeedsPeersOfTheSameFamily() {
    assertError(
        minimal("  virtualRouterId: 51\n  mode: Unicast\n"),
        "vips.yaml document 1 (VI_1): spec.unicastPeers: required with mode Unicast by the standalone agent (it knows no other nodes)");
    assertError(
        minimal("  virtualRouterId: 51\n  mode: Unicast\n  unicastPeers: [\"2001:db8::2\"]\n"),
        "vips.yaml document 1 (VI_1): spec.unicastPeers: unicastPeers must be of the same address family as addresses");
  }

  @Test
  void brokenYamlIsReportedNotThrown() {
    assertThatThrownBy(() -> new ConfigLoader("n", null).parse("vips.yaml", "spec: [unclosed\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("vips.yaml document 1: not valid YAML");
  }

  @Test
  void messagesAreOneLine() {
    assertThatThrownBy(
            () -> new ConfigLoader("n", null).parse("vips.yaml", minimal("  bogus: {a: 1}\n")))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private static String minimal(String specExtra) {
    return "apiVersion: virtualip.io/v1\nkind: VirtualIP\nmetadata:\n  name: VI_1\nspec:\n"
        + "  addresses: [192.0.2.100/24]\n"
        + specExtra;
  }

  private void assertErrorStarts(String yaml, String start) {
    assertThatThrownBy(() -> new ConfigLoader("node-a", secrets).parse("vips.yaml", yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(start)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private void assertError(String yaml, String message) {
    assertThatThrownBy(() -> new ConfigLoader("node-a", secrets).parse("vips.yaml", yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void httpGetTracksGetDefaultsAndPodsTracksAreRejected() throws Exception {
    VipDefinition d =
        new ConfigLoader("n", null)
            .parse(
                "vips.yaml",
                minimal(
                    "  virtualRouterId: 51\n"
                        + "  tracks:\n    - httpGet: {port: 8080}\n      weight: -10\n"))
            .get(0);
    assertThat(d.externalTracks())
        .containsExactly(
            new VipDefinition.ExternalTrack(
                "tracks[0] httpGet 127.0.0.1:8080/",
                -10,
                new VipDefinition.HttpGetCheck("127.0.0.1", 8080, "/", 2, 2, 1)));
    assertThatThrownBy(
            () ->
                new ConfigLoader("n", null)
                    .parse(
                        "vips.yaml",
                        minimal("  virtualRouterId: 51\n  tracks:\n    - httpGet: {port: 0}\n")))
        .hasMessageStartingWith("vips.yaml document 1 (VI_1): spec.tracks[0].httpGet.port: ");
    assertError(
        minimal(
            "  virtualRouterId: 51\n  tracks:\n    - pods: {namespace: web, selector: {matchLabels: "
                + "{app: web}}}\n"),
        "vips.yaml document 1 (VI_1): spec.tracks[0].pods: pods tracks need Kubernetes; the standalone agent "
            + "supports interface and httpGet tracks");
  }
}
