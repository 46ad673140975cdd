package io.virtualip.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import io.virtualip.agent.config.SpecDefaults;
import io.virtualip.api.v1.AuthenticationType;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.placement.NodeSelection;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a VirtualIP, this node, all Nodes and the agent namespace's Secrets into this node's instance configuration.
 * Pure: the same inputs give an equal {@link ResolvedInstance}, which is how the glue knows nothing changed.
 *
 * <p>The spec's defaults and this node's priority come from {@link SpecDefaults}, shared with the standalone
 * configuration loader.
 */
public final class InstanceResolver {

  /** RFC 3768 section 5.3.6.1: the simple text password occupies the 8 authentication bytes. */
  static final int MAX_PASSWORD_BYTES = 8;
  static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  static final String WAITING_FOR_VRID = "waiting for the operator's status.virtualRouterId (absent while the "
      + "VirtualIP is invalid or conflicts with another)";

  private final String nodeName;
  private final Placement placement;

  /** @param placement this agent's placement, or null to run every VirtualIP that selects the node */
  public InstanceResolver(String nodeName, Placement placement) {
    this.nodeName = Objects.requireNonNull(nodeName);
    this.placement = placement;
  }

  /**
   * @param nodes   every Node known (this one and the others, for default unicast peers)
   * @param secrets looks a Secret of the agent namespace up by name; null when absent
   */
  public Resolution resolve(VirtualIP vip, Collection<Node> nodes, Function<String, Secret> secrets) {
    VirtualIPSpec spec = vip.getSpec();
    Node self = nodes.stream().filter(n -> nodeName.equals(n.getMetadata().getName())).findFirst().orElse(null);
    if (self == null) {
      return new Resolution.Waiting("node " + nodeName + " is not known yet");
    }
    if (spec == null || !NodeSelection.selects(vip, self)
        || (placement != null && !placement.equals(Placement.of(spec)))) {
      return new Resolution.NotSelected();
    }
    if (spec.getAddresses() == null || spec.getAddresses().isEmpty()) {
      return new Resolution.Waiting("spec.addresses is empty");
    }
    // Only the operator's VRID: it leaves status.virtualRouterId absent while the VirtualIP conflicts with another
    // (or is invalid), so that the newer of two conflicting VirtualIPs never disturbs the older one's election.
    // spec.virtualRouterId is the operator's input, never run directly.
    Integer vrid = vip.getStatus() == null ? null : vip.getStatus().getVirtualRouterId();
    if (vrid == null) {
      return new Resolution.Waiting(WAITING_FOR_VRID);
    }
    byte[] password = null;
    if (spec.getAuthentication() != null && spec.getAuthentication().getType() == AuthenticationType.Password) {
      var ref = spec.getAuthentication().getSecretRef();
      if (ref == null) {
        return new Resolution.Waiting("authentication type Password without secretRef");
      }
      password = password(secrets.apply(ref.getName()), ref.getKey());
      if (password == null) {
        return new Resolution.Waiting("Secret " + ref.getName() + " with key " + ref.getKey() + " not found");
      }
    }
    Duration interval;
    Duration preemptDelay;
    try {
      interval = parseDuration(SpecDefaults.advertisementInterval(spec));
      preemptDelay = parseDuration(SpecDefaults.preemptDelay(spec));
    } catch (IllegalArgumentException e) {
      return new Resolution.Waiting(e.getMessage());
    }
    boolean ipv6 = spec.getAddresses().get(0).contains(":");
    Mode mode = SpecDefaults.mode(spec);
    List<String> peers = mode == Mode.Multicast ? List.of()
        : spec.getUnicastPeers() != null && !spec.getUnicastPeers().isEmpty() ? spec.getUnicastPeers()
        : otherNodesInternalIps(vip, nodes, ipv6);
    return new Resolution.Run(new ResolvedInstance(vrid, SpecDefaults.version(spec), spec.getAddresses(),
        spec.getInterfaceName(), interval, SpecDefaults.priority(spec, nodeName), SpecDefaults.preempt(spec),
        preemptDelay, mode, peers, password, tracks(spec.getTracks())));
  }

  /** Sorted, so that the order nodes arrive in never looks like a change. */
  private List<String> otherNodesInternalIps(VirtualIP vip, Collection<Node> nodes, boolean ipv6) {
    return nodes.stream()
        .filter(n -> !nodeName.equals(n.getMetadata().getName()))
        .filter(n -> NodeSelection.selects(vip, n))
        .filter(n -> n.getStatus() != null && n.getStatus().getAddresses() != null)
        .flatMap(n -> n.getStatus().getAddresses().stream())
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .filter(a -> a != null && a.contains(":") == ipv6)
        .sorted()
        .toList();
  }

  /**
   * A real API server stores only {@code data} (base64); {@code stringData} is read too for objects that never went
   * through one. Longer passwords are cut to 8 bytes, as keepalived does, so both sides send the same bytes.
   */
  static byte[] password(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    byte[] value = null;
    if (secret.getData() != null && secret.getData().get(key) != null) {
      value = Base64.getDecoder().decode(secret.getData().get(key));
    } else if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      value = secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
    }
    if (value == null || value.length == 0) {
      return null;
    }
    return value.length > MAX_PASSWORD_BYTES ? Arrays.copyOf(value, MAX_PASSWORD_BYTES) : value;
  }

  private static List<ResolvedTrack> tracks(List<Track> tracks) {
    List<ResolvedTrack> resolved = new ArrayList<>();
    for (Track t : tracks == null ? List.<Track>of() : tracks) {
      int weight = orDefault(t.getWeight(), 0);
      if (t.getHttpGet() != null) {
        var h = t.getHttpGet();
        resolved.add(new ResolvedTrack.HttpGetTrack(orDefault(h.getHost(), DEFAULT_HTTP_HOST), h.getPort(),
            orDefault(h.getPath(), "/"), weight, new ResolvedTrack.Thresholds(orDefault(t.getIntervalSeconds(), 2),
            orDefault(t.getFailureThreshold(), 2), orDefault(t.getSuccessThreshold(), 1))));
      } else if (t.getPods() != null) {
        resolved.add(new ResolvedTrack.PodsTrack(t.getPods().getNamespace(), t.getPods().getSelector(), weight));
      } else {
        resolved.add(new ResolvedTrack.InterfaceTrack(t.getInterfaceName(), weight));
      }
    }
    return resolved;
  }

  /** The CRD's duration forms: {@code 100ms}, {@code 1s}, {@code 0.25s}. */
  static Duration parseDuration(String text) {
    try {
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      }
      if (text.endsWith("s")) {
        BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
        return Duration.ofMillis(seconds.movePointRight(3).longValueExact());
      }
    } catch (ArithmeticException | NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("not a duration like 100ms, 1s or 0.25s: " + text);
  }

  private static <T> T orDefault(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
