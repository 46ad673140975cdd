package io.virtualip.operator.status;

import static io.virtualip.api.v1.NodeState.Backup;
import static io.virtualip.api.v1.NodeState.Fault;
import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.NOW;
import static io.virtualip.operator.status.Fixtures.entry;
import static io.virtualip.operator.status.Fixtures.expired;
import static io.virtualip.operator.status.Fixtures.facts;
import static io.virtualip.operator.status.Fixtures.hears;
import static io.virtualip.operator.status.Fixtures.live;
import static io.virtualip.operator.status.Fixtures.renewed;
import static io.virtualip.operator.status.Fixtures.renewedAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.operator.vrid.VridDecision;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusAggregatorTest {

  /** One row: facts, then expected master, Ready, SplitBrain and Degraded as "status/reason". */
  static Stream<Arguments> table() {
    return Stream.of(
        row(
            "one master, two backups",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "two live masters: split brain, no master",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Master, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3")),
            null,
            "False/SplitBrain",
            "True/MultipleMasters",
            "False/Healthy"),
        row(
            "stale entry of a dead master next to a live master is no split brain",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Master, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(expired("n1"), live("n2"), live("n3")),
            "n2",
            "False/NodesNotReporting",
            "False/AtMostOneMaster",
            "True/AgentDown"),
        row(
            "killed master: Lease still live but not renewed, new master: no split brain",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Master, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(renewed("n1", NOW.minusMillis(3600)), live("n2"), live("n3")),
            "n2",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "two claims of agents renewing their Leases are a split brain",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Master, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(renewed("n1", NOW.minusMillis(1900)), renewed("n2", NOW), live("n3")),
            null,
            "False/SplitBrain",
            "True/MultipleMasters",
            "False/Healthy"),
        row(
            "a master silent for the timeout is still master, unconfirmed (no backup took over yet)",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(renewed("n1", NOW.minusSeconds(2)), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "a silent master past its Lease but within Master_Down_Interval is still master, its agent down",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(renewed("n1", NOW.minusMillis(4500)), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "True/AgentDown"),
        row(
            "a silent master past Master_Down_Interval with no takeover: no master",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(renewed("n1", NOW.minusMillis(5200)), live("n2"), live("n3")),
            null,
            "False/NoMaster",
            "False/AtMostOneMaster",
            "True/AgentDown"),
        row(
            "an entry without any Lease counts as down",
            facts()
                .selected("n1", "n2")
                .entries(
                    entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
                .leases(live("n1")),
            "n1",
            "False/NodesNotReporting",
            "False/AtMostOneMaster",
            "True/AgentDown"),
        row(
            "fault node degrades",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Fault, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "True/NodesInFault"),
        row(
            "missing interface is named",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    withReason(entry("n3", Fault, "192.0.2.3", 100), "interface eth1 not found"))
                .leases(live("n1"), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "True/InterfaceMissing"),
        row(
            "no backup left",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150),
                    entry("n2", Fault, "192.0.2.2", 100),
                    entry("n3", Fault, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3")),
            "n1",
            "True/MasterElected",
            "False/AtMostOneMaster",
            "True/NodesInFault"),
        row(
            "nobody master",
            facts()
                .entries(
                    entry("n1", Backup, "192.0.2.1", 150),
                    entry("n2", Backup, "192.0.2.2", 100),
                    entry("n3", Backup, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3")),
            null,
            "False/NoMaster",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "selected node without an entry",
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
                .leases(live("n1"), live("n2")),
            "n1",
            "False/NodesNotReporting",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "VRID conflict",
            facts().vrid(new VridDecision(null, VridDecision.Outcome.CONFLICT, "older", 7)),
            null,
            "False/VRIDConflict",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "invalid spec",
            facts().violations("spec.addresses: 'x' is not an IP address with a prefix length"),
            null,
            "False/InvalidSpec",
            "False/AtMostOneMaster",
            "False/Healthy"),
        row(
            "no nodes selected",
            facts().selected(),
            null,
            "False/NoNodesSelected",
            "False/AtMostOneMaster",
            "False/Healthy"));
  }

  private static Arguments row(
      String name,
      Fixtures.FactsBuilder f,
      String master,
      String ready,
      String splitBrain,
      String degraded) {
    return Arguments.of(Named.of(name, f.build()), master, ready, splitBrain, degraded);
  }

  /** A Fault entry whose interface is missing, as the agent writes it: the words and the code. */
  private static NodeStatus withReason(NodeStatus e, String reason) {
    return e.toBuilder()
        .reason(reason)
        .reasonCode(io.virtualip.api.v1.contract.FaultReason.INTERFACE_MISSING.code())
        .build();
  }

  @ParameterizedTest
  @MethodSource("table")
  void derivesMasterAndConditions(
      Facts f, String master, String ready, String splitBrain, String degraded) {
    Aggregate a = StatusAggregator.aggregate(f);
    assertThat(a.master()).isEqualTo(master);
    assertThat(summary(a, Conditions.READY)).isEqualTo(ready);
    assertThat(summary(a, Conditions.SPLIT_BRAIN)).isEqualTo(splitBrain);
    assertThat(summary(a, Conditions.DEGRADED)).isEqualTo(degraded);
    assertThat(a.conditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  /**
   * 255 masters that hear nobody: the diagnosis names every pair, but the condition stays within
   * the CRD's bound.
   */
  @Test
  void conditionMessagesStayWithinTheCrdBoundForASplitBrainOf255Nodes() {
    NodeStatus[] entries = new NodeStatus[255];
    var leases = new java.util.ArrayList<AgentLease>();
    for (int i = 0; i < 255; i++) {
      String name = "node-with-a-rather-long-name-" + i;
      entries[i] = entry(name, Master, i < 254 ? "198.51.100." + (i + 1) : "203.0.113.1", 100);
      leases.add(live(name));
    }
    Aggregate a =
        StatusAggregator.aggregate(
            facts().entries(entries).leases(leases.toArray(AgentLease[]::new)).build());
    assertThat(a.splitBrain()).isPresent();
    assertThat(a.conditions())
        .allSatisfy(
            c ->
                assertThat(c.getMessage().length())
                    .isLessThanOrEqualTo(
                        io.virtualip.api.v1.VirtualIPStatus.MAX_CONDITION_MESSAGE_LENGTH));
    assertThat(a.condition(Conditions.SPLIT_BRAIN).orElseThrow().getMessage())
        .startsWith("Nodes ")
        .endsWith("\u2026");
  }

  @Test
  void twoMastersForLessThanTheGraceAreAHandoverThatKeepsTheMaster() {
    var f =
        facts()
            .entries(
                entry("n1", Master, "192.0.2.1", 100),
                entry("n2", Master, "192.0.2.2", 150),
                entry("n3", Backup, "192.0.2.3", 100))
            .leases(live("n1"), live("n2"), live("n3"));
    Aggregate first = StatusAggregator.aggregate(f.handover("n1", null).build());
    assertThat(first.splitBrain()).isEmpty();
    assertThat(first.master()).isEqualTo("n1");
    assertThat(first.multiMasterSince()).contains(NOW);
    assertThat(first.recheckAt()).contains(NOW.plus(StatusAggregator.HANDOVER_GRACE));

    Aggregate later =
        StatusAggregator.aggregate(f.handover("n1", NOW).at(NOW.plusMillis(600)).build());
    assertThat(later.splitBrain()).isPresent();
    assertThat(later.master()).isNull();
    assertThat(later.multiMasterSince()).contains(NOW);

    Aggregate unknownBefore = StatusAggregator.aggregate(f.handover(null, null).at(NOW).build());
    assertThat(unknownBefore.master()).isEqualTo("n2");
  }

  @Test
  void staleClaimIsNamedAndTheSilentAgentsLeaseExpiryIsRechecked() {
    var f =
        facts()
            .entries(
                entry("n1", Master, "192.0.2.1", 150),
                entry("n2", Master, "192.0.2.2", 100),
                entry("n3", Backup, "192.0.2.3", 100))
            .leases(
                renewed("n1", NOW.minusMillis(2500)),
                renewed("n2", NOW.minusMillis(300)),
                live("n3"));
    Aggregate a = StatusAggregator.aggregate(f.build());
    assertThat(a.master()).isEqualTo("n2");
    assertThat(a.condition(Conditions.READY).orElseThrow().getMessage())
        .isEqualTo(
            "n2 holds 192.0.2.10/24."
                + " Claim not renewed within 2 s (agent's Lease silent), not counted as Master: n1.");
    assertThat(a.condition(Conditions.SPLIT_BRAIN).orElseThrow().getMessage())
        .contains("not counted as Master: n1");
    // The silent n1's Lease expires at NOW + 1.5 s: AgentDown must show then. Renewing Leases ask
    // for no look.
    assertThat(a.recheckAt()).contains(NOW.plusMillis(1500));
  }

  @Test
  void aClaimGoingStaleEndsAHandoverAtOnce() {
    // n1 was master and n2 preempted it; n1's agent then died before writing Backup.
    var f =
        facts()
            .entries(
                entry("n1", Master, "192.0.2.1", 100),
                entry("n2", Master, "192.0.2.2", 150),
                entry("n3", Backup, "192.0.2.3", 100))
            .leases(
                renewed("n1", NOW.minusMillis(2100)),
                renewed("n2", NOW.minusMillis(400)),
                live("n3"))
            .handover("n1", NOW.minusMillis(300));
    Aggregate a = StatusAggregator.aggregate(f.build());
    assertThat(a.master()).isEqualTo("n2");
    assertThat(a.splitBrain()).isEmpty();
    assertThat(a.multiMasterSince()).isEmpty();
  }

  @Test
  void noBackupLeftIsDegraded() {
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .selected("n1")
                .entries(entry("n1", Master, "192.0.2.1", 100))
                .leases(live("n1"))
                .build());
    assertThat(summary(a, Conditions.READY)).isEqualTo("True/MasterElected");
    assertThat(summary(a, Conditions.DEGRADED)).isEqualTo("True/NoBackup");
  }

  @Test
  void expiredLeaseIsShownUnknownAndNamed() {
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 150), entry("n2", Backup, "192.0.2.2", 100))
                .leases(expired("n1"), live("n2"))
                .build());
    assertThat(a.agentDown()).containsExactly("n1");
    assertThat(a.master()).isNull();
    assertThat(a.condition(Conditions.DEGRADED).orElseThrow().getMessage())
        .contains("agent Lease expired on n1");
    // n2 renews its Lease: nothing here changes by time alone (the reconciler's Lease watch sees n2
    // fall silent).
    assertThat(a.recheckAt()).isEmpty();
  }

  @Test
  void keepsLastTransitionTimeWhileStatusIsUnchanged() {
    var f =
        facts().entries(entry("n1", Master, "192.0.2.1", 150)).selected("n1").leases(live("n1"));
    Aggregate first = StatusAggregator.aggregate(f.build());
    // 30 s later the agent has renewed its Lease and its claim, and nothing else changed.
    f.leases(new AgentLease("n1", NOW.plusSeconds(29), Fixtures.LEASE))
        .entries(renewedAt(entry("n1", Master, "192.0.2.1", 150), NOW.plusSeconds(29)));
    Aggregate later =
        StatusAggregator.aggregate(
            f.previous(first.conditions(), null).at(NOW.plusSeconds(30)).build());
    assertThat(later.conditions())
        .extracting(Condition::getLastTransitionTime)
        .containsExactlyElementsOf(
            first.conditions().stream().map(Condition::getLastTransitionTime).toList());
    Aggregate changed =
        StatusAggregator.aggregate(
            f.entries(entry("n1", Backup, "192.0.2.1", 150))
                .previous(first.conditions(), null)
                .at(NOW.plusSeconds(30))
                .build());
    assertThat(changed.condition(Conditions.READY).orElseThrow().getLastTransitionTime())
        .isEqualTo(NOW.plusSeconds(30).toString());
  }

  @Test
  void resolveTellsAllButTheHighestPriorityClaimantToStepDown() {
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .policy(SplitBrainPolicy.Resolve)
                .entries(
                    entry("n1", Master, "192.0.2.1", 100),
                    entry("n2", Master, "192.0.2.2", 150),
                    entry("n3", Master, "192.0.2.3", 100))
                .leases(live("n1"), live("n2"), live("n3"))
                .build());
    assertThat(a.stepDown()).containsExactly("n1", "n3");
    assertThat(a.condition(Conditions.SPLIT_BRAIN).orElseThrow().getMessage())
        .contains("Resolve: told n1, n3 to step down; n2 (priority 150");
  }

  @Test
  void resolveBreaksPriorityTiesByHigherAddress() {
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .policy(SplitBrainPolicy.Resolve)
                .entries(
                    entry("n1", Master, "192.0.2.10", 100), entry("n2", Master, "192.0.2.9", 100))
                .leases(live("n1"), live("n2"))
                .build());
    assertThat(a.stepDown()).containsExactly("n2");
  }

  @Test
  void reportNeverStepsDown() {
    Aggregate a =
        StatusAggregator.aggregate(
            facts()
                .entries(
                    entry("n1", Master, "192.0.2.1", 100), entry("n2", Master, "192.0.2.2", 150))
                .leases(live("n1"), live("n2"))
                .previous(null, List.of("n1"))
                .build());
    assertThat(a.stepDown()).isEmpty();
  }

  @Test
  void steppedDownNodeStaysListedWhileItCannotHearTheMaster() {
    var f =
        facts()
            .policy(SplitBrainPolicy.Resolve)
            .entries(entry("n1", Backup, "192.0.2.1", 100), entry("n2", Master, "192.0.2.2", 150))
            .leases(live("n1"), live("n2"))
            .previous(null, List.of("n1"));
    assertThat(StatusAggregator.aggregate(f.build()).stepDown()).containsExactly("n1");
  }

  @Test
  void steppedDownNodeIsReleasedWhenItHearsTheMasterAgain() {
    var f =
        facts()
            .policy(SplitBrainPolicy.Resolve)
            .entries(
                hears(entry("n1", Backup, "192.0.2.1", 100), "192.0.2.2", NOW.minusMillis(500)),
                entry("n2", Master, "192.0.2.2", 150))
            .leases(live("n1"), live("n2"))
            .previous(null, List.of("n1"));
    assertThat(StatusAggregator.aggregate(f.build()).stepDown()).isEmpty();
  }

  @Test
  void steppedDownNodeIsReleasedWhenNoOtherMasterIsAlive() {
    var f =
        facts()
            .policy(SplitBrainPolicy.Resolve)
            .entries(entry("n1", Backup, "192.0.2.1", 100), entry("n2", Master, "192.0.2.2", 150))
            .leases(live("n1"), expired("n2"))
            .previous(null, List.of("n1"));
    assertThat(StatusAggregator.aggregate(f.build()).stepDown()).isEmpty();
  }

  private static String summary(Aggregate a, String type) {
    Condition c = a.condition(type).orElseThrow();
    return c.getStatus() + "/" + c.getReason();
  }
}
