package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.virtualip.api.v1.contract.SpecDefaults;

/**
 * Healthy while an HTTP GET on this node answers 2xx or 3xx.
 *
 * @param port the TCP port
 * @param path the path; absent means the CRD's default (/)
 * @param host the host; absent means 127.0.0.1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"port", "path", "host"})
public record HttpGetTrack(
    @JsonPropertyDescription("TCP port to connect to.") @Required @Min(1) @Max(65535) Integer port,
    @JsonPropertyDescription("Path to request, for example /healthz.")
        @Default(SpecDefaults.HTTP_PATH)
        @Size(max = 1024)
        @Pattern("^/.*$")
        String path,
    @JsonPropertyDescription(
            "Host to connect to; default 127.0.0.1 (the agent runs in the node's network namespace).")
        @Size(max = 253)
        String host) {}
