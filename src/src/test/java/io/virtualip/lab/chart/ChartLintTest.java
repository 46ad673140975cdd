package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ChartLintTest {

  @Test
  void helmLintStrictPassesWithoutWarnings() {
    LintResult lint = Chart.lintStrict();

    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    // Strict lint fails on warnings already; also keep out errors that helm reports without
    // failing.
    assertThat(lint.getMessages())
        .noneMatch(message -> message.startsWith("[WARNING]") || message.startsWith("[ERROR]"));
  }

  @Test
  void chartCrdIsTheCommittedCrd() throws IOException {
    assertThat(Chart.directory().resolve("crds/virtualips.virtualip.io-v1.yml"))
        .as(
            "helm/virtualip-operator/crds/ must be a copy of crds/virtualips.virtualip.io-v1.yml; copy it over")
        .hasSameTextualContentAs(
            Chart.repositoryRoot().resolve("crds/virtualips.virtualip.io-v1.yml"));
    try (var files = Files.list(Chart.directory().resolve("crds"))) {
      assertThat(files).as("only the VirtualIP CRD in the chart's crds/").hasSize(1);
    }
  }

  @Test
  void notesShowHowToListVirtualIps() throws IOException {
    assertThat(Files.readString(Chart.directory().resolve("templates/NOTES.txt")))
        .contains("kubectl get vip");
  }
}
