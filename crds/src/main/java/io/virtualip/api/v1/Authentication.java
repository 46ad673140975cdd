package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.virtualip.api.v1.contract.SpecDefaults;
import java.util.Objects;

/** VRRPv2 authentication (RFC 3768 section 5.3.6); VRRPv3 removed authentication. */
@ValidationRule(
    value = "self.type != 'Password' || has(self.secretRef)",
    message =
        "authentication type Password needs secretRef {name, key} naming the Secret that holds the password",
    reason = "FieldValueRequired")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "secretRef"})
public class Authentication {

  @JsonPropertyDescription(
      "None (default) or Password: keepalived's auth_type PASS, a simple text password of at most 8 bytes, only with version 2.")
  @Default(SpecDefaults.AUTHENTICATION_TYPE)
  private AuthenticationType type;

  @JsonPropertyDescription("Secret key holding the password; required when type is Password.")
  private SecretKeySelector secretRef;

  public AuthenticationType getType() {
    return type;
  }

  public void setType(AuthenticationType type) {
    this.type = type;
  }

  public SecretKeySelector getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeySelector secretRef) {
    this.secretRef = secretRef;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Authentication other)) return false;
    return Objects.equals(type, other.type) && Objects.equals(secretRef, other.secretRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, secretRef);
  }

  @Override
  public String toString() {
    return "Authentication{" + "type=" + type + ", " + "secretRef=" + secretRef + "}";
  }
}
