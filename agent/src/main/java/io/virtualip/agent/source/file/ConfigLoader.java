package io.virtualip.agent.source.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.virtualip.agent.spec.Compiled;
import io.virtualip.agent.spec.ConfigException;
import io.virtualip.agent.spec.NodeFacts;
import io.virtualip.agent.spec.Source;
import io.virtualip.agent.spec.SpecCompiler;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.api.v1.contract.Printable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the standalone agent's configuration: one or more {@code VirtualIP} YAML documents, shaped
 * exactly like the Kubernetes resource. What is file-specific lives here (reading the documents,
 * Secrets as files under a directory, checks across documents); each document is judged by the same
 * {@link SpecCompiler} as in a cluster, so a file that works here also applies to a cluster and the
 * other way round. The first problem found ends loading with a {@link ConfigException} naming
 * document, field and problem.
 */
public final class ConfigLoader {

  /**
   * More than any sane configuration, and little enough that a runaway file is refused before it is
   * parsed.
   */
  static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private final NodeFacts node;
  private final Path secretsDir;
  private final SpecCompiler compiler = new SpecCompiler();

  /**
   * @param nodeName this node, for spec.priorities
   * @param secretsDir where Secret keys are files ({@code DIR/name/key}); null if none were given
   */
  public ConfigLoader(String nodeName, Path secretsDir) {
    this(NodeFacts.named(nodeName), secretsDir);
  }

  /**
   * @param node this node: its name for spec.priorities, its interfaces to tell which interface a
   *     document without spec.interface runs on
   * @param secretsDir where Secret keys are files ({@code DIR/name/key}); null if none were given
   */
  public ConfigLoader(NodeFacts node, Path secretsDir) {
    this.node = node;
    this.secretsDir = secretsDir;
  }

  public List<VipDefinition> load(Path file) throws ConfigException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(
            file
                + ": larger than "
                + MAX_FILE_BYTES / 1024 / 1024
                + " MiB; not a VirtualIP configuration");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(
          file + ": not UTF-8 text (is it a binary file?); expected VirtualIP YAML " + "documents");
    }
    return parse(file.getFileName().toString(), text);
  }

  /** Parses {@code text}; {@code source} names it in error messages. */
  public List<VipDefinition> parse(String source, String text) throws ConfigException {
    source = Printable.of(source, 200);
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          documents.add(node);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          source + " document " + (documents.size() + 1) + ": not valid YAML: " + yamlProblem(e));
    }
    if (documents.isEmpty()) {
      throw new ConfigException(source + ": no VirtualIP documents");
    }
    List<VipDefinition> definitions = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<String, String> routers = new HashMap<>();
    for (int i = 0; i < documents.size(); i++) {
      JsonNode document = documents.get(i);
      String where = source + " document " + (i + 1) + nameOf(document);
      VipDefinition definition = compile(where, document);
      if (!names.add(definition.name())) {
        throw new ConfigException(
            where + ": metadata.name: '" + definition.name() + "' is used twice");
      }
      // Two instances of one VRID on one interface and family are one virtual router run twice:
      // both would become master. An omitted interface counts as the one the runtime will pick.
      Optional<String> nic = node.interfaceOf(definition);
      String router =
          nic.orElse("*") + "/" + (definition.ipv6() ? "6" : "4") + "/" + definition.vrid();
      String earlier = routers.putIfAbsent(router, definition.name());
      if (earlier != null) {
        throw new ConfigException(
            where
                + ": spec.virtualRouterId: "
                + definition.vrid()
                + " is already used by "
                + earlier
                + " on the same interface"
                + nic.map(n -> " (" + Printable.of(n, 20) + ")").orElse("")
                + " and address family");
      }
      definitions.add(definition);
    }
    return definitions;
  }

  private VipDefinition compile(String where, JsonNode document) throws ConfigException {
    if (!document.isObject()) {
      throw new ConfigException(
          where + ": expected a VirtualIP object (apiVersion, kind, metadata, spec)");
    }
    Compiled verdict = compiler.compile(document, node, this::secret, Source.FILE, where);
    if (verdict instanceof Compiled.Run run) {
      return run.definition();
    }
    if (verdict instanceof Compiled.Invalid invalid) {
      throw new ConfigException(where + ": " + invalid);
    }
    // Nothing arrives later for a file: whatever it would wait for is missing.
    throw new ConfigException(where + ": " + ((Compiled.Waiting) verdict).reason());
  }

  /** A Secret key is the file {@code secretsDir/name/key}. */
  private Optional<byte[]> secret(String name, String key) {
    if (secretsDir == null) {
      throw new IllegalArgumentException(
          "needs --secrets-dir to read " + Printable.of(name, 253) + "/" + Printable.of(key, 253));
    }
    if (!safePathElement(name) || !safePathElement(key)) {
      throw new IllegalArgumentException("name and key must not contain '/' or '..'");
    }
    Path file = secretsDir.resolve(name).resolve(key);
    try {
      if (Files.size(file) > 1024) {
        throw new IllegalArgumentException(
            file + " is too large for a VRRPv2 password (1 to 8 bytes)");
      }
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String nameOf(JsonNode node) {
    JsonNode name = node.path("metadata").path("name");
    return name.isTextual() ? " (" + Printable.of(name.asText(), 63) + ")" : "";
  }

  /** The parser's problem with its position, without Java's vocabulary. */
  private static String yamlProblem(Exception e) {
    String message =
        e instanceof JsonProcessingException j && j.getOriginalMessage() != null
            ? j.getOriginalMessage()
            : String.valueOf(e.getMessage());
    String first = message.lines().findFirst().orElse("");
    if (e instanceof JsonProcessingException j
        && j.getLocation() != null
        && j.getLocation().getLineNr() > 0) {
      first = "line " + j.getLocation().getLineNr() + ": " + first;
    }
    return Printable.of(first, 200);
  }

  /** A Secret name or key used as a file name must not climb out of the secrets directory. */
  private static boolean safePathElement(String s) {
    return !s.isEmpty() && !s.contains("/") && !s.equals(".") && !s.equals("..");
  }
}
