package io.virtualip.api.v1.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.api.v1.VirtualIP;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterColumnOrderTest {
  /**
   * Two versions, columns sorted by jsonPath as fabric8 writes them, with a folded line and a
   * trailing newline.
   */
  private static final String GENERATED =
      """
      spec:
        versions:
        - additionalPrinterColumns:
          - jsonPath: ".metadata.creationTimestamp"
            name: "AGE"
            type: "date"
          - description: "a long description that the generator folded\\
              \\ onto a second line"
            jsonPath: ".status.master"
            name: "MASTER"
            type: "string"
          name: "v1"
          served: true
        - additionalPrinterColumns:
          - jsonPath: ".metadata.creationTimestamp"
            name: "AGE"
            type: "date"
          - jsonPath: ".status.master"
            name: "MASTER"
            type: "string"
          name: "v2"
      """;

  @Test
  void movesWholeItemsIntoTheDeclaredOrderAndKeepsEverythingElse() {
    String reordered = PrinterColumnOrder.reorder(GENERATED, List.of("MASTER", "AGE"));
    assertThat(reordered)
        .isEqualTo(
            """
        spec:
          versions:
          - additionalPrinterColumns:
            - description: "a long description that the generator folded\\
                \\ onto a second line"
              jsonPath: ".status.master"
              name: "MASTER"
              type: "string"
            - jsonPath: ".metadata.creationTimestamp"
              name: "AGE"
              type: "date"
            name: "v1"
            served: true
          - additionalPrinterColumns:
            - jsonPath: ".status.master"
              name: "MASTER"
              type: "string"
            - jsonPath: ".metadata.creationTimestamp"
              name: "AGE"
              type: "date"
            name: "v2"
        """);
    assertThat(PrinterColumnOrder.reorder(GENERATED, List.of("AGE", "MASTER")))
        .isEqualTo(GENERATED);
  }

  @Test
  void aColumnWithoutADeclaredPlaceStopsTheBuild() {
    assertThatThrownBy(() -> PrinterColumnOrder.reorder(GENERATED, List.of("AGE")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("printer column MASTER is not declared");
  }

  @Test
  void theOrderIsTheOrderOfTheAnnotationsOnTheClass() {
    assertThat(PrinterColumnOrder.declaredOrder(VirtualIP.class))
        .containsExactly("ADDRESSES", "VRID", "MASTER", "READY", "SPLIT-BRAIN", "AGE");
  }
}
