package io.virtualip.api.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.validation.CrdValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD committed for people and tools (kubectl apply, Helm) is exactly the one the build
 * generates.
 */
class CrdFileTest {
  static final Path COMMITTED = Path.of("virtualips.virtualip.io-v1.yml");

  @Test
  void committedCrdEqualsTheGeneratedOne() throws IOException {
    String generated;
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream(CrdValidator.CRD_RESOURCE)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String committed = Files.readString(COMMITTED);

    assertThat(firstDifference(committed, generated))
        .as(
            "crds/%s differs from the CRD generated from the model. Regenerate and commit it:%n"
                + "  mvn -B -q -pl crds process-classes && cp crds/target/classes/%s crds/%s%n",
            COMMITTED, CrdValidator.CRD_RESOURCE, COMMITTED)
        .isEmpty();
  }

  /**
   * The first line that differs, as "line N: committed ... / generated ...", or empty when the
   * texts are equal.
   */
  static String firstDifference(String committed, String generated) {
    List<String> a = committed.lines().toList();
    List<String> b = generated.lines().toList();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      String left = i < a.size() ? a.get(i) : "<end of file>";
      String right = i < b.size() ? b.get(i) : "<end of file>";
      if (!left.equals(right)) {
        return "line " + (i + 1) + ": committed [" + left + "] generated [" + right + "]";
      }
    }
    return committed.equals(generated) ? "" : "line endings differ";
  }
}
