package io.virtualip.agent.cli.vip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kubectl vip get} on recorded statuses. */
class WideListTest {

  @Test
  void oneRowPerVirtualIpWithMasterBackupsVridVersionMode() {
    var healthy = Fixtures.load("healthy");
    var split = Fixtures.load("auth-mismatch");
    split.getMetadata().setName("api");
    var down = Fixtures.load("agent-down");
    down.getMetadata().setName("db");
    List<String> lines =
        WideList.render(List.of(healthy, split, down), Fixtures.RECORDED).lines().toList();
    assertThat(List.of(lines.get(0).split("\\s+")))
        .containsExactly(
            "NAME",
            "ADDRESSES",
            "VRID",
            "VERSION",
            "MODE",
            "MASTER",
            "BACKUPS",
            "OTHERS",
            "READY",
            "SPLIT-BRAIN",
            "DEGRADED",
            "AGE");
    assertThat(List.of(lines.get(1).split("\\s+")))
        .containsExactly(
            "api",
            "192.0.2.10/24",
            "51",
            "v2",
            "Multicast",
            "-",
            "-",
            "node-a(Master),node-b(Master)",
            "False",
            "True",
            "False",
            "2h");
    assertThat(List.of(lines.get(2).split("\\s+")))
        .containsExactly(
            "db",
            "192.0.2.10/24",
            "51",
            "v3",
            "Multicast",
            "node-a",
            "-",
            "node-b(Unknown)",
            "False",
            "False",
            "True",
            "2h");
    assertThat(List.of(lines.get(3).split("\\s+")))
        .containsExactly(
            "web",
            "192.0.2.10/24",
            "51",
            "v3",
            "Multicast",
            "node-a",
            "node-b,node-c",
            "-",
            "True",
            "False",
            "False",
            "2h");
  }

  @Test
  void none() {
    assertThat(WideList.render(List.of(), Fixtures.RECORDED)).isEqualTo("No VirtualIPs found.\n");
  }
}
