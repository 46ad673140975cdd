package io.virtualip.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Printer columns evaluated as the API server's table convertor does, for the JSONPaths our CRD
 * uses.
 */
class PrinterColumnTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode vip(Instant created) throws Exception {
    return JSON.readTree(
        """
                {"metadata": {"name": "seed-vi-1", "creationTimestamp": "%s"},
                 "spec": {"addresses": ["192.0.2.100/24", "192.0.2.101/24"]},
                 "status": {"virtualRouterId": 51, "master": "n1",
                            "conditions": [{"type": "Ready", "status": "True"}, {"type": "SplitBrain", "status": "False"}]}}
                """
            .formatted(created));
  }

  @Test
  void cellsOfTheVirtualIpColumns() throws Exception {
    JsonNode vip = vip(Instant.now().minusSeconds(300));
    assertThat(new PrinterColumn("ADDRESSES", "string", ".spec.addresses").cell(vip).asText())
        .isEqualTo("[\"192.0.2.100/24\",\"192.0.2.101/24\"]");
    assertThat(new PrinterColumn("VRID", "integer", ".status.virtualRouterId").cell(vip).asInt())
        .isEqualTo(51);
    assertThat(new PrinterColumn("MASTER", "string", ".status.master").cell(vip).asText())
        .isEqualTo("n1");
    assertThat(
            new PrinterColumn("READY", "string", ".status.conditions[?(@.type==\"Ready\")].status")
                .cell(vip)
                .asText())
        .isEqualTo("True");
    assertThat(
            new PrinterColumn(
                    "SPLIT-BRAIN", "string", ".status.conditions[?(@.type==\"SplitBrain\")].status")
                .cell(vip)
                .asText())
        .isEqualTo("False");
    assertThat(new PrinterColumn("FIRST", "string", ".spec.addresses[1]").cell(vip).asText())
        .isEqualTo("192.0.2.101/24");
    assertThat(new PrinterColumn("AGE", "date", ".metadata.creationTimestamp").cell(vip).asText())
        .isEqualTo("5m");
  }

  @Test
  void nothingFoundIsAnEmptyCell() throws Exception {
    JsonNode bare = JSON.readTree("{\"metadata\": {\"name\": \"x\"}}");
    assertThat(new PrinterColumn("MASTER", "string", ".status.master").cell(bare).isNull())
        .isTrue();
    assertThat(
            new PrinterColumn("READY", "string", ".status.conditions[?(@.type==\"Ready\")].status")
                .cell(bare)
                .isNull())
        .isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "0,0s",
    "119,119s",
    "120,2m",
    "125,2m5s",
    "600,10m",
    "10799,179m",
    "10800,3h",
    "11100,3h5m",
    "28800,8h",
    "172800,2d",
    "176400,2d1h",
    "691200,8d",
    "63072000,2y",
    "63158400,2y1d",
    "252460800,8y"
  })
  void agesAsKubernetesPrintsThem(long seconds, String expected) {
    assertThat(PrinterColumn.humanDuration(Duration.ofSeconds(seconds))).isEqualTo(expected);
  }
}
