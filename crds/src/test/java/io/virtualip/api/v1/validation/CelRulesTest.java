package io.virtualip.api.v1.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The evaluator behaves like the API server's CEL where the CRD's rules could tell the difference.
 */
class CelRulesTest {

  /** A one-field CRD whose spec carries the given rule. */
  private static CrdValidator crdWithRule(String field, String rule) throws Exception {
    return CrdValidator.of(
        ValidationTest.YAML.readTree(
            """
        spec:
          versions:
            - schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        %s: {type: string, maxLength: 64}
                      x-kubernetes-validations:
                        - rule: "%s"
                          message: refused
        """
                .formatted(field, rule)));
  }

  private static JsonNode resource(String field, String value) {
    return ValidationTest.virtualIp("{" + field + ": " + value + "}");
  }

  @Test
  void matchesFindsUnanchoredPatternsAnywhereAsCelGoDoes() throws Exception {
    CrdValidator validator = crdWithRule("name", "self.name.matches('b+')");

    assertThat(validator.validate(resource("name", "abbc"))).isEmpty();
    assertThat(validator.validate(resource("name", "ac")))
        .containsExactly(new Violation("spec", "refused"));
  }

  @Test
  void reservedPropertyNamesAreEscapedAsKubernetesDoes() throws Exception {
    CrdValidator validator = crdWithRule("namespace", "self.__namespace__ == 'web'");

    assertThat(validator.validate(resource("namespace", "web"))).isEmpty();
    assertThat(validator.validate(resource("namespace", "db")))
        .containsExactly(new Violation("spec", "refused"));
  }

  @Test
  void durationsCompareAcrossUnits() throws Exception {
    CrdValidator validator = crdWithRule("interval", "duration(self.interval) == duration('1s')");

    assertThat(validator.validate(resource("interval", "1000ms"))).isEmpty();
    assertThat(validator.validate(resource("interval", "0.5s"))).hasSize(1);
  }

  @Test
  void aRuleOutsideStandardCelIsRefusedWhenLoaded() {
    // isCIDR() is a Kubernetes library function: a rule using it would pass the API server but not
    // this checker, so the CRD must not use it.
    assertThatThrownBy(() -> crdWithRule("address", "isCIDR(self.address)"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not compile as standard CEL");
  }
}
