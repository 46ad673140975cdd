package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.api.v1.contract.Placement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  @Test
  void readsTheDaemonSetsEnvironmentWithTheContractsDefaults() {
    AgentConfig c =
        AgentConfig.fromEnvironment(
            Map.of("NODE_NAME", "node-a", "POD_NAMESPACE", "virtualip-system"));
    assertThat(c.nodeName()).isEqualTo("node-a");
    assertThat(c.namespace()).isEqualTo("virtualip-system");
    assertThat(c.readyFile()).isEqualTo(Path.of("/run/virtualip/ready"));
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.masterRenewInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.statusWrite()).isEqualTo(AgentConfig.StatusWriteMode.AUTO);
    assertThat(c.placement()).isNull();
  }

  @Test
  void optionalSettings() {
    AgentConfig c =
        AgentConfig.fromEnvironment(
            Map.of(
                "NODE_NAME",
                "node-a",
                "POD_NAMESPACE",
                "ns",
                "VIRTUALIP_READY_FILE",
                "/tmp/r",
                "VIRTUALIP_STATUS_WRITE",
                "json-patch",
                "VIRTUALIP_LEASE_DURATION_SECONDS",
                "6",
                "VIRTUALIP_PLACEMENT",
                "{\"nodeSelector\":{\"role\":\"edge\"}}"));
    assertThat(c.readyFile()).isEqualTo(Path.of("/tmp/r"));
    assertThat(c.statusWrite()).isEqualTo(AgentConfig.StatusWriteMode.JSON_PATCH);
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(6));
    assertThat(c.placement()).isEqualTo(new Placement(Map.of("role", "edge"), null));
  }

  @Test
  void aMalformedPlacementSaysWhatIsWrong() {
    assertThatThrownBy(
            () ->
                AgentConfig.fromEnvironment(
                    Map.of("NODE_NAME", "n", "POD_NAMESPACE", "ns", "VIRTUALIP_PLACEMENT", "{bad")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "VIRTUALIP_PLACEMENT is not {\"nodeSelector\":{...},\"tolerations\":[...]}: ")
        .hasMessageNotContaining("An error has occurred");
  }

  @Test
  void nodeNameAndNamespaceAreRequired() {
    assertThatThrownBy(() -> AgentConfig.fromEnvironment(Map.of("NODE_NAME", "node-a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("POD_NAMESPACE");
  }
}
