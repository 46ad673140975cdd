package io.virtualip.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.virtualip.api.v1.contract.Placement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final Toleration CONTROL_PLANE =
      new TolerationBuilder()
          .withKey("node-role.kubernetes.io/control-plane")
          .withOperator("Exists")
          .withEffect("NoSchedule")
          .build();
  private static final Toleration EDGE =
      new TolerationBuilder()
          .withKey("edge")
          .withOperator("Equal")
          .withValue("true")
          .withEffect("NoExecute")
          .build();

  @Test
  void theNameDependsOnWhatThePlacementSaysNotOnHowItIsWritten() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    Placement one = new Placement(ab, List.of(CONTROL_PLANE, EDGE));
    Placement other = new Placement(ba, List.of(EDGE, CONTROL_PLANE));
    assertThat(one).isEqualTo(other);
    assertThat(AgentDaemonSet.name(one))
        .isEqualTo(AgentDaemonSet.name(other))
        .matches("virtualip-agent-[0-9a-f]{10}");
    assertThat(one.canonicalJson())
        .isEqualTo(other.canonicalJson())
        .startsWith("{\"nodeSelector\":{\"a\":\"1\",\"b\":\"2\"}");
  }

  @Test
  void theCanonicalJsonReadsBackAsTheSamePlacement() {
    Placement placement = new Placement(Map.of("role", "lb"), List.of(EDGE, CONTROL_PLANE));
    var spec =
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
            .unmarshal(placement.canonicalJson(), io.virtualip.api.v1.VirtualIPSpec.class);
    assertThat(new Placement(spec.nodeSelector(), spec.tolerations())).isEqualTo(placement);
  }

  @Test
  void differentPlacementsGetDifferentNamesAndTheEmptyOneThePlainName() {
    Placement edge = new Placement(Map.of("role", "edge"), List.of());
    Placement edgeTolerating = new Placement(Map.of("role", "edge"), List.of(EDGE));
    assertThat(AgentDaemonSet.name(edge)).isNotEqualTo(AgentDaemonSet.name(edgeTolerating));
    assertThat(AgentDaemonSet.name(new Placement(Map.of(), List.of())))
        .isEqualTo("virtualip-agent");
  }
}
