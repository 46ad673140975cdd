package io.virtualip.operator.reconciler;

import static io.virtualip.api.v1.NodeState.Backup;
import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.entry;
import static io.virtualip.operator.status.Fixtures.facts;
import static io.virtualip.operator.status.Fixtures.live;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.operator.status.StatusAggregator;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class StatusPatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<NodeStatus> ENTRIES =
      List.of(entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100));
  private static final Aggregate N1_MASTER =
      StatusAggregator.aggregate(
          facts()
              .selected("n1", "n2")
              .entries(ENTRIES.toArray(NodeStatus[]::new))
              .leases(live("n1"), live("n2"))
              .build());

  private static VirtualIP stored(Aggregate written) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName("vip");
    vip.getMetadata().setGeneration(3L);
    vip.setStatus(StatusPatch.firstStatus(written, 3L).withNodes(ENTRIES));
    return vip;
  }

  private static List<String> paths(ArrayNode ops) {
    return StreamSupport.stream(ops.spliterator(), false)
        .map(op -> op.get("op").asText() + " " + op.get("path").asText())
        .toList();
  }

  @Test
  void nothingToWriteWhenTheStoredStatusSaysItAlready() {
    assertThat(StatusPatch.operatorFields(stored(N1_MASTER), N1_MASTER, 3L, JSON)).isEmpty();
  }

  @Test
  void writesOnlyTheChangedOperatorFieldsAndNeverTheNodes() {
    Aggregate noMaster =
        StatusAggregator.aggregate(
            facts()
                .selected("n1", "n2")
                .entries(
                    entry("n1", Backup, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
                .leases(live("n1"), live("n2"))
                .build());
    ArrayNode ops = StatusPatch.operatorFields(stored(N1_MASTER), noMaster, 4L, JSON).orElseThrow();

    assertThat(paths(ops))
        .containsExactly(
            "add /status/observedGeneration", "add /status/master", "add /status/conditions");
    assertThat(ops.get(1).get("value").isNull())
        .isTrue(); // cleared by null, which cannot fail like remove
    assertThat(ops.toString()).doesNotContain("/status/nodes").doesNotContain("\"nodes\"");
  }

  @Test
  void theFirstStatusCarriesNoNodes() {
    assertThat(JSON.valueToTree(StatusPatch.firstStatus(N1_MASTER, 3L)).has("nodes")).isFalse();
  }

  @Test
  void markingUnknownIsGuardedByTheEntrysNameAndUpdatedStamp() {
    NodeStatus entry = ENTRIES.get(0);
    ArrayNode ops =
        StatusPatch.markUnknown(
            0, entry, "AgentDown: the agent's Lease expired; last state Master");
    assertThat(paths(ops))
        .containsExactly(
            "test /status/nodes/0/name",
            "test /status/nodes/0/updated",
            "add /status/nodes/0/state",
            "add /status/nodes/0/reason");
    JsonNode updated = ops.get(1).get("value");
    assertThat(updated.asText()).isEqualTo(entry.updated());
    assertThat(ops.get(2).get("value").asText()).isEqualTo("Unknown");
  }
}
