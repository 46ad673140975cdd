package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import io.virtualip.agent.spec.Compiled;
import io.virtualip.agent.spec.NodeFacts;
import io.virtualip.agent.spec.Source;
import io.virtualip.agent.spec.SpecCompiler;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.api.v1.placement.NodeSelection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a VirtualIP, this node, all Nodes and the agent namespace's Secrets into this node's
 * instance definition. What is cluster-specific lives here: whether the placement selects this
 * node, the other nodes' InternalIPs as default unicast peers, Secrets as API objects. The spec
 * itself is judged by the {@link SpecCompiler} file mode uses too, so one spec gets one verdict in
 * both. Pure: the same inputs give an equal {@link Resolution}, which is how the glue knows nothing
 * changed.
 */
public final class InstanceResolver {

  private final String nodeName;
  private final Placement placement;
  private final SpecCompiler compiler = new SpecCompiler();

  /**
   * @param placement this agent's placement, or null to run every VirtualIP that selects the node
   */
  public InstanceResolver(String nodeName, Placement placement) {
    this.nodeName = Objects.requireNonNull(nodeName);
    this.placement = placement;
  }

  /**
   * @param nodes every Node known (this one and the others, for default unicast peers)
   * @param secrets looks a Secret of the agent namespace up by name; null when absent
   */
  public Resolution resolve(
      VirtualIP vip, Collection<Node> nodes, Function<String, Secret> secrets) {
    Node self =
        nodes.stream()
            .filter(n -> nodeName.equals(n.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    if (self == null) {
      return new Resolution.Waiting("node " + nodeName + " is not known yet");
    }
    if (vip.getSpec() == null
        || !NodeSelection.selects(vip, self)
        || (placement != null && !placement.equals(Placement.of(vip)))) {
      return new Resolution.NotSelected();
    }
    NodeFacts facts = new NodeFacts(nodeName, List.of(), otherNodesInternalIps(vip, nodes));
    Compiled verdict =
        compiler.compile(
            vip,
            facts,
            (name, key) -> password(secrets.apply(name), key),
            Source.CLUSTER,
            "VirtualIP " + vip.getMetadata().getName());
    if (verdict instanceof Compiled.Run run) {
      return new Resolution.Run(run.definition());
    }
    if (verdict instanceof Compiled.Waiting waiting) {
      return new Resolution.Waiting(waiting.reason());
    }
    return new Resolution.Invalid(verdict.toString());
  }

  /** Sorted, so that the order nodes arrive in never looks like a change. */
  private List<String> otherNodesInternalIps(VirtualIP vip, Collection<Node> nodes) {
    return nodes.stream()
        .filter(n -> !nodeName.equals(n.getMetadata().getName()))
        .filter(n -> NodeSelection.selects(vip, n))
        .filter(n -> n.getStatus() != null && n.getStatus().getAddresses() != null)
        .flatMap(n -> n.getStatus().getAddresses().stream())
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .filter(Objects::nonNull)
        .sorted()
        .toList();
  }

  /**
   * A real API server stores only {@code data} (base64); {@code stringData} is read too for objects
   * that never went through one. The bytes as they are: the compiler refuses a password it cannot
   * send as written.
   */
  static Optional<byte[]> password(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        return Optional.of(Base64.getDecoder().decode(secret.getData().get(key)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Secret " + secret.getMetadata().getName() + " key " + key + " is not base64");
      }
    }
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      return Optional.of(secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }
}
