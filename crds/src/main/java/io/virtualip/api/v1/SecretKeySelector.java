package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** Points at one key of a Secret that holds the VRRP password. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "key"})
public class SecretKeySelector {

  @JsonPropertyDescription(
      "Name of the Secret (in the operator's namespace; the standalone agent reads DIR/name/key).")
  @Required
  @Size(min = 1, max = 253)
  private String name;

  @JsonPropertyDescription(
      "Key inside the Secret whose value is the password (1 to 8 bytes, as VRRPv2 simple text authentication allows).")
  @Required
  @Size(min = 1, max = 253)
  private String key;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof SecretKeySelector other)) return false;
    return Objects.equals(name, other.name) && Objects.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }

  @Override
  public String toString() {
    return "SecretKeySelector{" + "name=" + name + ", " + "key=" + key + "}";
  }
}
