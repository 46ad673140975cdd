package io.virtualip.api.v1.placement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Toleration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A placement (spec.nodeSelector + spec.tolerations) as one short key, the same for the operator and the agents: its
 * canonical JSON (keys sorted, tolerations sorted by their JSON) and the first 10 hex characters of SHA-256 over it.
 * The operator names the agent DaemonSet after it and labels each VirtualIP with it ({@link #LABEL}), so an agent
 * watches only the VirtualIPs of its own placement.
 */
public final class PlacementKey {

  /** Label on agent DaemonSets and on VirtualIPs: the placement's {@link #hash}. */
  public static final String LABEL = "virtualip.io/placement";

  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private PlacementKey() {
  }

  /** {@code {"nodeSelector":{...},"tolerations":[...]}} with sorted keys and sorted tolerations. */
  public static String canonicalJson(Map<String, String> nodeSelector, Collection<Toleration> tolerations) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("nodeSelector", new TreeMap<>(nodeSelector == null ? Map.of() : nodeSelector));
    doc.put("tolerations", sorted(tolerations));
    return json(doc);
  }

  public static List<Toleration> sorted(Collection<Toleration> tolerations) {
    return tolerations == null ? List.of()
        : tolerations.stream().sorted(Comparator.comparing(PlacementKey::json)).toList();
  }

  /** First 10 hex characters of SHA-256 over the canonical JSON. */
  public static String hash(String canonicalJson) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String hash(Map<String, String> nodeSelector, Collection<Toleration> tolerations) {
    return hash(canonicalJson(nodeSelector, tolerations));
  }

  private static String json(Object value) {
    try {
      return CANONICAL.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + value, e);
    }
  }
}
