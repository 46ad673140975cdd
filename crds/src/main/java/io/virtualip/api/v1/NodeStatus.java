package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One node's view, written only by that node's agent. */
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
public class NodeStatus {
  // Bounds of an entry, in the CRD as maxLength/maxItems/maxProperties: the API server refuses a
  // write beyond them, so
  // the agent (the only writer) truncates to them. With room for 255 nodes (one VRRP segment's
  // worth).
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

  @JsonPropertyDescription("Node name.")
  @Required
  @Size(max = MAX_NAME_LENGTH)
  private String name;

  @JsonPropertyDescription(
      "VRRP state of this node: Init, Backup, Master, Fault, or Unknown when its agent's Lease has expired.")
  private NodeState state;

  @JsonPropertyDescription(
      "The node's own address on the VRRP segment (the source of its advertisements).")
  @Size(max = MAX_ADDRESS_LENGTH)
  private String address;

  @JsonPropertyDescription("Configured priority of this node.")
  private Integer priority;

  @JsonPropertyDescription("Priority after track weights.")
  private Integer effectivePriority;

  @JsonPropertyDescription(
      "Address of the master this node hears (its own address when it is master).")
  @Size(max = MAX_ADDRESS_LENGTH)
  private String masterAddress;

  @JsonPropertyDescription("When this node entered its state (RFC 3339).")
  @Size(max = MAX_TIME_LENGTH)
  private String since;

  @JsonPropertyDescription("Why this node entered its state, in words.")
  @Size(max = MAX_REASON_LENGTH)
  private String reason;

  @JsonPropertyDescription(
      "Why this node entered its state, as a code for programs: for state Fault one of InterfaceMissing, NoOwnAddress, TrackFailing, InvalidSpec, DataPlaneError (io.virtualip.api.v1.contract.FaultReason); absent otherwise.")
  @Size(max = MAX_CODE_LENGTH)
  private String reasonCode;

  @JsonPropertyDescription("Advertisements this node has sent.")
  private Long advertsSent;

  @JsonPropertyDescription("Advertisements this node has accepted.")
  private Long advertsReceived;

  @JsonPropertyDescription(
      "Advertisements this node received and rejected, by reason code (io.virtualip.api.v1.contract.RejectReason, for example AUTH_MISMATCH, INTERVAL_MISMATCH, BAD_TTL).")
  @Size(max = MAX_REJECTED_REASONS)
  private Map<String, Long> rejected;

  @JsonPropertyDescription("Peers this node hears, with the time of their last advertisement.")
  @Size(max = MAX_PEERS)
  private List<PeerStatus> peers;

  @JsonPropertyDescription("Generation of the VirtualIP this node's agent runs.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "When the agent last wrote this entry (RFC 3339); a master renews it as its claim.")
  @Size(max = MAX_TIME_LENGTH)
  private String updated;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public NodeState getState() {
    return state;
  }

  public void setState(NodeState state) {
    this.state = state;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  public Integer getEffectivePriority() {
    return effectivePriority;
  }

  public void setEffectivePriority(Integer effectivePriority) {
    this.effectivePriority = effectivePriority;
  }

  public String getMasterAddress() {
    return masterAddress;
  }

  public void setMasterAddress(String masterAddress) {
    this.masterAddress = masterAddress;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getReasonCode() {
    return reasonCode;
  }

  public void setReasonCode(String reasonCode) {
    this.reasonCode = reasonCode;
  }

  public Long getAdvertsSent() {
    return advertsSent;
  }

  public void setAdvertsSent(Long advertsSent) {
    this.advertsSent = advertsSent;
  }

  public Long getAdvertsReceived() {
    return advertsReceived;
  }

  public void setAdvertsReceived(Long advertsReceived) {
    this.advertsReceived = advertsReceived;
  }

  public Map<String, Long> getRejected() {
    return rejected;
  }

  public void setRejected(Map<String, Long> rejected) {
    this.rejected = rejected;
  }

  public List<PeerStatus> getPeers() {
    return peers;
  }

  public void setPeers(List<PeerStatus> peers) {
    this.peers = peers;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getUpdated() {
    return updated;
  }

  public void setUpdated(String updated) {
    this.updated = updated;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof NodeStatus other)) return false;
    return Objects.equals(name, other.name)
        && Objects.equals(state, other.state)
        && Objects.equals(address, other.address)
        && Objects.equals(priority, other.priority)
        && Objects.equals(effectivePriority, other.effectivePriority)
        && Objects.equals(masterAddress, other.masterAddress)
        && Objects.equals(since, other.since)
        && Objects.equals(reason, other.reason)
        && Objects.equals(reasonCode, other.reasonCode)
        && Objects.equals(advertsSent, other.advertsSent)
        && Objects.equals(advertsReceived, other.advertsReceived)
        && Objects.equals(rejected, other.rejected)
        && Objects.equals(peers, other.peers)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(updated, other.updated);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
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

  @Override
  public String toString() {
    return "NodeStatus{"
        + "name="
        + name
        + ", "
        + "state="
        + state
        + ", "
        + "address="
        + address
        + ", "
        + "priority="
        + priority
        + ", "
        + "effectivePriority="
        + effectivePriority
        + ", "
        + "masterAddress="
        + masterAddress
        + ", "
        + "since="
        + since
        + ", "
        + "reason="
        + reason
        + ", "
        + "reasonCode="
        + reasonCode
        + ", "
        + "advertsSent="
        + advertsSent
        + ", "
        + "advertsReceived="
        + advertsReceived
        + ", "
        + "rejected="
        + rejected
        + ", "
        + "peers="
        + peers
        + ", "
        + "observedGeneration="
        + observedGeneration
        + ", "
        + "updated="
        + updated
        + "}";
  }
}
