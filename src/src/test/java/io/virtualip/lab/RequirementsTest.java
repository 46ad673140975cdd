package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequirementsTest {

    @Test
    void aMissingRequirementSkipsOnADevelopersMachine() {
        assertThatThrownBy(() -> Requirements.require(false, "needs tshark", Map.of()))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("needs tshark");
    }

    @Test
    void aMissingRequirementFailsWhereTheyAreRequired() {
        assertThatThrownBy(() -> Requirements.require(false, "needs tshark", Map.of(Requirements.STRICT, "1")))
                .isInstanceOf(AssertionFailedError.class).hasMessageContaining("needs tshark");
    }

    @Test
    void aMetRequirementDoesNothing() {
        assertThatCode(() -> Requirements.require(true, "needs tshark", Map.of(Requirements.STRICT, "1"))).doesNotThrowAnyException();
    }
}
