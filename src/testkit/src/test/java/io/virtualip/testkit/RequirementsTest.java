package io.virtualip.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequirementsTest {

  @Test
  void aMissingRequirementSkipsOnADevelopersMachine() {
    assertThatThrownBy(
            () -> Requirements.require(false, "needs tshark", Requirements.STRICT_ROOT, Map.of()))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("needs tshark");
  }

  @Test
  void aMissingRequirementFailsWhereTheyAreRequired() {
    assertThatThrownBy(
            () ->
                Requirements.require(
                    false,
                    "needs tshark",
                    Requirements.STRICT_ROOT,
                    Map.of(Requirements.STRICT_ROOT, "1")))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("needs tshark");
  }

  @Test
  void onlyItsOwnVariableMakesItStrict() {
    assertThatThrownBy(
            () ->
                Requirements.require(
                    false,
                    "needs kube-apiserver",
                    Requirements.STRICT_KUBE_API,
                    Map.of(Requirements.STRICT_ROOT, "1")))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void aMetRequirementDoesNothing() {
    assertThatCode(
            () ->
                Requirements.require(
                    true,
                    "needs tshark",
                    Requirements.STRICT_ROOT,
                    Map.of(Requirements.STRICT_ROOT, "1")))
        .doesNotThrowAnyException();
  }
}
