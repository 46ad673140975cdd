package io.virtualip.operator.vrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.operator.vrid.VridDecision.Outcome;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VridAllocatorTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final VridAllocator allocator =
      new VridAllocator(VridRanges.parse(Optional.of("1-10,12")));

  private static VridClaim claim(
      String name, int ageRank, Set<String> nodes, Integer pinned, Integer recorded) {
    return new VridClaim(
        name, T0.plusSeconds(ageRank), false, VridClaim.DEFAULT_INTERFACE, nodes, pinned, recorded);
  }

  @Test
  void allocatesLowestFreeVridSkippingReserved() {
    VridClaim a = claim("a", 0, Set.of("n1"), null, null);
    assertThat(allocator.decide(a, List.of(a)))
        .isEqualTo(new VridDecision(11, Outcome.ALLOCATED, null, null));
  }

  @Test
  void skipsVridsUsedOnTheSameNodesButNotElsewhere() {
    VridClaim used = claim("used", 0, Set.of("n1", "n2"), 11, null);
    VridClaim elsewhere = claim("elsewhere", 0, Set.of("n9"), 13, null);
    VridClaim recorded = claim("recorded", 0, Set.of("n2"), null, 13);
    VridClaim fresh = claim("fresh", 5, Set.of("n2"), null, null);
    assertThat(allocator.decide(fresh, List.of(used, elsewhere, recorded, fresh)).vrid())
        .isEqualTo(14);
    VridClaim far = claim("far", 5, Set.of("n9"), null, null);
    assertThat(allocator.decide(far, List.of(used, elsewhere, far)).vrid()).isEqualTo(11);
  }

  @Test
  void familiesAndInterfacesAreSeparateSpaces() {
    VridClaim v4 = claim("v4", 0, Set.of("n1"), 11, null);
    VridClaim v6 =
        new VridClaim(
            "v6", T0.plusSeconds(1), true, VridClaim.DEFAULT_INTERFACE, Set.of("n1"), null, null);
    VridClaim eth1 =
        new VridClaim("eth1", T0.plusSeconds(1), false, "eth1", Set.of("n1"), null, null);
    assertThat(allocator.decide(v6, List.of(v4, v6)).vrid()).isEqualTo(11);
    assertThat(allocator.decide(eth1, List.of(v4, eth1)).vrid()).isEqualTo(11);
  }

  @Test
  void keepsARecordedVrid() {
    VridClaim a = claim("a", 0, Set.of("n1"), null, 40);
    assertThat(allocator.decide(a, List.of(a)))
        .isEqualTo(new VridDecision(40, Outcome.KEPT, null, null));
  }

  @Test
  void newerPinnedDuplicateConflictsAndOlderKeepsWorking() {
    VridClaim older = claim("older", 0, Set.of("n1", "n2"), 20, null);
    VridClaim newer = claim("newer", 1, Set.of("n2", "n3"), 20, null);
    List<VridClaim> all = List.of(older, newer);
    assertThat(allocator.decide(older, all))
        .isEqualTo(new VridDecision(20, Outcome.PINNED, null, null));
    assertThat(allocator.decide(newer, all))
        .isEqualTo(new VridDecision(null, Outcome.CONFLICT, "older", 20));
  }

  @Test
  void theVirtualIPRunningWithAVridKeepsItAgainstAnOlderNewcomer() {
    VridClaim running = claim("running", 5, Set.of("n1"), 20, 20);
    VridClaim newcomer = claim("newcomer", 0, Set.of("n1"), 20, null);
    List<VridClaim> all = List.of(running, newcomer);
    assertThat(allocator.decide(running, all).outcome()).isEqualTo(Outcome.PINNED);
    assertThat(allocator.decide(newcomer, all))
        .isEqualTo(new VridDecision(null, Outcome.CONFLICT, "running", 20));
  }

  @Test
  void sameCreationTimeIsDecidedByName() {
    VridClaim b = claim("b", 0, Set.of("n1"), 20, null);
    VridClaim a = claim("a", 0, Set.of("n1"), 20, null);
    assertThat(allocator.decide(a, List.of(a, b)).outcome()).isEqualTo(Outcome.PINNED);
    assertThat(allocator.decide(b, List.of(a, b)).outcome()).isEqualTo(Outcome.CONFLICT);
  }

  @Test
  void pinnedReservedVridIsAConflictWithTheNetwork() {
    VridClaim a = claim("a", 0, Set.of("n1"), 5, null);
    assertThat(allocator.decide(a, List.of(a)))
        .isEqualTo(new VridDecision(null, Outcome.CONFLICT, null, 5));
  }

  @Test
  void allocatedVridTakenByOlderPinnedMovesToAFreeOne() {
    VridClaim older = claim("older", 0, Set.of("n1"), 11, 11);
    VridClaim newer = claim("newer", 1, Set.of("n1"), null, 11);
    assertThat(allocator.decide(newer, List.of(older, newer)))
        .isEqualTo(new VridDecision(13, Outcome.MOVED, "older", 11));
  }

  @Test
  void exhaustedWhenEveryVridIsTaken() {
    BitSet all = new BitSet();
    all.set(1, 256);
    VridClaim a = claim("a", 0, Set.of("n1"), null, null);
    assertThat(new VridAllocator(all).decide(a, List.of(a)).outcome()).isEqualTo(Outcome.EXHAUSTED);
  }

  @Test
  void parsesReservedRanges() {
    BitSet r = VridRanges.parse(Optional.of(" 1-3, 51 ,255"));
    assertThat(r.stream().boxed().toList()).containsExactly(1, 2, 3, 51, 255);
    assertThat(VridRanges.parse(Optional.empty()).isEmpty()).isTrue();
    assertThatThrownBy(() -> VridRanges.parse(Optional.of("0-3")))
        .hasMessageContaining("outside 1-255");
    assertThatThrownBy(() -> VridRanges.parse(Optional.of("9-3")))
        .hasMessageContaining("backwards");
    assertThatThrownBy(() -> VridRanges.parse(Optional.of("x"))).hasMessageContaining("1-10,51");
  }
}
