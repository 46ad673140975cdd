package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeepalivedConfigTest {

  @Test
  void rendersTheSeedInstance() {
    KeepalivedConfig seed =
        KeepalivedConfig.of(2, 51, 151, "192.0.2.100/24").withAuthPass("secret1");

    assertThat(seed.render())
        .isEqualTo(
            """
                global_defs {
                    router_id VI_51
                }

                vrrp_instance VI_51 {
                    version 2
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                    priority 151
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass secret1
                    }
                    virtual_ipaddress {
                        192.0.2.100/24
                    }
                }
                """);
  }

  @Test
  void rendersSubSecondUnicastVersion3() {
    KeepalivedConfig config =
        KeepalivedConfig.of(3, 54, 100, "192.0.2.104/24", "2001:db8::104/64")
            .withAdvertInterval(Duration.ofMillis(100))
            .withUnicastPeers("192.0.2.12", "192.0.2.13");

    assertThat(config.render())
        .contains("    version 3\n", "    advert_int 0.1\n")
        .contains("    unicast_peer {\n        192.0.2.12\n        192.0.2.13\n    }\n")
        .contains(
            "    virtual_ipaddress {\n        192.0.2.104/24\n        2001:db8::104/64\n    }\n")
        .doesNotContain("authentication");
  }

  @Test
  void rejectsWhatCannotGoOnTheWire() {
    assertThatThrownBy(() -> KeepalivedConfig.of(3, 52, 100, "192.0.2.102/24").withAuthPass("x"))
        .hasMessageContaining("authentication");
    assertThatThrownBy(
            () ->
                KeepalivedConfig.of(2, 51, 100, "192.0.2.100/24")
                    .withAdvertInterval(Duration.ofMillis(500)))
        .hasMessageContaining("VRRPv2");
    assertThatThrownBy(
            () ->
                KeepalivedConfig.of(3, 51, 100, "192.0.2.100/24")
                    .withAdvertInterval(Duration.ofMillis(5)))
        .hasMessageContaining("VRRPv3");
    assertThatThrownBy(() -> KeepalivedConfig.of(4, 51, 100, "192.0.2.100/24"))
        .hasMessageContaining("version");
    assertThatThrownBy(() -> KeepalivedConfig.of(2, 0, 100, "192.0.2.100/24"))
        .hasMessageContaining("VRID");
    assertThatThrownBy(() -> KeepalivedConfig.of(2, 51, 0, "192.0.2.100/24"))
        .hasMessageContaining("priority");
    assertThatThrownBy(() -> KeepalivedConfig.of(2, 51, 100)).hasMessageContaining("VIP");
  }
}
