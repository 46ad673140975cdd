package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Points at one key of a Secret that holds the VRRP password.
 *
 * @param name the Secret
 * @param key the key inside it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "key"})
public record SecretKeySelector(
    @JsonPropertyDescription(
            "Name of the Secret (in the operator's namespace; the standalone agent reads DIR/name/key).")
        @Required
        @Size(min = 1, max = 253)
        String name,
    @JsonPropertyDescription(
            "Key inside the Secret whose value is the password (1 to 8 bytes, as VRRPv2 simple text authentication allows).")
        @Required
        @Size(min = 1, max = 253)
        String key) {}
