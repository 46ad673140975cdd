package io.virtualip.api.v1.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds invalid VirtualIPs through the CRD's schema and CEL rules and checks each is refused at the
 * right field with a message a person can act on; valid ones, including every example under
 * deploy/examples, pass.
 *
 * <p>Each invalid case expects exactly the violations listed, so removing or weakening the rule
 * that refuses it makes the case fail (the list would be empty), and so would a rule that starts
 * refusing too much.
 */
class ValidationTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path EXAMPLES = Path.of("..", "deploy", "examples");
  private static final CrdValidator VALIDATOR = CrdValidator.load();

  /** A VirtualIP named "test" with the given spec (YAML). */
  static JsonNode virtualIp(String specYaml) {
    try {
      ObjectNode resource =
          (ObjectNode)
              YAML.readTree(
                  """
          apiVersion: virtualip.io/v1
          kind: VirtualIP
          metadata:
            name: test
          """);
      if (specYaml != null) {
        resource.set("spec", YAML.readTree(specYaml));
      }
      return resource;
    } catch (IOException e) {
      throw new IllegalArgumentException(specYaml, e);
    }
  }

  /** The violation expected: at {@code field}, with a message containing {@code words}. */
  record Expected(String field, String words) {}

  static Expected at(String field, String words) {
    return new Expected(field, words);
  }

  static Stream<Arguments> invalid() {
    String seventeen =
        IntStream.rangeClosed(1, 17)
            .mapToObj(i -> "192.0.2." + i + "/24")
            .reduce((a, b) -> a + ", " + b)
            .orElseThrow();
    String familyRule = "all be IPv4 or all be IPv6";
    String v2Interval =
        "with version 2 the advertisementInterval must be whole seconds from 1s to 255s";
    String v3Interval =
        "with version 3 the advertisementInterval must be 10ms to 40.95s in steps of 10ms";
    String addressForm = "each address must be an IP address with a prefix length";
    String oneKind = "a track needs exactly one of interface, httpGet or pods";
    String notHoldable = "is not an address a node can hold";
    return Stream.of(
        invalid(
            "missing addresses",
            "virtualRouterId: 7",
            at("spec.addresses", "is required: Virtual addresses with prefix length"),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "17 addresses",
            "addresses: [" + seventeen + "]",
            at("spec.addresses", "must have at most 16 items, got 17"),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "no addresses",
            "addresses: []",
            at("spec.addresses", "must have at least 1 item, got 0")),
        invalid(
            "octet out of range", "addresses: [192.0.2.300/24]", at("spec.addresses", addressForm)),
        invalid(
            "address without prefix length",
            "addresses: [192.0.2.100]",
            at("spec.addresses", addressForm)),
        invalid(
            "IPv4 prefix length 33",
            "addresses: [192.0.2.100/33]",
            at("spec.addresses", addressForm)),
        invalid(
            "unspecified IPv4 address",
            "addresses: [0.0.0.0/0]",
            at("spec.addresses[0]", notHoldable)),
        invalid(
            "VRRP multicast group",
            "addresses: [192.0.2.1/24, 224.0.0.18/32]",
            at("spec.addresses[1]", "224.0.0.18/32 " + notHoldable)),
        invalid("loopback", "addresses: [127.0.0.2/8]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "IPv4 link-local", "addresses: [169.254.1.1/16]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "broadcast", "addresses: [255.255.255.255/32]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "reserved class E", "addresses: [240.0.0.1/24]", at("spec.addresses[0]", notHoldable)),
        invalid("IPv6 unspecified", "addresses: [\"::/0\"]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "IPv6 loopback",
            "addresses: [0:0:0:0:0:0:0:1/128]",
            at("spec.addresses[0]", notHoldable)),
        invalid("IPv6 link-local", "addresses: [FE80::1/64]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "IPv6 multicast", "addresses: [ff02::12/128]", at("spec.addresses[0]", notHoldable)),
        invalid(
            "IPv6 with two double colons",
            "addresses: [2001:db8::1::2/64]",
            at("spec.addresses", addressForm)),
        invalid(
            "IPv6 with three colons",
            "addresses: [2001:db8:::2/64]",
            at("spec.addresses", addressForm)),
        invalid(
            "IPv6 prefix length 129",
            "addresses: [2001:db8::2/129]",
            at("spec.addresses", addressForm)),
        invalid(
            "IPv6 hextet of five digits",
            "addresses: [2001:db8::12345/64]",
            at("spec.addresses", addressForm)),
        invalid(
            "host name instead of address",
            "addresses: [vip.example.org/24]",
            at("spec.addresses", addressForm)),
        invalid(
            "mixed families",
            "addresses: [192.0.2.100/24, 2001:db8::100/64]",
            at("spec.addresses", familyRule)),
        invalid(
            "duplicate addresses",
            "addresses: [192.0.2.100/24, 192.0.2.101/24, 192.0.2.100/24]",
            at("spec.addresses[2]", "duplicate entry for \"192.0.2.100/24\", already at index 0")),
        invalid(
            "version 2 with IPv6",
            "{addresses: [2001:db8::100/64], version: 2}",
            at(
                "spec.version",
                "version 2 (RFC 3768) carries IPv4 addresses only: use version 3 for IPv6")),
        invalid(
            "version 2 with 500ms",
            "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 500ms}",
            at("spec.advertisementInterval", v2Interval + ", not 500ms")),
        invalid(
            "version 2 with 1.5s",
            "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 1.5s}",
            at("spec.advertisementInterval", v2Interval)),
        invalid(
            "version 2 with 256s",
            "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 256s}",
            at("spec.advertisementInterval", v2Interval)),
        invalid(
            "version 2 with 0s",
            "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 0s}",
            at("spec.advertisementInterval", v2Interval)),
        invalid(
            "version 3 with 5ms",
            "{addresses: [192.0.2.100/24], advertisementInterval: 5ms}",
            at("spec.advertisementInterval", v3Interval)),
        invalid(
            "version 3 with 41s",
            "{addresses: [192.0.2.100/24], advertisementInterval: 41s}",
            at("spec.advertisementInterval", v3Interval)),
        invalid(
            "version 3 with 15ms",
            "{addresses: [192.0.2.100/24], advertisementInterval: 15ms}",
            at(
                "spec.advertisementInterval",
                v3Interval + " (for example 1s, 100ms, 0.25s), not 15ms")),
        invalid(
            "version 3 with 0.125s",
            "{addresses: [192.0.2.100/24], advertisementInterval: 0.125s}",
            at("spec.advertisementInterval", v3Interval)),
        invalid(
            "interval not a duration",
            "{addresses: [192.0.2.100/24], advertisementInterval: 1 sec}",
            at("spec.advertisementInterval", "\"1 sec\" does not have the expected form"),
            at("spec.advertisementInterval", v3Interval)),
        invalid(
            "interval in minutes",
            "{addresses: [192.0.2.100/24], advertisementInterval: 1m}",
            at("spec.advertisementInterval", "\"1m\" does not have the expected form"),
            at("spec.advertisementInterval", v3Interval)),
        invalid(
            "Password with version 3",
            """
            addresses: [192.0.2.100/24]
            authentication: {type: Password, secretRef: {name: vrrp, key: password}}
            """,
            at("spec.authentication", "Password exists only in version 2 (RFC 3768)")),
        invalid(
            "Password without secretRef",
            """
            {addresses: [192.0.2.100/24], version: 2, authentication: {type: Password}}
            """,
            at("spec.authentication", "authentication type Password needs secretRef {name, key}")),
        invalid(
            "unknown authentication type",
            """
            {addresses: [192.0.2.100/24], version: 2, authentication: {type: AH}}
            """,
            at(
                "spec.authentication.type",
                "\"AH\" is not supported: use one of \"None\", \"Password\""),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "priority 0 in priorities",
            "{addresses: [192.0.2.100/24], priorities: {node-a: 0}}",
            at("spec.priorities.node-a", "must be at least 1, got 0")),
        invalid(
            "priority 255 in priorities",
            "{addresses: [192.0.2.100/24], priorities: {node-a: 151, node-b: 255}}",
            at("spec.priorities.node-b", "must be at most 254, got 255")),
        invalid(
            "defaultPriority 255",
            "{addresses: [192.0.2.100/24], defaultPriority: 255}",
            at("spec.defaultPriority", "must be at most 254, got 255")),
        invalid(
            "VRID 0",
            "{addresses: [192.0.2.100/24], virtualRouterId: 0}",
            at("spec.virtualRouterId", "must be at least 1, got 0")),
        invalid(
            "VRID 256",
            "{addresses: [192.0.2.100/24], virtualRouterId: 256}",
            at("spec.virtualRouterId", "must be at most 255, got 256")),
        invalid(
            "version 4",
            "{addresses: [192.0.2.100/24], version: 4}",
            at("spec.version", "must be at most 3, got 4")),
        invalid(
            "unknown mode",
            "{addresses: [192.0.2.100/24], mode: Broadcast}",
            at(
                "spec.mode",
                "\"Broadcast\" is not supported: use one of \"Multicast\", \"Unicast\""),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "track with two kinds",
            "{addresses: [192.0.2.100/24], tracks: [{interface: eth0, httpGet: {port: 80}}]}",
            at("spec.tracks[0]", oneKind)),
        invalid(
            "track with no kind",
            "{addresses: [192.0.2.100/24], tracks: [{interface: eth0}, {weight: 10}]}",
            at("spec.tracks[1]", oneKind)),
        invalid(
            "track weight 300",
            "{addresses: [192.0.2.100/24], tracks: [{interface: eth0, weight: 300}]}",
            at("spec.tracks[0].weight", "must be at most 254, got 300")),
        invalid(
            "httpGet without port",
            "{addresses: [192.0.2.100/24], tracks: [{httpGet: {path: /healthz}}]}",
            at("spec.tracks[0].httpGet.port", "is required: TCP port to connect to."),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "unicast peer of the other family",
            "{addresses: [192.0.2.100/24], mode: Unicast, unicastPeers: [192.0.2.11, 2001:db8::12]}",
            at(
                "spec.unicastPeers",
                "unicastPeers must be of the same address family as addresses")),
        invalid(
            "unicast peer with prefix length",
            "{addresses: [192.0.2.100/24], mode: Unicast, unicastPeers: [192.0.2.11/24]}",
            at(
                "spec.unicastPeers",
                "each unicast peer must be a plain IP address without prefix length")),
        invalid(
            "unicast peers in multicast mode",
            "{addresses: [192.0.2.100/24], unicastPeers: [192.0.2.11]}",
            at("spec.unicastPeers", "unicastPeers are used only with mode Unicast")),
        invalid(
            "preemptDelay over 1000s",
            "{addresses: [192.0.2.100/24], preemptDelay: 1001s}",
            at("spec.preemptDelay", "preemptDelay must be at most 1000s, not 1001s")),
        invalid(
            "misspelt field",
            "{addresses: [192.0.2.100/24], prioritys: {node-a: 151}}",
            at("spec.prioritys", "unknown field \"prioritys\": not in the VirtualIP schema"),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "version as a string",
            "{addresses: [192.0.2.100/24], version: \"3\"}",
            at("spec.version", "must be of type integer, got \"3\""),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "interface name with a slash",
            "{addresses: [192.0.2.100/24], interface: eth0/1}",
            at("spec.interface", "\"eth0/1\" does not have the expected form")),
        invalid(
            "unknown split-brain policy",
            "{addresses: [192.0.2.100/24], splitBrainPolicy: Ignore}",
            at(
                "spec.splitBrainPolicy",
                "\"Ignore\" is not supported: use one of \"Report\", \"Resolve\""),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)),
        invalid(
            "no spec",
            null,
            at("spec", "is required"),
            at("", CrdValidator.NOT_ALL_RULES_CHECKED)));
  }

  private static Arguments invalid(String name, String specYaml, Expected... expected) {
    return Arguments.of(name, specYaml, List.of(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesWithTheFieldAndAHumanMessage(String name, String specYaml, List<Expected> expected) {
    List<Violation> violations = VALIDATOR.validate(virtualIp(specYaml));

    assertThat(violations).as("violations of %s", name).hasSameSizeAs(expected);
    for (Expected e : expected) {
      assertThat(violations)
          .as("violations of %s", name)
          .anySatisfy(
              v -> {
                assertThat(v.field()).isEqualTo(e.field());
                assertThat(v.message()).contains(e.words());
              });
    }
  }

  @Test
  void statusNodesIsAListMapKeyedByName() throws IOException {
    ObjectNode resource = (ObjectNode) virtualIp("addresses: [192.0.2.100/24]");
    resource.set(
        "status",
        YAML.readTree(
            """
        nodes:
          - {name: node-a, state: Master}
          - {name: node-b, state: Backup}
          - {name: node-a, state: Backup}
        """));

    assertThat(VALIDATOR.validate(resource))
        .containsExactly(
            new Violation(
                "status.nodes[2]",
                "duplicate entry for name \"node-a\", already at index 0: each entry may appear only once"));
  }

  @Test
  void wrongApiVersionKindAndNameAreRefused() throws IOException {
    JsonNode resource =
        YAML.readTree(
            """
        apiVersion: virtualip.io/v2
        kind: VirtualIp
        spec: {addresses: [192.0.2.100/24]}
        """);

    assertThat(VALIDATOR.validate(resource))
        .containsExactly(
            new Violation("apiVersion", "must be virtualip.io/v1, got \"virtualip.io/v2\""),
            new Violation("kind", "must be VirtualIP, got \"VirtualIp\""),
            new Violation("metadata.name", "is required: every VirtualIP needs a name"));
  }

  @Test
  void namesAreDnsSubdomainsAndNeverPrintedRaw() throws IOException {
    JsonNode forged =
        YAML.readTree(
            """
        apiVersion: virtualip.io/v1
        kind: VirtualIP
        metadata: {name: "vip\\n2024-01-01 INFO forged line \\e[31m"}
        spec: {addresses: [192.0.2.100/24]}
        """);
    JsonNode huge = forged.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) huge.get("metadata"))
        .put("name", "a".repeat(200_000));
    JsonNode longest = forged.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) longest.get("metadata"))
        .put("name", "a".repeat(253));

    assertThat(VALIDATOR.validate(forged))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("metadata.name");
              assertThat(v.message())
                  .contains("is not a DNS subdomain")
                  .contains("vip\\u000a2024")
                  .doesNotContain("\n")
                  .doesNotContain("\u001b");
            });
    assertThat(VALIDATOR.validate(huge))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("metadata.name");
              assertThat(v.message()).contains("200000 characters").hasSizeLessThan(300);
            });
    assertThat(VALIDATOR.validate(longest)).isEmpty();
  }

  static Stream<String> validSpecs() {
    return Stream.of(
        "addresses: [192.0.2.100/24]",
        "addresses: [2001:db8::100/64, 2001:db8::1:100/128, 2001:db8:0:0:0:0:0:1/64, 2001:db8:1::/48]",
        "addresses: [192.0.2.0/0, 198.51.100.255/32, 203.0.113.9/24]",
        "addresses: [1.0.0.1/32, 126.255.255.255/8, 128.0.0.1/16, 169.253.0.1/16, 223.255.255.254/24]",
        "addresses: [2001:db8::1/64, fec0::1/64, fe7f::1/64, ff::1/64, \"::2/128\", 1::/64]",
        "{addresses: [192.0.2.100/24], version: 2}",
        "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 255s}",
        "{addresses: [192.0.2.100/24], version: 2, advertisementInterval: 1s, authentication: {type: Password, "
            + "secretRef: {name: vrrp, key: password}}}",
        "{addresses: [192.0.2.100/24], advertisementInterval: 10ms}",
        "{addresses: [192.0.2.100/24], advertisementInterval: 0.25s}",
        "{addresses: [192.0.2.100/24], advertisementInterval: 40.95s}",
        "{addresses: [192.0.2.100/24], advertisementInterval: 40950ms}",
        "{addresses: [192.0.2.100/24], priorities: {node-a: 1, node-b: 254}, defaultPriority: 254}",
        "{addresses: [192.0.2.100/24], virtualRouterId: 255, preemptDelay: 1000s}",
        "{addresses: [2001:db8::100/64], mode: Unicast, unicastPeers: [2001:db8::11, 2001:db8::12]}",
        "{addresses: [192.0.2.100/24], authentication: {type: None}}",
        "{addresses: [192.0.2.100/24], tracks: [{pods: {namespace: web, selector: {matchLabels: {app: web}}}}]}");
  }

  @ParameterizedTest
  @MethodSource("validSpecs")
  void acceptsValidSpecs(String specYaml) {
    assertThat(VALIDATOR.validate(virtualIp(specYaml))).isEmpty();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyVirtualIpExampleIsValid(Path example) throws IOException {
    List<JsonNode> virtualIps = new ArrayList<>();
    try (var parser = YAML.createParser(example.toFile())) {
      YAML.readValues(parser, JsonNode.class)
          .forEachRemaining(
              doc -> {
                if ("VirtualIP".equals(doc.path("kind").asText())) {
                  virtualIps.add(doc);
                }
              });
    }
    for (JsonNode virtualIp : virtualIps) {
      assertThat(VALIDATOR.validate(virtualIp)).as(example.toString()).isEmpty();
    }
  }

  @Test
  void examplesCoverTheDocumentedScenarios() throws IOException {
    assertThat(examples().map(p -> p.getFileName().toString()))
        .contains(
            "seed-keepalived-v2.yaml",
            "seed-keepalived-v2-secret.yaml",
            "minimal.yaml",
            "ipv6-v3.yaml",
            "unicast.yaml",
            "fast-failover.yaml");
  }

  @Test
  void defaultsAreAppliedAsTheApiServerWould() throws IOException {
    VirtualIP minimal = YAML.readValue(EXAMPLES.resolve("minimal.yaml").toFile(), VirtualIP.class);
    minimal.setSpec(
        minimal.getSpec().toBuilder()
            .tracks(
                List.of(YAML.readValue("{httpGet: {port: 80}}", io.virtualip.api.v1.Track.class)))
            .build());

    VirtualIPSpec spec = VALIDATOR.withDefaults(minimal).getSpec();

    assertThat(spec.version()).isEqualTo(3);
    assertThat(spec.advertisementInterval()).isEqualTo("1s");
    assertThat(spec.defaultPriority()).isEqualTo(100);
    assertThat(spec.preempt()).isTrue();
    assertThat(spec.preemptDelay()).isEqualTo("0s");
    assertThat(spec.mode()).hasToString("Multicast");
    assertThat(spec.splitBrainPolicy()).hasToString("Report");
    assertThat(spec.virtualRouterId()).as("allocated by the operator, not defaulted").isNull();
    assertThat(spec.tracks().get(0).weight()).isZero();
    assertThat(spec.tracks().get(0).intervalSeconds()).isEqualTo(2);
    assertThat(spec.tracks().get(0).httpGet().path()).isEqualTo("/");
    assertThat(minimal.getSpec().version()).as("the input is not changed").isNull();
  }

  @Test
  void validatesTheModelObject() throws IOException {
    VirtualIP seed =
        YAML.readValue(EXAMPLES.resolve("seed-keepalived-v2.yaml").toFile(), VirtualIP.class);
    assertThat(VALIDATOR.validate(seed)).isEmpty();

    seed.setSpec(seed.getSpec().toBuilder().addresses(List.of("2001:db8::100/64")).build());
    assertThat(VALIDATOR.validate(seed))
        .extracting(Violation::toString)
        .containsExactly(
            "spec.version: version 2 (RFC 3768) carries IPv4 addresses only: use version 3 for IPv6");
  }
}
