package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.virtualip.api.v1.contract.SpecDefaults;

/**
 * VRRPv2 authentication (RFC 3768 section 5.3.6); VRRPv3 removed authentication.
 *
 * @param type None or Password; absent means the CRD's default (None)
 * @param secretRef where the password is, for Password
 */
@ValidationRule(
    value = "self.type != 'Password' || has(self.secretRef)",
    message =
        "authentication type Password needs secretRef {name, key} naming the Secret that holds the password",
    reason = "FieldValueRequired")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "secretRef"})
public record Authentication(
    @JsonPropertyDescription(
            "None (default) or Password: keepalived's auth_type PASS, a simple text password of at most 8 bytes, only with version 2.")
        @Default(SpecDefaults.AUTHENTICATION_TYPE)
        AuthenticationType type,
    @JsonPropertyDescription("Secret key holding the password; required when type is Password.")
        SecretKeySelector secretRef) {}
