package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A VRRP peer as one node's agent hears it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"address", "priority", "lastHeard"})
public class PeerStatus {

  @JsonPropertyDescription("Source address of the peer's advertisements.")
  @Size(max = NodeStatus.MAX_ADDRESS_LENGTH)
  private String address;

  @JsonPropertyDescription("Priority in the peer's last accepted advertisement.")
  private Integer priority;

  @JsonPropertyDescription("When the last advertisement from this peer arrived (RFC 3339).")
  @Size(max = NodeStatus.MAX_TIME_LENGTH)
  private String lastHeard;

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

  public String getLastHeard() {
    return lastHeard;
  }

  public void setLastHeard(String lastHeard) {
    this.lastHeard = lastHeard;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof PeerStatus other)) return false;
    return Objects.equals(address, other.address)
        && Objects.equals(priority, other.priority)
        && Objects.equals(lastHeard, other.lastHeard);
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, priority, lastHeard);
  }

  @Override
  public String toString() {
    return "PeerStatus{"
        + "address="
        + address
        + ", "
        + "priority="
        + priority
        + ", "
        + "lastHeard="
        + lastHeard
        + "}";
  }
}
