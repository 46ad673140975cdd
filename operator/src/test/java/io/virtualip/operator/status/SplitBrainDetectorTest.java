package io.virtualip.operator.status;

import static io.virtualip.api.v1.NodeState.Master;
import static io.virtualip.operator.status.Fixtures.NOW;
import static io.virtualip.operator.status.Fixtures.entry;
import static io.virtualip.operator.status.Fixtures.hears;
import static io.virtualip.operator.status.Fixtures.rejects;
import static io.virtualip.operator.status.Fixtures.renewedAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.operator.status.SplitBrainDetector.Diagnosis;
import io.virtualip.operator.status.SplitBrainDetector.Kind;
import io.virtualip.operator.status.SplitBrainDetector.SplitBrain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitBrainDetectorTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  private static SplitBrain detect(
      Map<String, Map<String, Long>> previous, Mode mode, NodeStatus... masters) {
    return SplitBrainDetector.detect(List.of(masters), previous, INTERVAL, mode, NOW).orElseThrow();
  }

  @Test
  void oneMasterIsNoSplitBrain() {
    assertThat(
            SplitBrainDetector.detect(
                List.of(entry("a", Master, "192.0.2.1", 100)),
                Map.of(),
                INTERVAL,
                Mode.Multicast,
                NOW))
        .isEmpty();
  }

  @Test
  void advertsNotCrossingBlameTheFirewallAndSuggestUnicast() {
    SplitBrain sb =
        detect(
            Map.of(),
            Mode.Multicast,
            entry("b", Master, "192.0.2.2", 100),
            entry("a", Master, "192.0.2.1", 100));
    assertThat(sb.names()).containsExactly("a", "b");
    assertThat(sb.diagnoses()).extracting(Diagnosis::kind).containsOnly(Kind.NOT_REACHING);
    assertThat(sb.explanation())
        .contains("Nodes a, b claim Master")
        .contains("Adverts from b do not reach a")
        .contains("Adverts from a do not reach b")
        .contains("IP protocol 112")
        .contains("224.0.0.18")
        .contains("set mode: Unicast");
  }

  @Test
  void lastHeardIsJudgedAsOfTheReportNotTheOperatorsClock() {
    // Agents write on change: a's entry was written 60 s ago, when it had just heard b. Still a
    // crossing.
    NodeStatus a =
        renewedAt(
            hears(
                entry("a", Master, "192.0.2.1", 100),
                "192.0.2.2",
                NOW.minusSeconds(60).minusMillis(200)),
            NOW.minusSeconds(60));
    SplitBrain sb =
        detect(
            Map.of(),
            Mode.Multicast,
            a,
            hears(entry("b", Master, "192.0.2.2", 100), "192.0.2.1", NOW.minusMillis(300)));
    assertThat(sb.diagnoses())
        .containsExactly(
            new Diagnosis("a", "b", Kind.CROSSING, List.of()),
            new Diagnosis("b", "a", Kind.CROSSING, List.of()));
  }

  @Test
  void staleLastHeardCountsAsNotReaching() {
    // a's report (updated NOW - 1 s) heard b 3.5 s before it was written: more than 3 intervals, so
    // not reaching.
    SplitBrain sb =
        detect(
            Map.of(),
            Mode.Multicast,
            hears(entry("a", Master, "192.0.2.1", 100), "192.0.2.2", NOW.minusMillis(4500)),
            hears(entry("b", Master, "192.0.2.2", 100), "192.0.2.1", NOW.minusMillis(300)));
    assertThat(sb.diagnoses())
        .containsExactly(
            new Diagnosis("a", "b", Kind.NOT_REACHING, List.of()),
            new Diagnosis("b", "a", Kind.CROSSING, List.of()));
  }

  @Test
  void aOneWayLossIsNotPromisedToConverge() {
    // The seed's case: only b's firewall drops VRRP, so a still hears b (and, as master, ignores
    // its lower priority).
    SplitBrain oneWay =
        detect(
            Map.of(),
            Mode.Multicast,
            hears(entry("a", Master, "192.0.2.1", 151), "192.0.2.2", NOW.minusMillis(300)),
            entry("b", Master, "192.0.2.2", 100));
    assertThat(oneWay.explanation())
        .contains("Adverts from a do not reach b")
        .contains("a hears and accepts b's adverts, so the loss is one-way.")
        .doesNotContain("converge");
    SplitBrain bothHear =
        detect(
            Map.of(),
            Mode.Multicast,
            hears(entry("a", Master, "192.0.2.1", 151), "192.0.2.2", NOW.minusMillis(300)),
            hears(entry("b", Master, "192.0.2.2", 100), "192.0.2.1", NOW.minusMillis(300)));
    assertThat(bothHear.explanation()).contains("the election should converge");
  }

  @Test
  void ipv6UsesItsGroupAndUnicastDoesNotSuggestItself() {
    assertThat(
            detect(
                    Map.of(),
                    Mode.Multicast,
                    entry("a", Master, "2001:db8::1", 100),
                    entry("b", Master, "2001:db8::2", 100))
                .explanation())
        .contains("ff02::12");
    assertThat(
            detect(
                    Map.of(),
                    Mode.Unicast,
                    entry("a", Master, "192.0.2.1", 100),
                    entry("b", Master, "192.0.2.2", 100))
                .explanation())
        .doesNotContain("224.0.0.18")
        .doesNotContain("mode: Unicast")
        .contains("IP protocol 112");
  }

  @Test
  void growingRejectionCountersNameTheMismatch() {
    NodeStatus a =
        rejects(entry("a", Master, "192.0.2.1", 100), Map.of("AUTH_MISMATCH", 12L, "BAD_TTL", 3L));
    NodeStatus b = rejects(entry("b", Master, "192.0.2.2", 100), Map.of("INTERVAL_MISMATCH", 9L));
    SplitBrain sb =
        detect(
            Map.of(
                "a",
                Map.of("AUTH_MISMATCH", 2L, "BAD_TTL", 3L),
                "b",
                Map.of("INTERVAL_MISMATCH", 1L)),
            Mode.Multicast,
            a,
            b);
    assertThat(sb.diagnoses())
        .containsExactly(
            new Diagnosis("a", "b", Kind.REJECTED, List.of("AUTH_MISMATCH")),
            new Diagnosis("b", "a", Kind.REJECTED, List.of("INTERVAL_MISMATCH")));
    assertThat(sb.explanation())
        .contains("Adverts reach a but it rejects them: authentication mismatch")
        .contains("Adverts reach b but it rejects them: advertisement interval mismatch")
        .doesNotContain("firewall");
  }

  /**
   * Unicast mode: adverts from an address outside the peer list are rejected by the agent and named
   * as such.
   */
  @Test
  void advertsFromAnAddressThatIsNotAPeerAreNamed() {
    NodeStatus a = rejects(entry("a", Master, "192.0.2.1", 100), Map.of("SOURCE_NOT_PEER", 40L));
    NodeStatus b = entry("b", Master, "192.0.2.2", 100);
    SplitBrain sb = detect(Map.of("a", Map.of("SOURCE_NOT_PEER", 10L)), Mode.Unicast, a, b);
    assertThat(sb.diagnoses().get(0))
        .isEqualTo(new Diagnosis("a", "b", Kind.REJECTED, List.of("SOURCE_NOT_PEER")));
    assertThat(sb.explanation())
        .contains(
            "Adverts reach a but it rejects them: adverts arrive but from an address that is not a configured "
                + "peer")
        .contains("spec.unicastPeers")
        .contains("[SOURCE_NOT_PEER]")
        .doesNotContain("null");
  }

  @Test
  void countersThatStoppedGrowingAreHistoryNotCause() {
    NodeStatus a = rejects(entry("a", Master, "192.0.2.1", 100), Map.of("BAD_VERSION", 5L));
    SplitBrain sb =
        detect(
            Map.of("a", Map.of("BAD_VERSION", 5L)),
            Mode.Multicast,
            a,
            entry("b", Master, "192.0.2.2", 100));
    assertThat(sb.diagnoses().get(0).kind()).isEqualTo(Kind.NOT_REACHING);
  }

  @Test
  void ownAdvertsAreNoEvidenceAndOtherVridsOnlyWhenThePeerIsNotHeard() {
    NodeStatus own =
        rejects(entry("a", Master, "192.0.2.1", 100), Map.of("OWN_ADVERTISEMENT", 50L));
    assertThat(
            detect(Map.of(), Mode.Multicast, own, entry("b", Master, "192.0.2.2", 100))
                .diagnoses()
                .get(0)
                .kind())
        .isEqualTo(Kind.NOT_REACHING);
    NodeStatus otherVrid =
        rejects(entry("a", Master, "192.0.2.1", 100), Map.of("VRID_MISMATCH", 50L));
    SplitBrain unheard =
        detect(Map.of(), Mode.Multicast, otherVrid, entry("b", Master, "192.0.2.2", 100));
    assertThat(unheard.diagnoses().get(0))
        .isEqualTo(new Diagnosis("a", "b", Kind.REJECTED, List.of("VRID_MISMATCH")));
    assertThat(unheard.explanation()).contains("virtualRouterId");
    NodeStatus hearing =
        hears(
            rejects(entry("a", Master, "192.0.2.1", 100), Map.of("VRID_MISMATCH", 50L)),
            "192.0.2.2",
            NOW);
    assertThat(
            detect(Map.of(), Mode.Multicast, hearing, entry("b", Master, "192.0.2.2", 100))
                .diagnoses()
                .get(0)
                .kind())
        .isEqualTo(Kind.CROSSING);
  }

  @Test
  void withoutASnapshotAnyRejectionCounts() {
    NodeStatus a =
        rejects(
            entry("a", Master, "192.0.2.1", 100), Map.of("BAD_VERSION", 5L, "AUTH_MISMATCH", 0L));
    SplitBrain sb = detect(Map.of(), Mode.Multicast, a, entry("b", Master, "192.0.2.2", 100));
    assertThat(sb.diagnoses().get(0))
        .isEqualTo(new Diagnosis("a", "b", Kind.REJECTED, List.of("BAD_VERSION")));
    assertThat(sb.explanation()).contains("VRRP version mismatch");
  }
}
