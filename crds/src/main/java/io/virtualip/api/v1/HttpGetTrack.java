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
import java.util.Objects;

/** Healthy while an HTTP GET on this node answers 2xx or 3xx. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"port", "path", "host"})
public class HttpGetTrack {

  @JsonPropertyDescription("TCP port to connect to.")
  @Required
  @Min(1)
  @Max(65535)
  private Integer port;

  @JsonPropertyDescription("Path to request, for example /healthz.")
  @Default(SpecDefaults.HTTP_PATH)
  @Size(max = 1024)
  @Pattern("^/.*$")
  private String path;

  @JsonPropertyDescription(
      "Host to connect to; default 127.0.0.1 (the agent runs in the node's network namespace).")
  @Size(max = 253)
  private String host;

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof HttpGetTrack other)) return false;
    return Objects.equals(port, other.port)
        && Objects.equals(path, other.path)
        && Objects.equals(host, other.host);
  }

  @Override
  public int hashCode() {
    return Objects.hash(port, path, host);
  }

  @Override
  public String toString() {
    return "HttpGetTrack{" + "port=" + port + ", " + "path=" + path + ", " + "host=" + host + "}";
  }
}
