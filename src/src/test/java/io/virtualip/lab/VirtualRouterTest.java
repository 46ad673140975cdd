package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.agent.source.file.ConfigLoader;
import io.virtualip.agent.spec.VipDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The two renderings of one virtual router agree: our agent's loader accepts the YAML with the same
 * parameters.
 */
class VirtualRouterTest {

  @TempDir Path secrets;

  @ParameterizedTest
  @EnumSource(InteropTest.Configuration.class)
  void agentLoaderReadsTheVirtualIpWithTheSameParametersAsKeepalived(
      InteropTest.Configuration configuration) throws Exception {
    VirtualRouter router = configuration.router;
    Node peer =
        new Node(
            "n2",
            "ns-n2",
            Lab.IFACE,
            "02:00:00:00:00:0c",
            Addresses.ipv4("192.0.2.12"),
            Addresses.ipv6("2001:db8::12"));
    if (router.authPass().isPresent()) {
      Path file = secrets.resolve(router.secretName()).resolve("password");
      Files.createDirectories(file.getParent());
      Files.writeString(file, router.authPass().get());
    }

    List<VipDefinition> loaded =
        new ConfigLoader("n1", secrets).parse("lab", router.virtualIp("n1", 200, List.of(peer)));
    KeepalivedConfig keepalived = router.keepalived(200, List.of(peer));

    assertThat(loaded)
        .singleElement()
        .satisfies(
            definition -> {
              assertThat(definition.name()).isEqualTo(router.resourceName());
              assertThat(definition.vrid()).isEqualTo(keepalived.vrid());
              assertThat(definition.version()).isEqualTo(keepalived.version());
              assertThat(definition.priority()).isEqualTo(keepalived.priority());
              assertThat(definition.advertIntervalCentis() * 10L)
                  .isEqualTo(keepalived.advertInterval().toMillis());
              assertThat(definition.interfaceName()).isEqualTo(keepalived.iface());
              assertThat(definition.addresses())
                  .extracting(a -> Addresses.text(a.address()) + "/" + a.prefixLength())
                  .containsExactlyElementsOf(keepalived.vips());
              assertThat(definition.unicastPeers())
                  .extracting(address -> Addresses.text(address))
                  .containsExactlyElementsOf(keepalived.unicastPeers());
              assertThat(
                      definition.password() == null
                          ? null
                          : new String(definition.password(), StandardCharsets.UTF_8))
                  .isEqualTo(keepalived.authPass().orElse(null));
            });
  }

  @Test
  void timersFollowTheRfcs() {
    VirtualRouter v2 = VirtualRouter.multicast(2, 51, Duration.ofSeconds(1), "192.0.2.100/24");
    VirtualRouter v3 = VirtualRouter.multicast(3, 52, Duration.ofMillis(100), "192.0.2.100/24");

    // RFC 3768: Skew_Time = (256 - Priority) / 256 s, whatever the interval.
    assertThat(v2.skewTime(100)).isEqualTo(Duration.ofNanos(609_375_000));
    assertThat(v2.masterDownInterval(100)).isEqualTo(Duration.ofNanos(3_609_375_000L));
    // RFC 5798: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
    assertThat(v3.skewTime(100)).isEqualTo(Duration.ofNanos(60_937_500));
    assertThat(v3.masterDownInterval(100)).isEqualTo(Duration.ofNanos(360_937_500));
  }

  @Test
  void rejectsWhatNeitherImplementationCanRun() {
    assertThatThrownBy(
            () -> VirtualRouter.multicast(2, 51, Duration.ofMillis(100), "192.0.2.100/24"))
        .hasMessageContaining("cannot be sent in VRRPv2");
    assertThatThrownBy(
            () ->
                VirtualRouter.multicast(3, 51, Duration.ofSeconds(1), "192.0.2.100/24")
                    .withAuthPass("x"))
        .hasMessageContaining("authentication exists only in VRRPv2");
  }
}
