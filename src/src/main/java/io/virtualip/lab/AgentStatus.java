package io.virtualip.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * What {@code virtualip-agent status} prints: one object for the agent, one entry per VRRP
 * instance. Fields the lab does not read are ignored, so the agent may report more.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentStatus(String node, List<Instance> instances) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param rejected adverts dropped by the validator, counted per reason
   * @param peers routers this instance has heard, with the time since their last advert
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Instance(
      String name,
      int vrid,
      String state,
      int priority,
      int effectivePriority,
      String masterAddress,
      long advertsSent,
      long advertsReceived,
      Map<String, Long> rejected,
      List<Peer> peers) {

    /** The peer with {@code address}, or null if the instance has never heard it. */
    public Peer peer(String address) {
      return peers == null
          ? null
          : peers.stream().filter(peer -> address.equals(peer.address())).findFirst().orElse(null);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Peer(String address, int priority, long lastHeardMillisAgo) {}

  public static AgentStatus parse(String json) {
    try {
      return JSON.readValue(json, AgentStatus.class);
    } catch (JsonProcessingException e) {
      throw new LabException("not an agent status: " + json.strip(), e);
    }
  }

  public Instance instance(String name) {
    return instances.stream()
        .filter(instance -> instance.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new LabException(
                    "agent on " + node + " reports no instance " + name + ": " + this));
  }
}
