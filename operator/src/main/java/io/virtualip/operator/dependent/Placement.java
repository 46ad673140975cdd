package io.virtualip.operator.dependent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Toleration;
import io.virtualip.api.v1.VirtualIP;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.TreeMap;

/**
 * Where agents must run: spec.nodeSelector and spec.tolerations. VirtualIPs with equal placements share one agent
 * DaemonSet, named after a hash of the placement's canonical JSON (keys sorted, tolerations sorted), so the name is
 * the same whichever VirtualIP is reconciled first and whatever order the user wrote.
 */
public record Placement(Map<String, String> nodeSelector, List<Toleration> tolerations) {

  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  public Placement {
    nodeSelector = Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector));
    tolerations = tolerations.stream().sorted(Comparator.comparing(Placement::json)).toList();
  }

  public static Placement of(VirtualIP vip) {
    var spec = vip.getSpec();
    return new Placement(spec == null || spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector(),
        spec == null || spec.getTolerations() == null ? List.of() : spec.getTolerations());
  }

  public boolean isEmpty() {
    return nodeSelector.isEmpty() && tolerations.isEmpty();
  }

  public String canonicalJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("nodeSelector", nodeSelector);
    doc.put("tolerations", tolerations);
    return json(doc);
  }

  /** First 10 hex characters of SHA-256 over the canonical JSON. */
  public String hash() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String json(Object value) {
    try {
      return CANONICAL.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + value, e);
    }
  }
}
