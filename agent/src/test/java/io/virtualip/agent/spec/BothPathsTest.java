package io.virtualip.agent.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.agent.source.kubernetes.InstanceResolver;
import io.virtualip.agent.source.kubernetes.Resolution;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.validation.CrdValidator;
import io.virtualip.api.v1.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One spec, one verdict: every case of {@code spec/cases.yaml} goes through file mode ({@link
 * ConfigLoader}, what {@code virtualip-agent run --config} does) and through the cluster (the API
 * server's admission, which the CRD's validator stands in for, and then the agent's {@link
 * InstanceResolver} on the object as an informer delivers it, as if a lax server had stored it
 * anyway), and must get the same verdict in both: the same definition to run, or the same field and
 * problem. Nothing is repaired on either path.
 */
class BothPathsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String NODE = "node-a";
  private static final List<Node> NODES =
      List.of(node(NODE, "192.0.2.1"), node("node-b", "192.0.2.2"));

  @TempDir Path secretsDir;

  /** A case: a VirtualIP document (YAML), its secrets, and the verdict expected on both paths. */
  record Case(String name, String document, Map<String, String> secrets, String expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() throws IOException {
    try (InputStream in = BothPathsTest.class.getResourceAsStream("/spec/cases.yaml")) {
      JsonNode all = YAML.readTree(in);
      List<Case> cases = new ArrayList<>();
      for (JsonNode c : all) {
        ObjectNode document = YAML.createObjectNode();
        document.put("apiVersion", "virtualip.io/v1");
        document.put("kind", "VirtualIP");
        document.set(
            "metadata",
            c.has("metadata") ? c.get("metadata") : YAML.createObjectNode().put("name", "vip"));
        JsonNode spec = c.get("spec");
        if (spec.isObject() && !spec.has("virtualRouterId")) {
          ((ObjectNode) spec).put("virtualRouterId", 51);
        }
        document.set("spec", spec);
        Map<String, String> secrets =
            c.has("secrets")
                ? YAML.convertValue(
                    c.get("secrets"),
                    YAML.getTypeFactory().constructMapType(Map.class, String.class, String.class))
                : Map.of();
        cases.add(
            new Case(
                c.get("case").asText(),
                YAML.writeValueAsString(document),
                secrets,
                c.get("expect").asText()));
      }
      return cases.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSameVerdictFromAFileAndFromTheCluster(Case c) throws Exception {
    for (Map.Entry<String, String> s : c.secrets().entrySet()) {
      Path file = secretsDir.resolve(s.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, s.getValue().getBytes(StandardCharsets.UTF_8));
    }
    Object file = fileVerdict(c);
    JsonNode resource = YAML.readTree(c.document());

    // The API server's admission: what kubectl apply gets.
    List<Violation> admission = CrdValidator.load().validate(resource);
    // The agent on whatever got stored, as the informer hands it over (only where that is the
    // object as written: a value Java cannot hold as written, like 51.9 for an integer, never gets
    // stored by any API server).
    VirtualIP stored = null;
    try {
      stored = SERIALIZATION.unmarshal(SERIALIZATION.asJson(resource), VirtualIP.class);
    } catch (RuntimeException e) {
      // not representable in the model at all (a list for an object, an unknown enum value)
    }
    boolean storable =
        stored != null
            && withoutNulls(SERIALIZATION.convertValue(stored, JsonNode.class))
                .equals(withoutNulls(resource));
    Object cluster = storable ? clusterVerdict(stored, c.secrets()) : null;

    if (c.expect().equals("run")) {
      assertThat(file).as("file mode").isInstanceOf(VipDefinition.class);
      assertThat(admission).as("admission").isEmpty();
      assertThat(storable).isTrue();
      assertThat(withOrigin((VipDefinition) cluster))
          .as("cluster mode runs what file mode runs")
          .isEqualTo(withOrigin((VipDefinition) file));
      return;
    }
    assertThat(file).as("file mode refuses").isInstanceOf(String.class);
    String verdict = (String) file;
    assertThat(verdict).as("file mode").startsWith(c.expect());
    assertThat(verdict)
        .as("one line, no control characters")
        .doesNotContainPattern("\\p{Cntrl}")
        .doesNotContain("java.")
        .doesNotContain("Exception")
        .hasSizeLessThan(700);
    if (!admission.isEmpty()) {
      assertThat(admission.get(0).toString())
          .as("the API server refuses it the same way")
          .isEqualTo(verdict);
    }
    if (storable) {
      assertThat(cluster)
          .as("the agent in a cluster refuses it the same way, not repaired")
          .isEqualTo(verdict);
    } else {
      assertThat(admission).as("what cannot be stored is refused by admission").isNotEmpty();
    }
  }

  /**
   * File mode's verdict: the definition, or the error line without its "file document N (name): "
   * prefix.
   */
  private Object fileVerdict(Case c) {
    ConfigLoader loader = new ConfigLoader(NodeFacts.named(NODE), secretsDir);
    try {
      List<VipDefinition> definitions = loader.parse("cases.yaml", c.document());
      assertThat(definitions).hasSize(1);
      return definitions.get(0);
    } catch (ConfigException e) {
      String message = e.getMessage();
      assertThat(message).as("names the document").startsWith("cases.yaml document 1");
      int colon = message.indexOf(": ");
      return message.substring(colon + 2);
    }
  }

  private static Object clusterVerdict(VirtualIP stored, Map<String, String> secrets) {
    // The operator records a valid spec's VRID in status; the agent runs only that.
    stored.setStatus(
        io.virtualip.api.v1.VirtualIPStatus.EMPTY.withVirtualRouterId(
            stored.getSpec() == null ? 51 : stored.getSpec().virtualRouterId()));
    Resolution r =
        new InstanceResolver(NODE, null).resolve(stored, NODES, name -> secret(name, secrets));
    if (r instanceof Resolution.Run run) {
      return run.config();
    }
    if (r instanceof Resolution.Invalid invalid) {
      return invalid.problem();
    }
    return r.toString();
  }

  private static Secret secret(String name, Map<String, String> secrets) {
    SecretBuilder b = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
    boolean any = false;
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      String[] nameKey = s.getKey().split("/", 2);
      if (nameKey[0].equals(name)) {
        b.addToData(
            nameKey[1],
            Base64.getEncoder().encodeToString(s.getValue().getBytes(StandardCharsets.UTF_8)));
        any = true;
      }
    }
    return any ? b.build() : null;
  }

  private static VipDefinition withOrigin(VipDefinition d) {
    return new VipDefinition(
        "-",
        d.name(),
        d.interfaceName(),
        d.addresses(),
        d.vrid(),
        d.version(),
        d.priority(),
        d.advertIntervalCentis(),
        d.preempt(),
        d.preemptDelay(),
        d.password(),
        d.unicastPeers(),
        d.tracks(),
        d.externalTracks());
  }

  private static JsonNode withoutNulls(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          it.remove();
        } else {
          strip(e.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(BothPathsTest::strip);
    }
  }

  private static Node node(String name, String ip) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewAddress()
        .withType("InternalIP")
        .withAddress(ip)
        .endAddress()
        .endStatus()
        .build();
  }
}
