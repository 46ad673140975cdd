package io.virtualip.api.v1.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CRD's {@code x-kubernetes-validations}, compiled once with dev.cel and evaluated the way the
 * API server does: each rule with {@code self} bound to the value at its schema node, only where
 * that value is present.
 *
 * <p>Only standard CEL is available (with its macros {@code has}, {@code all}, {@code exists},
 * {@code exists_one}, {@code map}, {@code filter}), so a rule that compiles here uses nothing
 * Kubernetes-specific. {@code self} is declared {@code dyn}: the API server type-checks rules
 * against the schema, this checker does not.
 */
final class CelRules {
  /**
   * As in cel-go, which the API server runs: {@code matches} finds the pattern anywhere unless it
   * is anchored.
   */
  private static final CelOptions OPTIONS =
      CelOptions.current().enableRegexPartialMatch(true).build();

  private static final CelCompiler RULE_COMPILER = compiler(SimpleType.BOOL);
  private static final CelCompiler MESSAGE_COMPILER = compiler(SimpleType.STRING);
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  /** Property names CEL reserves; Kubernetes exposes such a property as {@code __name__}. */
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private static final Pattern ACCESSIBLE = Pattern.compile("^[a-zA-Z_.\\-/][a-zA-Z0-9_.\\-/]*$");

  /** A compiled rule; {@code messageProgram} is null when the rule has only a fixed message. */
  record Rule(
      String expression,
      String message,
      String fieldPath,
      CelRuntime.Program program,
      CelRuntime.Program messageProgram) {}

  /**
   * Keyed by schema node identity: the same subschema text may appear at two places with different
   * meaning.
   */
  private final Map<JsonNode, List<Rule>> rulesBySchema = new IdentityHashMap<>();

  CelRules(JsonNode rootSchema) {
    collect(rootSchema);
  }

  List<Rule> all() {
    return rulesBySchema.values().stream().flatMap(List::stream).toList();
  }

  private void collect(JsonNode schema) {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      String messageExpression = rule.path("messageExpression").asText("");
      rules.add(
          new Rule(
              expression,
              rule.path("message").asText("failed rule: " + expression),
              rule.path("fieldPath").asText(""),
              compile(RULE_COMPILER, expression),
              messageExpression.isEmpty() ? null : compile(MESSAGE_COMPILER, messageExpression)));
    }
    if (!rules.isEmpty()) {
      rulesBySchema.put(schema, List.copyOf(rules));
    }
    schema.path("properties").forEach(this::collect);
    if (schema.has("items")) {
      collect(schema.get("items"));
    }
    if (schema.path("additionalProperties").isObject()) {
      collect(schema.get("additionalProperties"));
    }
  }

  private static CelCompiler compiler(CelType resultType) {
    return CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVar("self", SimpleType.DYN)
        .setResultType(resultType)
        .build();
  }

  private static CelRuntime.Program compile(CelCompiler compiler, String expression) {
    try {
      CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
      return RUNTIME.createProgram(ast);
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalStateException(
          "CRD rule does not compile as standard CEL: " + expression + "\n" + e.getMessage(), e);
    }
  }

  /**
   * Evaluates every rule under {@code schema} for {@code value} at {@code path}, adding failures to
   * {@code out}.
   */
  void evaluate(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    List<Rule> rules = rulesBySchema.getOrDefault(schema, List.of());
    Map<String, Object> variables =
        rules.isEmpty() ? Map.of() : Map.of("self", toCel(schema, value));
    for (Rule rule : rules) {
      String field = path + rule.fieldPath();
      try {
        if (!Boolean.TRUE.equals(rule.program().eval(variables))) {
          out.add(new Violation(field, message(rule, variables)));
        }
      } catch (CelEvaluationException e) {
        out.add(
            new Violation(
                field,
                rule.message() + " (the rule could not be evaluated: " + e.getMessage() + ")"));
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    if (value.isObject()) {
      value
          .fields()
          .forEachRemaining(
              field -> {
                JsonNode fieldSchema =
                    properties.has(field.getKey()) ? properties.get(field.getKey()) : additional;
                if (fieldSchema.isObject()) {
                  evaluate(
                      fieldSchema,
                      field.getValue(),
                      StructuralCheck.join(path, field.getKey()),
                      out);
                }
              });
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        evaluate(schema.get("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  /**
   * Like the API server: the messageExpression's text when it evaluates to a non-empty string, else
   * message.
   */
  private static String message(Rule rule, Map<String, Object> variables) {
    if (rule.messageProgram() != null) {
      try {
        Object text = rule.messageProgram().eval(variables);
        if (text instanceof String s && !s.isBlank()) {
          return s;
        }
      } catch (CelEvaluationException e) {
        // fall back to the fixed message, as the API server does
      }
    }
    return rule.message();
  }

  /**
   * JSON as CEL sees it in Kubernetes: objects as maps with escaped property names, integers as int
   * (Long).
   */
  private static Object toCel(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      JsonNode properties = schema == null ? null : schema.get("properties");
      Map<String, Object> map = new LinkedHashMap<>();
      value
          .fields()
          .forEachRemaining(
              field -> {
                JsonNode fieldSchema =
                    properties != null
                        ? properties.get(field.getKey())
                        : schema == null ? null : schema.get("additionalProperties");
                String name = properties != null ? escape(field.getKey()) : field.getKey();
                if (name != null) {
                  map.put(name, toCel(fieldSchema, field.getValue()));
                }
              });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(toCel(schema == null ? null : schema.get("items"), item)));
      return list;
    }
    if (value.isIntegralNumber()) {
      return value.longValue();
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    return value.asText();
  }

  /**
   * Kubernetes' escaping of property names for CEL (apiserver/pkg/cel/escaping.go); null if not
   * accessible.
   */
  static String escape(String name) {
    if (RESERVED.contains(name)) {
      return "__" + name + "__";
    }
    if (!ACCESSIBLE.matcher(name).matches()) {
      return null;
    }
    return name.replace("__", "__underscores__")
        .replace(".", "__dot__")
        .replace("-", "__dash__")
        .replace("/", "__slash__");
  }
}
