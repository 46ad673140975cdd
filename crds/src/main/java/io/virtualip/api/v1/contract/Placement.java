package io.virtualip.api.v1.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where agents must run: spec.nodeSelector and spec.tolerations. VirtualIPs with equal placements
 * share one agent DaemonSet, named after a hash of the placement's canonical JSON (keys sorted,
 * tolerations sorted), so the name is the same whichever VirtualIP is reconciled first and whatever
 * order the user wrote. The operator hands the canonical JSON to the agent in {@code
 * VIRTUALIP_PLACEMENT}; the agent runs only the VirtualIPs whose placement equals its own, since a
 * node two placements select runs two agents. One record for both sides, so they agree on equality:
 * an absent and an empty nodeSelector are the same, and the order of tolerations does not matter.
 */
public record Placement(Map<String, String> nodeSelector, List<Toleration> tolerations) {

  /**
   * Label on agent DaemonSets and on VirtualIPs: the placement's {@link #hash}. The operator labels
   * each VirtualIP with it, so an agent lists and watches only the VirtualIPs of its own placement.
   */
  public static final String LABEL = "virtualip.io/placement";

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  public Placement {
    nodeSelector =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(nodeSelector == null ? Map.of() : nodeSelector));
    tolerations =
        (tolerations == null ? List.<Toleration>of() : tolerations)
            .stream().sorted(Comparator.comparing(Placement::json)).distinct().toList();
  }

  public static Placement of(VirtualIP vip) {
    return of(vip.getSpec());
  }

  public static Placement of(VirtualIPSpec spec) {
    return spec == null
        ? new Placement(null, null)
        : new Placement(spec.nodeSelector(), spec.tolerations());
  }

  /**
   * Parses the canonical JSON ({@code {"nodeSelector":{...},"tolerations":[...]}}) as {@code
   * VIRTUALIP_PLACEMENT} carries it.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Placement parse(String json) {
    VirtualIPSpec spec;
    try {
      spec = new KubernetesSerialization().unmarshal(json, VirtualIPSpec.class);
    } catch (RuntimeException e) {
      // fabric8 wraps the parser's message in a generic "An error has occurred."; the root cause
      // says what is wrong.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      String detail =
          cause.getMessage() == null
              ? cause.toString()
              : cause.getMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException(
          "VIRTUALIP_PLACEMENT is not {\"nodeSelector\":{...},\"tolerations\":[...]}: " + detail,
          e);
    }
    return of(spec);
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
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
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
