package io.virtualip.api.v1.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validates a VirtualIP as the API server would, from the CRD itself, so the agent (reading a
 * config file) and the operator (reacting to a stored object) refuse exactly what {@code kubectl
 * apply} would refuse.
 *
 * <p>Order, as in the API server: drop nulls and apply schema defaults, check the OpenAPI schema,
 * then evaluate the {@code x-kubernetes-validations} CEL rules unless a blocking schema error makes
 * that pointless. The CRD is read from the classpath resource the build generates; CEL programs are
 * compiled once in {@link #load()}, and a validator is immutable and safe to share between threads.
 */
public final class CrdValidator {
  /** The generated CRD inside the crds jar. */
  public static final String CRD_RESOURCE = "META-INF/fabric8/virtualips.virtualip.io-v1.yml";

  static final String NOT_ALL_RULES_CHECKED =
      "some validation rules were not checked because the object was invalid; correct the errors above and retry";

  /** Kubernetes' limit for object names (a DNS subdomain, RFC 1123). */
  public static final int MAX_NAME_LENGTH = 253;

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static volatile CrdValidator shared;

  private final JsonNode schema;
  private final CelRules rules;

  private CrdValidator(JsonNode crd) {
    this.schema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    if (!schema.isObject()) {
      throw new IllegalStateException("no openAPIV3Schema in " + CRD_RESOURCE);
    }
    this.rules = new CelRules(schema);
  }

  /**
   * The validator for the CRD on the classpath, read and compiled on first use and shared
   * afterwards (it is immutable). Fails if the CRD is missing or a rule is not valid standard CEL.
   */
  public static CrdValidator load() {
    CrdValidator validator = shared;
    if (validator == null) {
      synchronized (CrdValidator.class) {
        if (shared == null) {
          shared = read();
        }
        validator = shared;
      }
    }
    return validator;
  }

  private static CrdValidator read() {
    try (InputStream in = CrdValidator.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CRD_RESOURCE + " is not on the classpath; build the crds module");
      }
      return of(new ObjectMapper(new YAMLFactory()).readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CRD_RESOURCE, e);
    }
  }

  /** A validator for the given CRD (as a tree), for tests that vary the CRD. */
  static CrdValidator of(JsonNode crd) {
    return new CrdValidator(crd);
  }

  /** Everything the API server would refuse in this resource; empty when it would accept it. */
  public List<Violation> validate(JsonNode resource) {
    List<Violation> violations = new ArrayList<>();
    if (!resource.isObject()) {
      violations.add(
          new Violation(
              "", "a VirtualIP must be an object, got " + StructuralCheck.show(resource)));
      return violations;
    }
    checkIdentity(resource, violations);
    JsonNode defaulted = withDefaults(resource);
    StructuralCheck structural = new StructuralCheck();
    structural.check(schema, defaulted, "");
    violations.addAll(structural.violations());
    if (structural.blocking()) {
      violations.add(new Violation("", NOT_ALL_RULES_CHECKED));
    } else {
      rules.evaluate(schema, defaulted, "", violations);
    }
    return violations;
  }

  public List<Violation> validate(VirtualIP resource) {
    return validate(SERIALIZATION.convertValue(resource, JsonNode.class));
  }

  /** A copy with nulls dropped and schema defaults filled in, as the API server stores it. */
  public JsonNode withDefaults(JsonNode resource) {
    JsonNode copy = resource.deepCopy();
    SchemaDefaults.apply(schema, copy);
    return copy;
  }

  /** A copy of the resource as the API server would store it: every defaulted field set. */
  public VirtualIP withDefaults(VirtualIP resource) {
    return SERIALIZATION.convertValue(
        withDefaults(SERIALIZATION.convertValue(resource, JsonNode.class)), VirtualIP.class);
  }

  /** Number of CEL rules compiled from the CRD. */
  public int ruleCount() {
    return rules.all().size();
  }

  private static String shown(JsonNode value) {
    return value == null ? "nothing" : StructuralCheck.show(value);
  }

  private static void checkIdentity(JsonNode resource, List<Violation> violations) {
    String apiVersion = VirtualIP.GROUP + "/" + VirtualIP.VERSION;
    if (!apiVersion.equals(resource.path("apiVersion").asText())) {
      violations.add(
          new Violation(
              "apiVersion",
              "must be " + apiVersion + ", got " + shown(resource.get("apiVersion"))));
    }
    if (!"VirtualIP".equals(resource.path("kind").asText())) {
      violations.add(
          new Violation("kind", "must be VirtualIP, got " + shown(resource.get("kind"))));
    }
    JsonNode name = resource.path("metadata").path("name");
    if (name.asText("").isEmpty()) {
      violations.add(new Violation("metadata.name", "is required: every VirtualIP needs a name"));
    } else if (!name.isTextual()) {
      violations.add(new Violation("metadata.name", "must be a string, got " + shown(name)));
    } else if (name.asText().length() > MAX_NAME_LENGTH
        || !DNS_SUBDOMAIN.matcher(name.asText()).matches()) {
      // What the API server checks for every object's name; the name is cut and escaped here
      // because it ends up in
      // logs, where a newline or an escape sequence would forge lines.
      violations.add(
          new Violation(
              "metadata.name",
              "'"
                  + Printable.of(name.asText(), 63)
                  + "' ("
                  + name.asText().length()
                  + " characters) is not a DNS subdomain: at most "
                  + MAX_NAME_LENGTH
                  + " lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"));
    }
  }
}
