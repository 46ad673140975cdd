package io.virtualip.agent.cli.vip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kubectl vip why} on recorded statuses, ages against the instant they were recorded at. */
class WhyReportTest {

  private static String why(String fixture) {
    return WhyReport.render(Fixtures.load(fixture), Fixtures.RECORDED);
  }

  /** The lines of the section that starts with {@code title} (up to the next blank line). */
  private static List<String> section(String report, String title) {
    List<String> lines = report.lines().toList();
    int start = lines.indexOf(title);
    assertThat(start).as("section %s in%n%s", title, report).isNotNegative();
    int end = start + 1;
    while (end < lines.size() && !lines.get(end).isEmpty()) {
      end++;
    }
    return lines.subList(start + 1, end).stream().map(String::strip).toList();
  }

  private static List<String> cells(String line) {
    return List.of(line.strip().split("\\s{2,}"));
  }

  private static List<String> row(List<String> section, String first) {
    return section.stream()
        .map(WhyReportTest::cells)
        .filter(c -> c.get(0).equals(first))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + first + " in " + section));
  }

  @Test
  void healthy() {
    String report = why("healthy");
    assertThat(report.lines().findFirst().orElseThrow())
        .isEqualTo("VirtualIP web: 192.0.2.10/24, VRRPv3 Multicast, VRID 51, master node-a");
    List<String> nodes = section(report, "Nodes:");
    assertThat(row(nodes, "node-a"))
        .containsExactly(
            "node-a",
            "Master",
            "150",
            "150",
            "192.0.2.1",
            "node-a",
            "5m",
            "2s",
            "higher priority than every advert heard");
    assertThat(row(nodes, "node-b"))
        .startsWith("node-b", "Backup", "100", "100", "192.0.2.2", "node-a", "4m59s");
    // Matrix: the backups hear the master (ages as of each row's update), the master hears no one
    // (backups are silent).
    List<String> matrix =
        section(
            report,
            "Who hears whom (age of the last advert the row's node heard from the "
                + "column's node, as of the row's last update; - not heard):");
    assertThat(cells(matrix.get(0))).containsExactly("HEARS \\ FROM", "node-a", "node-b", "node-c");
    assertThat(row(matrix, "node-a")).containsExactly("node-a", "self", "-", "-");
    assertThat(row(matrix, "node-b")).containsExactly("node-b", "1s", "self", "-");
    assertThat(row(matrix, "node-c")).containsExactly("node-c", "1s", "-", "self");
    assertThat(report).doesNotContain("One-way");
    assertThat(row(section(report, "Rejected adverts:"), "node-b"))
        .containsExactly(
            "node-b",
            "VRID_MISMATCH",
            "12",
            "adverts of another VRID (do the nodes agree on virtualRouterId?)");
    assertThat(row(section(report, "Conditions:"), "Ready"))
        .containsExactly("Ready", "True", "MasterElected", "4m58s", "node-a holds 192.0.2.10.");
    assertThat(section(report, "Diagnosis:")).containsExactly("Healthy: node-a holds 192.0.2.10.");
    assertThat(section(report, "Fix:")).containsExactly("- nothing to fix");
  }

  @Test
  void failover() {
    String report = why("failover");
    assertThat(report)
        .startsWith("VirtualIP web: 192.0.2.10/24, VRRPv3 Multicast, VRID 51, master node-b\n");
    List<String> nodes = section(report, "Nodes:");
    assertThat(row(nodes, "node-a"))
        .containsExactly(
            "node-a",
            "Fault",
            "150",
            "150",
            "192.0.2.1",
            "-",
            "20s",
            "20s",
            "track http-health failing: connection refused [TrackFailing]");
    assertThat(row(nodes, "node-b"))
        .startsWith("node-b", "Master", "100", "100", "192.0.2.2", "node-b", "17s");
    assertThat(section(report, "Diagnosis:"))
        .containsExactly(
            "Degraded=True (NodesInFault): in Fault: node-a (node-a: track http-health failing: connection refused).");
    assertThat(section(report, "Fix:"))
        .containsExactly(
            "- node-a is in Fault [TrackFailing]: track http-health failing: connection refused");
  }

  @Test
  void oneWayLoss() {
    String report = why("one-way-loss");
    assertThat(report)
        .startsWith("VirtualIP web: 192.0.2.10/24, VRRPv3 Multicast, VRID 51, master -\n");
    List<String> matrix =
        section(
            report,
            "Who hears whom (age of the last advert the row's node heard from the "
                + "column's node, as of the row's last update; - not heard):");
    assertThat(row(matrix, "node-a")).containsExactly("node-a", "self", "0s");
    assertThat(row(matrix, "node-b")).containsExactly("node-b", "-", "self");
    assertThat(matrix)
        .contains(
            "One-way: node-a hears node-b, but node-b does not hear node-a "
                + "(adverts from node-a do not reach node-b).");
    assertThat(section(report, "Diagnosis:"))
        .containsExactly(
            "Ready=False (SplitBrain): node-a, node-b all claim Master.",
            "SplitBrain=True (MultipleMasters): Nodes node-a, node-b claim Master at the same time. Adverts from "
                + "node-a do not reach node-b: a firewall dropping IP protocol 112 (VRRP) or traffic to "
                + "224.0.0.18 is the usual cause; allow it, or set mode: Unicast.");
    assertThat(section(report, "Fix:"))
        .containsExactly(
            "- the SplitBrain diagnosis above says what to change (no node reports a code to act on)");
  }

  @Test
  void authMismatch() {
    String report = why("auth-mismatch");
    assertThat(report)
        .startsWith("VirtualIP web: 192.0.2.10/24, VRRPv2 Multicast, VRID 51, master -\n");
    List<String> rejected = section(report, "Rejected adverts:");
    assertThat(row(rejected, "node-a"))
        .containsExactly(
            "node-a",
            "AUTH_MISMATCH",
            "600",
            "authentication mismatch (the nodes use different passwords)");
    assertThat(
            rejected.stream()
                .map(WhyReportTest::cells)
                .filter(c -> c.get(0).equals("node-b"))
                .map(c -> c.get(1) + "=" + c.get(2))
                .toList())
        .containsExactly("AUTH_MISMATCH=598", "VRID_MISMATCH=4");
    assertThat(section(report, "Diagnosis:"))
        .anyMatch(
            l ->
                l.startsWith("SplitBrain=True (MultipleMasters): ")
                    && l.contains("[AUTH_MISMATCH]"));
    // VRID_MISMATCH is not a disagreement (other routers on the segment): no fix line for it.
    assertThat(section(report, "Fix:"))
        .containsExactly(
            "- node-a rejects adverts (600): authentication mismatch (the nodes use different passwords) "
                + "[AUTH_MISMATCH]; make the VirtualIP's settings agree on every node",
            "- node-b rejects adverts (598): authentication mismatch (the nodes use different passwords) "
                + "[AUTH_MISMATCH]; make the VirtualIP's settings agree on every node");
  }

  @Test
  void agentDown() {
    String report = why("agent-down");
    List<String> nodes = section(report, "Nodes:");
    assertThat(row(nodes, "node-b"))
        .startsWith("node-b", "Unknown", "100", "100", "192.0.2.2", "node-a", "3m", "3m1s");
    // The stale row still shows what node-b heard when it last reported, 1 s before that report.
    List<String> matrix =
        section(
            report,
            "Who hears whom (age of the last advert the row's node heard from the "
                + "column's node, as of the row's last update; - not heard):");
    assertThat(row(matrix, "node-b")).containsExactly("node-b", "1s", "self");
    assertThat(section(report, "Diagnosis:"))
        .containsExactly(
            "Ready=False (NodesNotReporting): Master is node-a, but node-b have no live report (no entry yet, or "
                + "the agent's Lease has expired).",
            "Degraded=True (AgentDown): agent Lease expired on node-b (their entries are shown as Unknown); no "
                + "node is left in Backup to take over from node-a.");
    assertThat(section(report, "Fix:"))
        .containsExactly(
            "- node-b: its agent's Lease has expired, so its entry is "
                + "only its last report; check the agent there: kubectl -n virtualip-system get pods -o wide "
                + "--field-selector spec.nodeName=node-b");
  }

  @Test
  void noStatusYet() {
    var vip = Fixtures.load("healthy");
    vip.setStatus(null);
    String report = WhyReport.render(vip, Fixtures.RECORDED);
    assertThat(section(report, "Nodes:")).containsExactly("(no agent has reported)");
    assertThat(section(report, "Diagnosis:"))
        .containsExactly(
            "No conditions: the operator has not reconciled this VirtualIP yet (is it running?).");
  }

  @Test
  void staleGenerationIsSaid() {
    var vip = Fixtures.load("healthy");
    vip.getMetadata().setGeneration(2L);
    assertThat(section(WhyReport.render(vip, Fixtures.RECORDED), "Diagnosis:"))
        .containsExactly(
            "The operator last acted on generation 1; the spec is at 2: what follows may be out of date.",
            "Healthy: node-a holds 192.0.2.10.");
  }

  @Test
  void ages() {
    assertThat(Text.age(java.time.Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Text.age(java.time.Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Text.age(java.time.Duration.ofMinutes(61))).isEqualTo("1h1m");
    assertThat(Text.age(java.time.Duration.ofHours(52))).isEqualTo("2d4h");
    assertThat(Text.age("not a time", Fixtures.RECORDED)).isEqualTo("?");
  }
}
