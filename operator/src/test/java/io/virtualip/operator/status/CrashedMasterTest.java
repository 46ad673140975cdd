package io.virtualip.operator.status;

import static io.virtualip.api.v1.NodeState.Backup;
import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.NOW;
import static io.virtualip.operator.status.Fixtures.entry;
import static io.virtualip.operator.status.Fixtures.facts;
import static io.virtualip.operator.status.Fixtures.renewed;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.operator.events.EventPlanner;
import io.virtualip.operator.events.PlannedEvent;
import io.virtualip.operator.vrid.VridDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11.5: a killed master's claim counts, unconfirmed, until another node claims or
 * Master_Down_Interval has passed, so a crash reads as one MasterChanged and never as NoMaster then
 * MasterElected. The operator's clock is the facts' {@code now}, stepped here by hand.
 */
class CrashedMasterTest {

  private static final VridDecision KEPT =
      new VridDecision(7, VridDecision.Outcome.KEPT, null, null);

  /**
   * Evaluates the facts at each moment in turn, as successive reconciles would, and collects the
   * events.
   */
  private static final class Timeline {
    final List<PlannedEvent> events = new ArrayList<>();
    final List<Aggregate> aggregates = new ArrayList<>();
    StatusView view = StatusView.NOTHING;
    List<Condition> conditions = null;
    String master = null;

    Aggregate at(Instant now, List<NodeStatus> entries, AgentLease... leases) {
      var f =
          facts()
              .entries(entries.toArray(NodeStatus[]::new))
              .leases(leases)
              .previous(conditions, null)
              .handover(master, null)
              .at(now);
      Aggregate a = StatusAggregator.aggregate(f.build());
      events.addAll(EventPlanner.plan(view, a, KEPT, entries));
      view = StatusView.of(a);
      conditions = a.conditions();
      master = a.master();
      aggregates.add(a);
      return a;
    }
  }

  @Test
  void aCrashedMasterReadsAsOneMasterChangedWithNoNoMasterInBetween() {
    Timeline t = new Timeline();
    // n1 is master; its agent renews its Lease at NOW and is then killed. n2 and n3 keep renewing.
    List<NodeStatus> before =
        List.of(
            entry("n1", Master, "192.0.2.1", 150),
            entry("n2", Backup, "192.0.2.2", 100),
            entry("n3", Backup, "192.0.2.3", 100));
    for (int ms = 0; ms <= 4_400; ms += 100) {
      Instant now = NOW.plusMillis(ms);
      Aggregate a = t.at(now, before, renewed("n1", NOW), renewed("n2", now), renewed("n3", now));
      assertThat(a.master()).as("at +%d ms", ms).isEqualTo("n1");
      assertThat(a.condition(Conditions.READY).orElseThrow().getReason())
          .as("at +%d ms", ms)
          .isEqualTo("MasterElected");
    }
    Aggregate silent = t.aggregates.get(25); // +2.5 s
    assertThat(silent.condition(Conditions.READY).orElseThrow().getMessage())
        .isEqualTo(
            "n1 holds 192.0.2.10/24 (unconfirmed: its agent last renewed its Lease at "
                + NOW
                + "; if the node is down a backup takes over within Master_Down_Interval).");
    // The same message while the silence lasts: no status write per second of it.
    assertThat(t.aggregates.get(39).condition(Conditions.READY).orElseThrow().getMessage())
        .isEqualTo(silent.condition(Conditions.READY).orElseThrow().getMessage());
    Aggregate leaseExpired =
        t.aggregates.get(44); // +4.4 s: AgentDown on time, but the claim still counts
    assertThat(leaseExpired.agentDown()).containsExactly("n1");
    assertThat(leaseExpired.master()).isEqualTo("n1");

    // n2 takes over (Master_Down_Interval after n1's last advert) and its entry arrives.
    Instant takeover = NOW.plusMillis(4_500);
    List<NodeStatus> after =
        List.of(
            entry("n1", Master, "192.0.2.1", 150),
            entry("n2", Master, "192.0.2.2", 100),
            entry("n3", Backup, "192.0.2.3", 100));
    Aggregate a =
        t.at(takeover, after, renewed("n1", NOW), renewed("n2", takeover), renewed("n3", takeover));
    assertThat(a.master()).isEqualTo("n2");
    assertThat(a.splitBrain()).isEmpty();

    assertThat(t.events)
        .extracting(PlannedEvent::reason)
        .containsExactly("MasterElected", "AgentDown", "MasterChanged");
    assertThat(t.events.get(2).message()).isEqualTo("Master moved from n1 to n2.");
  }

  @Test
  void withNoTakeoverNoMasterIsTrueOnceMasterDownIntervalHasPassed() {
    Timeline t = new Timeline();
    List<NodeStatus> entries =
        List.of(
            entry("n1", Master, "192.0.2.1", 150),
            entry("n2", Backup, "192.0.2.2", 100),
            entry("n3", Backup, "192.0.2.3", 100));
    // The last renewal, plus the 1 s renewal period, plus Master_Down_Interval of n2 (priority 100,
    // 1 s adverts: 3 s + 156/256 s), plus the 500 ms handover grace for the new master's write.
    Instant deadline =
        NOW.plusSeconds(1).plusSeconds(3).plusNanos(156_000_000_000L / 256).plusMillis(500);
    Aggregate justBefore =
        t.at(
            NOW.plusMillis(100),
            entries,
            renewed("n1", NOW),
            renewed("n2", NOW),
            renewed("n3", NOW));
    assertThat(justBefore.master()).isEqualTo("n1");
    Aggregate stillCounted =
        t.at(
            deadline.minusMillis(1),
            entries,
            renewed("n1", NOW),
            renewed("n2", deadline),
            renewed("n3", deadline));
    assertThat(stillCounted.master()).isEqualTo("n1");
    assertThat(stillCounted.recheckAt()).contains(deadline);
    Aggregate gone =
        t.at(
            deadline,
            entries,
            renewed("n1", NOW),
            renewed("n2", deadline),
            renewed("n3", deadline));
    assertThat(gone.master()).isNull();
    assertThat(gone.condition(Conditions.READY).orElseThrow().getReason()).isEqualTo("NoMaster");
    assertThat(t.events)
        .extracting(PlannedEvent::reason)
        .containsExactly("MasterElected", "AgentDown", "NoMaster");
  }

  @Test
  void aSilentClaimNeverMakesASplitBrainAndAnotherClaimEndsItAtOnce() {
    // n1 silent for 2.1 s, n2 claims: n2 is master at once, with no handover grace and no split
    // brain.
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Master, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(
                    renewed("n1", NOW.minusMillis(2100)), renewed("n2", NOW), renewed("n3", NOW))
                .handover("n1", null)
                .build());
    assertThat(a.master()).isEqualTo("n2");
    assertThat(a.splitBrain()).isEmpty();
    assertThat(a.multiMasterSince()).isEmpty();
  }
}
