package io.virtualip.agent.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.api.v1.HttpGetTrack;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.PodsTrack;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.api.v1.contract.Placement;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class InstanceResolverTest {
  private static final String WAITING_FOR_VRID =
      "waiting for the operator's status.virtualRouterId (absent while the "
          + "VirtualIP is invalid or conflicts with another)";

  private static final Map<String, String> EDGE = Map.of("role", "edge");
  private final InstanceResolver resolver = new InstanceResolver("node-a", null);
  private final List<Node> nodes =
      List.of(
          Fixtures.node("node-a", EDGE, "192.0.2.1", "2001:db8::1"),
          Fixtures.node("node-c", EDGE, "192.0.2.3", "2001:db8::3"),
          Fixtures.node("node-b", EDGE, "192.0.2.2"),
          Fixtures.node("node-x", Map.of("role", "other"), "192.0.2.9"));
  private static final Function<String, Secret> NO_SECRETS = name -> null;

  private VipDefinition run(VirtualIP vip, Function<String, Secret> secrets) {
    Resolution r = resolver.resolve(vip, nodes, secrets);
    assertThat(r).isInstanceOf(Resolution.Run.class);
    return ((Resolution.Run) r).config();
  }

  /**
   * Of the status the agent reads only virtualRouterId: the agents' entries are neither converted
   * nor validated on each pass (issue 14), so one that breaks the CRD's bounds (only a client
   * without the API server's validation could store it) does not make this node refuse to run.
   */
  @Test
  void anotherNodesEntryIsNotTheAgentsToJudge() {
    VirtualIP vip = Fixtures.virtualIp("v");
    io.virtualip.api.v1.NodeStatus entry =
        io.virtualip.api.v1.NodeStatus.builder()
            .name("node-b")
            .state(io.virtualip.api.v1.NodeState.Master)
            .reason("x".repeat(io.virtualip.api.v1.NodeStatus.MAX_REASON_LENGTH + 1))
            .build();
    vip.setStatus(vip.getStatus().withNodes(List.of(entry)));
    assertThat(run(vip, NO_SECRETS).vrid()).isEqualTo(51);
  }

  @Test
  void defaultsFillWhatTheSpecLeavesOut() {
    VipDefinition c = run(Fixtures.virtualIp("v"), NO_SECRETS);
    assertThat(c.vrid()).isEqualTo(51);
    assertThat(c.version()).isEqualTo(3);
    assertThat(c.priority()).isEqualTo(100);
    assertThat(c.advertIntervalCentis()).isEqualTo(100);
    assertThat(c.preempt()).isTrue();
    assertThat(c.preemptDelay()).isZero();
    assertThat(c.unicastPeers()).isEmpty();
    assertThat(c.password()).isNull();
    assertThat(c.interfaceName()).isNull();
  }

  @Test
  void priorityComesFromTheMapElseTheDefault() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(
        vip.getSpec().toBuilder().defaultPriority(90).priorities(Map.of("node-b", 200)).build());
    assertThat(run(vip, NO_SECRETS).priority()).isEqualTo(90);
    vip.setSpec(vip.getSpec().toBuilder().priorities(Map.of("node-a", 150, "node-b", 200)).build());
    assertThat(run(vip, NO_SECRETS).priority()).isEqualTo(150);
  }

  @Test
  void unicastPeersDefaultToTheOtherSelectedNodesInternalIpsOfTheSameFamily() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(vip.getSpec().toBuilder().mode(Mode.Unicast).nodeSelector(EDGE).build());
    assertThat(run(vip, NO_SECRETS).unicastPeers())
        .containsExactly(ip("192.0.2.2"), ip("192.0.2.3"));

    vip.setSpec(vip.getSpec().toBuilder().addresses(List.of("2001:db8::100/64")).build());
    assertThat(run(vip, NO_SECRETS).unicastPeers()).containsExactly(ip("2001:db8::3"));

    vip.setSpec(vip.getSpec().toBuilder().unicastPeers(List.of("2001:db8::77")).build());
    assertThat(run(vip, NO_SECRETS).unicastPeers()).containsExactly(ip("2001:db8::77"));
  }

  @Test
  void unicastWithoutAnyPeerWaitsRatherThanRunningAsMulticast() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(vip.getSpec().toBuilder().mode(Mode.Unicast).build());
    assertThat(resolver.resolve(vip, List.of(nodes.get(0)), NO_SECRETS))
        .isInstanceOf(Resolution.Waiting.class);
  }

  private static java.net.InetAddress ip(String text) {
    return io.virtualip.agent.spec.AddressPrefix.parseAddress(text);
  }

  @Test
  void multicastHasNoPeersSoNodeChurnCannotLookLikeAChange() {
    VirtualIP vip = Fixtures.virtualIp("v");
    VipDefinition before = run(vip, NO_SECRETS);
    VipDefinition after =
        ((Resolution.Run)
                resolver.resolve(
                    vip,
                    List.of(nodes.get(0), Fixtures.node("node-new", EDGE, "192.0.2.50")),
                    NO_SECRETS))
            .config();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void passwordComesFromTheSecretsDataAndIsRefusedAboveEightBytesAsInFileMode() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(
        vip.getSpec().toBuilder()
            .version(2)
            .authentication(Fixtures.passwordFromSecret("vrrp", "password"))
            .build());

    assertThat(resolver.resolve(vip, nodes, NO_SECRETS)).isInstanceOf(Resolution.Waiting.class);

    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("vrrp")
            .endMetadata()
            .addToData(
                "password",
                Base64.getEncoder()
                    .encodeToString("s3cr3t-and-more".getBytes(StandardCharsets.UTF_8)))
            .build();
    assertThat(resolver.resolve(vip, nodes, name -> name.equals("vrrp") ? secret : null))
        .isInstanceOfSatisfying(
            Resolution.Invalid.class,
            i ->
                assertThat(i.problem())
                    .startsWith("spec.authentication.secretRef: ")
                    .contains("must hold 1 to 8 bytes")
                    .doesNotContain("s3cr3t"));

    Secret eight =
        new SecretBuilder()
            .withNewMetadata()
            .withName("vrrp")
            .endMetadata()
            .addToData(
                "password",
                Base64.getEncoder().encodeToString("s3cr3t-a".getBytes(StandardCharsets.UTF_8)))
            .build();
    VipDefinition c = run(vip, name -> name.equals("vrrp") ? eight : null);
    assertThat(new String(c.password(), StandardCharsets.UTF_8)).isEqualTo("s3cr3t-a");
    assertThat(c.toString()).doesNotContain("s3cr3t");
    assertThat(run(vip, name -> eight)).isEqualTo(c).hasSameHashCodeAs(c);
  }

  @Test
  void waitsForTheOperatorsVridAndThenUsesIt() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(vip.getSpec().toBuilder().virtualRouterId(null).build());
    vip.setStatus(null);
    assertThat(resolver.resolve(vip, nodes, NO_SECRETS))
        .isEqualTo(new Resolution.Waiting(WAITING_FOR_VRID));
    vip.setStatus(VirtualIPStatus.EMPTY.withVirtualRouterId(7));
    assertThat(run(vip, NO_SECRETS).vrid()).isEqualTo(7);
  }

  @Test
  void aSpecVridTheOperatorHasNotConfirmedIsNotRun() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setStatus(null);
    assertThat(resolver.resolve(vip, nodes, NO_SECRETS))
        .isEqualTo(new Resolution.Waiting(WAITING_FOR_VRID));
    vip.setStatus(VirtualIPStatus.EMPTY);
    assertThat(resolver.resolve(vip, nodes, NO_SECRETS)).isInstanceOf(Resolution.Waiting.class);
    vip.setStatus(vip.getStatus().withVirtualRouterId(60));
    assertThat(run(vip, NO_SECRETS).vrid()).as("the operator's, not spec's 51").isEqualTo(60);
  }

  @Test
  void notSelectedWhenTheSelectorMisses() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(vip.getSpec().toBuilder().nodeSelector(Map.of("role", "other")).build());
    assertThat(resolver.resolve(vip, nodes, NO_SECRETS)).isInstanceOf(Resolution.NotSelected.class);
  }

  @Test
  void tracksKeepTheirOrderAndDefaults() {
    VirtualIP vip = Fixtures.virtualIp("v");
    Track iface = new Track("eth1", null, null, -20, null, null, null);
    Track http = new Track(null, new HttpGetTrack(8080, null, null), null, null, null, null, null);
    PodsTrack p =
        new PodsTrack("ingress", new LabelSelectorBuilder().addToMatchLabels("app", "lb").build());
    Track pods = new Track(null, null, p, 10, null, null, null);
    vip.setSpec(vip.getSpec().toBuilder().tracks(List.of(iface, http, pods)).build());

    VipDefinition d = run(vip, NO_SECRETS);
    assertThat(d.tracks()).containsExactly(new VipDefinition.InterfaceTrack("eth1", -20));
    assertThat(d.externalTracks())
        .containsExactly(
            new VipDefinition.ExternalTrack(
                "tracks[1] httpGet 127.0.0.1:8080/",
                0,
                new VipDefinition.HttpGetCheck("127.0.0.1", 8080, "/", 2, 2, 1)),
            new VipDefinition.ExternalTrack(
                "tracks[2] pods in ingress {app=lb}",
                10,
                null,
                new VipDefinition.PodsCheck("ingress", p.selector())));
  }

  @Test
  void aDurationThatIsNoneIsRefusedNotWaitedFor() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(vip.getSpec().toBuilder().advertisementInterval("soon").build());
    assertThat(resolver.resolve(vip, nodes, NO_SECRETS))
        .isInstanceOfSatisfying(
            Resolution.Invalid.class,
            i -> assertThat(i.problem()).startsWith("spec.advertisementInterval: "));
  }

  @Test
  void anAgentOfAnotherPlacementLeavesTheVirtualIpToThatPlacementsAgent() {
    VirtualIP vip = Fixtures.virtualIp("v");
    vip.setSpec(
        vip.getSpec().toBuilder()
            .nodeSelector(EDGE)
            .tolerations(
                List.of(
                    new TolerationBuilder().withKey("a").withOperator("Exists").build(),
                    new TolerationBuilder().withKey("b").withOperator("Exists").build()))
            .build());
    InstanceResolver edgeAgent =
        new InstanceResolver(
            "node-a",
            Placement.parse(
                "{\"nodeSelector\":{\"role\":\"edge\"},\"tolerations\":[{\"key\":\"b\",\"operator\":\"Exists\"},"
                    + "{\"key\":\"a\",\"operator\":\"Exists\"}]}"));
    InstanceResolver everyNodeAgent = new InstanceResolver("node-a", Placement.parse("{}"));
    assertThat(edgeAgent.resolve(vip, nodes, NO_SECRETS)).isInstanceOf(Resolution.Run.class);
    assertThat(everyNodeAgent.resolve(vip, nodes, NO_SECRETS))
        .isInstanceOf(Resolution.NotSelected.class);
    assertThat(everyNodeAgent.resolve(Fixtures.virtualIp("w"), nodes, NO_SECRETS))
        .isInstanceOf(Resolution.Run.class);
  }
}
