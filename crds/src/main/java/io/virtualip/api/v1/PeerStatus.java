package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

/**
 * A VRRP peer as one node's agent hears it.
 *
 * @param address the source address of its advertisements
 * @param priority the priority in its last accepted advertisement
 * @param lastHeard when that advertisement arrived (RFC 3339)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"address", "priority", "lastHeard"})
public record PeerStatus(
    @JsonPropertyDescription("Source address of the peer's advertisements.")
        @Size(max = NodeStatus.MAX_ADDRESS_LENGTH)
        String address,
    @JsonPropertyDescription("Priority in the peer's last accepted advertisement.")
        Integer priority,
    @JsonPropertyDescription("When the last advertisement from this peer arrived (RFC 3339).")
        @Size(max = NodeStatus.MAX_TIME_LENGTH)
        String lastHeard) {}
