package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * One node's view, written only by that node's agent.
 *
 * <p>Fifteen components, most of them optional: callers name what they set through {@link
 * #builder()} and {@link #toBuilder()} rather than by position.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "name",
  "state",
  "address",
  "priority",
  "effectivePriority",
  "masterAddress",
  "since",
  "reason",
  "reasonCode",
  "advertsSent",
  "advertsReceived",
  "rejected",
  "peers",
  "observedGeneration",
  "updated"
})
public record NodeStatus(
    @JsonPropertyDescription("Node name.") @Required @Size(max = MAX_NAME_LENGTH) String name,
    @JsonPropertyDescription(
            "VRRP state of this node: Init, Backup, Master, Fault, or Unknown when its agent's Lease has expired.")
        NodeState state,
    @JsonPropertyDescription(
            "The node's own address on the VRRP segment (the source of its advertisements).")
        @Size(max = MAX_ADDRESS_LENGTH)
        String address,
    @JsonPropertyDescription("Configured priority of this node.") Integer priority,
    @JsonPropertyDescription("Priority after track weights.") Integer effectivePriority,
    @JsonPropertyDescription(
            "Address of the master this node hears (its own address when it is master).")
        @Size(max = MAX_ADDRESS_LENGTH)
        String masterAddress,
    @JsonPropertyDescription("When this node entered its state (RFC 3339).")
        @Size(max = MAX_TIME_LENGTH)
        String since,
    @JsonPropertyDescription("Why this node entered its state, in words.")
        @Size(max = MAX_REASON_LENGTH)
        String reason,
    @JsonPropertyDescription(
            "Why this node entered its state, as a code for programs: for state Fault one of InterfaceMissing, NoOwnAddress, TrackFailing, InvalidSpec, DataPlaneError (io.virtualip.api.v1.contract.FaultReason); absent otherwise.")
        @Size(max = MAX_CODE_LENGTH)
        String reasonCode,
    @JsonPropertyDescription("Advertisements this node has sent.") Long advertsSent,
    @JsonPropertyDescription("Advertisements this node has accepted.") Long advertsReceived,
    @JsonPropertyDescription(
            "Advertisements this node received and rejected, by reason code (io.virtualip.api.v1.contract.RejectReason, for example AUTH_MISMATCH, INTERVAL_MISMATCH, BAD_TTL).")
        @Size(max = MAX_REJECTED_REASONS)
        Map<String, Long> rejected,
    @JsonPropertyDescription("Peers this node hears, with the time of their last advertisement.")
        @Size(max = MAX_PEERS)
        List<PeerStatus> peers,
    @JsonPropertyDescription("Generation of the VirtualIP this node's agent runs.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "When the agent last wrote this entry (RFC 3339); a master renews it as its claim.")
        @Size(max = MAX_TIME_LENGTH)
        String updated) {
  // Bounds of an entry, in the CRD as maxLength/maxItems/maxProperties: the API server refuses a
  // write beyond them, so the agent (the only writer) truncates to them. With room for 255 nodes
  // (one VRRP segment's worth).
  /** Kubernetes object names (DNS subdomains) are at most 253 characters. */
  public static final int MAX_NAME_LENGTH = 253;

  /** An IPv4 or IPv6 address in text, with a zone (fe80::1%eth0) at most 61 characters. */
  public static final int MAX_ADDRESS_LENGTH = 64;

  /** An RFC 3339 time. */
  public static final int MAX_TIME_LENGTH = 64;

  public static final int MAX_REASON_LENGTH = 1024;

  /** Rejection reasons (the agent's verdicts, about 25). */
  public static final int MAX_REJECTED_REASONS = 64;

  /** A reason code (FaultReason/RejectReason names are far shorter). */
  public static final int MAX_CODE_LENGTH = 64;

  /** Every other node of 255, plus one. */
  public static final int MAX_PEERS = 255;

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this entry's values, to make a copy with a few of them changed. */
  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .state(state)
        .address(address)
        .priority(priority)
        .effectivePriority(effectivePriority)
        .masterAddress(masterAddress)
        .since(since)
        .reason(reason)
        .reasonCode(reasonCode)
        .advertsSent(advertsSent)
        .advertsReceived(advertsReceived)
        .rejected(rejected)
        .peers(peers)
        .observedGeneration(observedGeneration)
        .updated(updated);
  }

  /** Components by name; unset ones stay null (absent in JSON). */
  public static final class Builder {
    private String name;
    private NodeState state;
    private String address;
    private Integer priority;
    private Integer effectivePriority;
    private String masterAddress;
    private String since;
    private String reason;
    private String reasonCode;
    private Long advertsSent;
    private Long advertsReceived;
    private Map<String, Long> rejected;
    private List<PeerStatus> peers;
    private Long observedGeneration;
    private String updated;

    private Builder() {}

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder state(NodeState v) {
      state = v;
      return this;
    }

    public Builder address(String v) {
      address = v;
      return this;
    }

    public Builder priority(Integer v) {
      priority = v;
      return this;
    }

    public Builder effectivePriority(Integer v) {
      effectivePriority = v;
      return this;
    }

    public Builder masterAddress(String v) {
      masterAddress = v;
      return this;
    }

    public Builder since(String v) {
      since = v;
      return this;
    }

    public Builder reason(String v) {
      reason = v;
      return this;
    }

    public Builder reasonCode(String v) {
      reasonCode = v;
      return this;
    }

    public Builder advertsSent(Long v) {
      advertsSent = v;
      return this;
    }

    public Builder advertsReceived(Long v) {
      advertsReceived = v;
      return this;
    }

    public Builder rejected(Map<String, Long> v) {
      rejected = v;
      return this;
    }

    public Builder peers(List<PeerStatus> v) {
      peers = v;
      return this;
    }

    public Builder observedGeneration(Long v) {
      observedGeneration = v;
      return this;
    }

    public Builder updated(String v) {
      updated = v;
      return this;
    }

    public NodeStatus build() {
      return new NodeStatus(
          name,
          state,
          address,
          priority,
          effectivePriority,
          masterAddress,
          since,
          reason,
          reasonCode,
          advertsSent,
          advertsReceived,
          rejected,
          peers,
          observedGeneration,
          updated);
    }
  }
}
