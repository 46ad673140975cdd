package io.virtualip.agent.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.VirtualIPStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes glue compiles every VirtualIP of its node on each informer event; the CRD's
 * validation runs again only when what it judges changed: the spec or status.virtualRouterId (issue
 * 14: validating unchanged VirtualIPs on every status write was most of an agent's CPU).
 */
class SpecCompilerMemoTest {
  private final SpecCompiler compiler = new SpecCompiler();
  private final NodeFacts node = new NodeFacts("node-a", List.of(), List.of());

  private static VirtualIP vip(String resourceVersion, Integer vrid, String reportedState) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName("vi-1");
    vip.getMetadata().setUid("2f0c4b1e-0000-4000-8000-000000000001");
    vip.getMetadata().setResourceVersion(resourceVersion);
    VirtualIPSpec spec = VirtualIPSpec.builder().addresses(List.of("192.0.2.100/24")).build();
    vip.setSpec(spec);
    NodeStatus entry =
        NodeStatus.builder().name("node-b").state(NodeState.valueOf(reportedState)).build();
    vip.setStatus(VirtualIPStatus.EMPTY.withVirtualRouterId(vrid).withNodes(List.of(entry)));
    return vip;
  }

  private Compiled compile(VirtualIP vip) {
    return compiler.compile(vip, node, (name, key) -> null, Source.CLUSTER, "VirtualIP vi-1");
  }

  @Test
  void anAgentsStatusWriteDoesNotValidateTheVirtualIpAgainButASpecOrVridChangeDoes() {
    Compiled first = compile(vip("10", 51, "Backup"));
    assertThat(first).isInstanceOf(Compiled.Run.class);
    assertThat(compiler.validations()).isEqualTo(1);

    // Another node's report changed: a new resourceVersion, the same spec and VRID.
    assertThat(compile(vip("11", 51, "Master"))).isEqualTo(first);
    assertThat(compiler.validations()).isEqualTo(1);

    VirtualIP edited = vip("12", 51, "Master");
    edited.setSpec(edited.getSpec().toBuilder().defaultPriority(90).build());
    Compiled afterEdit = compile(edited);
    assertThat(((Compiled.Run) afterEdit).definition().priority()).isEqualTo(90);
    assertThat(compiler.validations()).isEqualTo(2);

    // The same VirtualIP object given another spec is seen as changed too.
    edited.setSpec(edited.getSpec().toBuilder().defaultPriority(80).build());
    assertThat(((Compiled.Run) compile(edited)).definition().priority()).isEqualTo(80);
    assertThat(compiler.validations()).isEqualTo(3);

    VirtualIP moved = vip("13", 52, "Master");
    moved.setSpec(moved.getSpec().toBuilder().defaultPriority(80).build());
    assertThat(((Compiled.Run) compile(moved)).definition().vrid()).isEqualTo(52);
    assertThat(compiler.validations()).isEqualTo(4);
  }
}
