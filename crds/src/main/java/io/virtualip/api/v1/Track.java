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

/**
 * A health input that moves this node's VRRP priority, like keepalived's track_interface and
 * track_script. Exactly one of interface, httpGet or pods. Absent numbers mean the CRD's defaults
 * ({@link SpecDefaults}).
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
public record Track(
    @JsonProperty("interface")
        @JsonPropertyDescription("Healthy while this node interface is up and running.")
        @Size(min = 1, max = 15)
        String interfaceName,
    @JsonPropertyDescription("Healthy while an HTTP GET answers 2xx or 3xx.") HttpGetTrack httpGet,
    @JsonPropertyDescription("Healthy while a ready pod of the selector runs on this node.")
        PodsTrack pods,
    @JsonPropertyDescription(
            "keepalived semantics: a positive weight is added to the priority while healthy, a negative weight is subtracted while failing, and 0 (default) puts the node in Fault while failing.")
        @Min(-254)
        @Max(254)
        @Default(SpecDefaults.TRACK_WEIGHT)
        Integer weight,
    @JsonPropertyDescription("Seconds between checks (httpGet and pods).")
        @Min(1)
        @Max(3600)
        @Default(SpecDefaults.TRACK_INTERVAL_SECONDS)
        Integer intervalSeconds,
    @JsonPropertyDescription("Consecutive failures before the track counts as failing.")
        @Min(1)
        @Max(100)
        @Default(SpecDefaults.TRACK_FAILURE_THRESHOLD)
        Integer failureThreshold,
    @JsonPropertyDescription(
            "Consecutive successes before a failing track counts as healthy again.")
        @Min(1)
        @Max(100)
        @Default(SpecDefaults.TRACK_SUCCESS_THRESHOLD)
        Integer successThreshold) {}
