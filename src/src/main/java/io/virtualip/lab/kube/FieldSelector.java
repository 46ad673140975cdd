package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes field selector ({@code involvedObject.name=vip,involvedObject.namespace=}) applied
 * to stored objects. The mock only knows {@code metadata.name} and {@code metadata.namespace};
 * {@code kubectl describe} finds a resource's Events with {@code involvedObject.*} fields, and the
 * agent lists its node's pods by {@code spec.nodeName}.
 *
 * @param terms the {@code path=value} and {@code path!=value} terms, all of which must hold
 */
record FieldSelector(List<Term> terms) {

  /** One term; an absent field compares as the empty string, as on a real API server. */
  record Term(String path, String value, boolean equal) {
    boolean matches(JsonNode object) {
      JsonNode node = object;
      for (String part : path.split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      String actual = node == null || node.isNull() ? "" : node.asText();
      return actual.equals(value) == equal;
    }
  }

  /** Parses the decoded selector text; {@code ==} is the same as {@code =}. */
  static FieldSelector parse(String text) {
    List<Term> terms = new ArrayList<>();
    for (String term : text.split(",")) {
      if (term.isBlank()) {
        continue;
      }
      int not = term.indexOf("!=");
      if (not >= 0) {
        terms.add(new Term(term.substring(0, not).trim(), term.substring(not + 2).trim(), false));
        continue;
      }
      int eq = term.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("field selector term without '=': " + term);
      }
      String value =
          term.substring(eq + 1).startsWith("=") ? term.substring(eq + 2) : term.substring(eq + 1);
      terms.add(new Term(term.substring(0, eq).trim(), value.trim(), true));
    }
    return new FieldSelector(List.copyOf(terms));
  }

  boolean matches(JsonNode object) {
    return terms.stream().allMatch(t -> t.matches(object));
  }
}
