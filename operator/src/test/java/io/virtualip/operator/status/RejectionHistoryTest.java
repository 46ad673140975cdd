package io.virtualip.operator.status;

import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.NodeStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RejectionHistoryTest {

  private static NodeStatus report(String updated, long authMismatches) {
    return entry("a", Master, "192.0.2.1", 100).toBuilder()
        .updated(updated)
        .rejected(Map.of("AUTH_MISMATCH", authMismatches))
        .build();
  }

  @Test
  void baselineIsThePreviousReportNotThePreviousReconcile() {
    RejectionHistory history = new RejectionHistory();
    NodeStatus first = report("2026-11-26T10:00:00Z", 2);
    assertThat(history.baseline(List.of(first))).isEmpty();
    history.record(List.of(first));
    assertThat(history.baseline(List.of(first))).isEmpty();

    NodeStatus second = report("2026-11-26T10:00:01Z", 9);
    assertThat(history.baseline(List.of(second))).containsEntry("a", Map.of("AUTH_MISMATCH", 2L));
    history.record(List.of(second));
    // Reconciling again on the same report still compares with the report before it.
    history.record(List.of(second));
    assertThat(history.baseline(List.of(second))).containsEntry("a", Map.of("AUTH_MISMATCH", 2L));
    assertThat(
            SplitBrainDetector.growingRejections(
                second.rejected(), history.baseline(List.of(second)).get("a")))
        .containsExactly("AUTH_MISMATCH");
  }
}
