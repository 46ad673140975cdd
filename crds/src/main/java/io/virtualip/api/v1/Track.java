package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.virtualip.api.v1.contract.SpecDefaults;
import java.util.Objects;

/**
 * A health input that moves this node's VRRP priority, like keepalived's track_interface and
 * track_script. Exactly one of interface, httpGet or pods.
 */
@ValidationRule(
    value =
        "(has(self.interface) ? 1 : 0) + (has(self.httpGet) ? 1 : 0) + (has(self.pods) ? 1 : 0) == 1",
    message = "a track needs exactly one of interface, httpGet or pods")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "interface",
  "httpGet",
  "pods",
  "weight",
  "intervalSeconds",
  "failureThreshold",
  "successThreshold"
})
public class Track {

  @JsonProperty("interface")
  @JsonPropertyDescription("Healthy while this node interface is up and running.")
  @Size(min = 1, max = 15)
  private String interfaceName;

  @JsonPropertyDescription("Healthy while an HTTP GET answers 2xx or 3xx.")
  private HttpGetTrack httpGet;

  @JsonPropertyDescription("Healthy while a ready pod of the selector runs on this node.")
  private PodsTrack pods;

  @JsonPropertyDescription(
      "keepalived semantics: a positive weight is added to the priority while healthy, a negative weight is subtracted while failing, and 0 (default) puts the node in Fault while failing.")
  @Min(-254)
  @Max(254)
  @Default(SpecDefaults.TRACK_WEIGHT)
  private Integer weight;

  @JsonPropertyDescription("Seconds between checks (httpGet and pods).")
  @Min(1)
  @Max(3600)
  @Default(SpecDefaults.TRACK_INTERVAL_SECONDS)
  private Integer intervalSeconds;

  @JsonPropertyDescription("Consecutive failures before the track counts as failing.")
  @Min(1)
  @Max(100)
  @Default(SpecDefaults.TRACK_FAILURE_THRESHOLD)
  private Integer failureThreshold;

  @JsonPropertyDescription("Consecutive successes before a failing track counts as healthy again.")
  @Min(1)
  @Max(100)
  @Default(SpecDefaults.TRACK_SUCCESS_THRESHOLD)
  private Integer successThreshold;

  public String getInterfaceName() {
    return interfaceName;
  }

  public void setInterfaceName(String interfaceName) {
    this.interfaceName = interfaceName;
  }

  public HttpGetTrack getHttpGet() {
    return httpGet;
  }

  public void setHttpGet(HttpGetTrack httpGet) {
    this.httpGet = httpGet;
  }

  public PodsTrack getPods() {
    return pods;
  }

  public void setPods(PodsTrack pods) {
    this.pods = pods;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Integer getIntervalSeconds() {
    return intervalSeconds;
  }

  public void setIntervalSeconds(Integer intervalSeconds) {
    this.intervalSeconds = intervalSeconds;
  }

  public Integer getFailureThreshold() {
    return failureThreshold;
  }

  public void setFailureThreshold(Integer failureThreshold) {
    this.failureThreshold = failureThreshold;
  }

  public Integer getSuccessThreshold() {
    return successThreshold;
  }

  public void setSuccessThreshold(Integer successThreshold) {
    this.successThreshold = successThreshold;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Track other)) return false;
    return Objects.equals(interfaceName, other.interfaceName)
        && Objects.equals(httpGet, other.httpGet)
        && Objects.equals(pods, other.pods)
        && Objects.equals(weight, other.weight)
        && Objects.equals(intervalSeconds, other.intervalSeconds)
        && Objects.equals(failureThreshold, other.failureThreshold)
        && Objects.equals(successThreshold, other.successThreshold);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        interfaceName, httpGet, pods, weight, intervalSeconds, failureThreshold, successThreshold);
  }

  @Override
  public String toString() {
    return "Track{"
        + "interfaceName="
        + interfaceName
        + ", "
        + "httpGet="
        + httpGet
        + ", "
        + "pods="
        + pods
        + ", "
        + "weight="
        + weight
        + ", "
        + "intervalSeconds="
        + intervalSeconds
        + ", "
        + "failureThreshold="
        + failureThreshold
        + ", "
        + "successThreshold="
        + successThreshold
        + "}";
  }
}
