package io.virtualip.lab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.lab.ExecResult;
import io.virtualip.lab.kube.EmbeddedApiServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl get vip} as text: from the real kubectl where it is installed, otherwise the same
 * table asked of the API server ({@code Accept: ...;as=Table}, built from the CRD's printer
 * columns) and laid out as kubectl does.
 */
final class VipTable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private VipTable() {}

  static String render(ClusterLab cluster) {
    if (cluster.kubectl().isPresent()) {
      ExecResult result = cluster.kubectl().get().run("get", "vip");
      return result.succeeded() ? result.stdout() : "kubectl failed: " + result.stderr();
    }
    if (cluster.api() instanceof EmbeddedApiServer mock) {
      return fromApi(mock);
    }
    return "kubectl is missing (build.sh puts one next to kube-apiserver)\n";
  }

  static String fromApi(EmbeddedApiServer api) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(api.url() + "/apis/virtualip.io/v1/virtualips"))
                      .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
                      .header("Authorization", "Bearer virtualip-lab")
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return layout(JSON.readTree(response.body()));
    } catch (IOException e) {
      return "cannot read the table: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * kubectl's layout: upper-case headers, columns as wide as their widest cell plus three spaces.
   */
  static String layout(JsonNode table) {
    List<List<String>> lines = new ArrayList<>();
    List<String> header = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> header.add(c.path("name").asText().toUpperCase()));
    lines.add(header);
    table
        .path("rows")
        .forEach(
            row -> {
              List<String> cells = new ArrayList<>();
              row.path("cells").forEach(c -> cells.add(c.isNull() ? "<none>" : c.asText()));
              lines.add(cells);
            });
    int[] widths = new int[header.size()];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size() && i < widths.length; i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> line : lines) {
      StringBuilder row = new StringBuilder();
      for (int i = 0; i < line.size() && i < widths.length; i++) {
        row.append(
            i + 1 < line.size()
                ? String.format("%-" + (widths[i] + 3) + "s", line.get(i))
                : line.get(i));
      }
      text.append(row.toString().stripTrailing()).append('\n');
    }
    if (lines.size() == 1) {
      return "No resources found\n";
    }
    return text.toString();
  }
}
