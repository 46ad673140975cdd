package io.virtualip.operator.events;

import static io.virtualip.api.v1.NodeState.Backup;
import static io.virtualip.api.v1.NodeState.Fault;
import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.entry;
import static io.virtualip.operator.status.Fixtures.expired;
import static io.virtualip.operator.status.Fixtures.facts;
import static io.virtualip.operator.status.Fixtures.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.NodeStatus;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.operator.status.Facts;
import io.virtualip.operator.status.StatusAggregator;
import io.virtualip.operator.status.StatusView;
import io.virtualip.operator.vrid.VridDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPlannerTest {
  private static final VridDecision KEPT =
      new VridDecision(7, VridDecision.Outcome.KEPT, null, null);

  private static List<String> reasons(StatusView before, Facts after) {
    Aggregate a = StatusAggregator.aggregate(after);
    return EventPlanner.plan(before, a, after.vrid(), after.entries()).stream()
        .map(PlannedEvent::reason)
        .toList();
  }

  private static StatusView view(Facts f) {
    return StatusView.of(StatusAggregator.aggregate(f));
  }

  private static final Facts N1_MASTER =
      facts()
          .entries(entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
          .leases(live("n1"), live("n2"))
          .build();
  private static final Facts N2_MASTER =
      facts()
          .entries(entry("n1", Backup, "192.0.2.1", 150), entry("n2", Master, "192.0.2.2", 100))
          .leases(live("n1"), live("n2"))
          .build();
  private static final Facts BOTH_MASTER =
      facts()
          .entries(entry("n1", Master, "192.0.2.1", 150), entry("n2", Master, "192.0.2.2", 100))
          .leases(live("n1"), live("n2"))
          .build();
  private static final Facts NONE =
      facts()
          .entries(entry("n1", Backup, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
          .leases(live("n1"), live("n2"))
          .build();

  @Test
  void masterTransitions() {
    assertThat(reasons(view(NONE), N1_MASTER)).containsExactly("MasterElected");
    assertThat(reasons(view(N1_MASTER), N2_MASTER)).containsExactly("MasterChanged");
    assertThat(reasons(view(N1_MASTER), NONE)).containsExactly("NoMaster");
    assertThat(reasons(view(N1_MASTER), N1_MASTER)).isEmpty();
  }

  @Test
  void splitBrainOnceThenResolved() {
    assertThat(reasons(view(N1_MASTER), BOTH_MASTER)).containsExactly("SplitBrain");
    assertThat(reasons(view(BOTH_MASTER), BOTH_MASTER)).isEmpty();
    assertThat(reasons(view(BOTH_MASTER), N1_MASTER))
        .containsExactly("SplitBrainResolved", "MasterElected");
  }

  @Test
  void agentDownOncePerNode() {
    Facts down =
        facts()
            .entries(entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
            .leases(expired("n1"), live("n2"))
            .build();
    assertThat(reasons(view(N1_MASTER), down)).containsExactly("NoMaster", "AgentDown");
    assertThat(reasons(view(down), down)).isEmpty();
  }

  @Test
  void interfaceMissingOncePerNode() {
    NodeStatus missing =
        entry("n2", Fault, "192.0.2.2", 100).toBuilder()
            .reason("interface eth1 not found") // the agent's wording
            .reasonCode("InterfaceMissing")
            .build();
    Facts f =
        facts()
            .entries(entry("n1", Master, "192.0.2.1", 150), missing)
            .leases(live("n1"), live("n2"))
            .build();
    Aggregate a = StatusAggregator.aggregate(f);
    List<PlannedEvent> events = EventPlanner.plan(view(N1_MASTER), a, KEPT, f.entries());
    assertThat(events)
        .containsExactly(PlannedEvent.warning("InterfaceMissing", "n2: interface eth1 not found"));
    assertThat(reasons(view(f), f)).isEmpty();
  }

  @Test
  void theOperatorDecidesOnTheFaultCodeNeverOnTheWords() {
    NodeStatus wordsOnly =
        entry("n2", Fault, "192.0.2.2", 100).toBuilder()
            .reason("interface eth1 not found") // an agent's words without a code: another fault
            .build();
    NodeStatus codeOnly =
        entry("n2", Fault, "192.0.2.2", 100).toBuilder()
            .reason("the link went away") // any wording: the code decides
            .reasonCode("InterfaceMissing")
            .build();
    Facts words =
        facts()
            .entries(entry("n1", Master, "192.0.2.1", 150), wordsOnly)
            .leases(live("n1"), live("n2"))
            .build();
    Facts code =
        facts()
            .entries(entry("n1", Master, "192.0.2.1", 150), codeOnly)
            .leases(live("n1"), live("n2"))
            .build();
    assertThat(reasons(view(N1_MASTER), words)).doesNotContain("InterfaceMissing");
    assertThat(reasons(view(N1_MASTER), code)).contains("InterfaceMissing");
  }

  @Test
  void vridEvents() {
    Facts conflict =
        facts().vrid(new VridDecision(null, VridDecision.Outcome.CONFLICT, "older", 7)).build();
    assertThat(reasons(StatusView.NOTHING, conflict)).containsExactly("VRIDConflict");
    assertThat(reasons(view(conflict), conflict)).isEmpty();
    Facts allocated =
        facts().vrid(new VridDecision(3, VridDecision.Outcome.ALLOCATED, null, null)).build();
    assertThat(reasons(StatusView.NOTHING, allocated)).containsExactly("VRIDAllocated");
  }

  @Test
  void storedStatusStandsInAfterARestart() {
    Aggregate a = StatusAggregator.aggregate(N1_MASTER);
    var status =
        io.virtualip.api.v1.VirtualIPStatus.EMPTY
            .withMaster(a.master())
            .withConditions(a.conditions())
            .withNodes(N1_MASTER.entries());
    assertThat(StatusView.stored(status)).isEqualTo(StatusView.of(a));
  }
}
