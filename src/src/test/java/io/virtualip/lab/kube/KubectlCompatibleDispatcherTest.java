package io.virtualip.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.virtualip.api.v1.VirtualIP;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What kubectl and the operator ask of the embedded API, over plain HTTP (runs where kubectl is
 * absent, too).
 */
class KubectlCompatibleDispatcherTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedApiServer api;

  @BeforeEach
  void start() {
    api = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0);
    api.applyVirtualIpCrd();
    api.client()
        .resource(
            api.client()
                .getKubernetesSerialization()
                .unmarshal(
                    """
                apiVersion: virtualip.io/v1
                kind: VirtualIP
                metadata: {name: seed-vi-1}
                spec: {addresses: ["192.0.2.100/24"], virtualRouterId: 51}
                """,
                    VirtualIP.class))
        .create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void discoveryAnnouncesBuiltInTypesAndTheStoredCrd() throws Exception {
    assertThat(get("/version").path("minor").asText()).isEqualTo("32");
    assertThat(get("/api").path("versions").get(0).asText()).isEqualTo("v1");
    assertThat(names(get("/api/v1"))).contains("nodes", "events", "secrets", "namespaces");
    assertThat(names(get("/apis").path("groups")))
        .contains("virtualip.io", "apps", "coordination.k8s.io");
    JsonNode virtualIp = get("/apis/virtualip.io/v1?timeout=32s");
    assertThat(names(virtualIp.path("resources")))
        .containsExactly("virtualips", "virtualips/status");
    JsonNode resource = virtualIp.path("resources").get(0);
    assertThat(resource.path("namespaced").asBoolean()).isFalse();
    assertThat(resource.path("shortNames").get(0).asText()).isEqualTo("vip");
    assertThat(resource.path("kind").asText()).isEqualTo("VirtualIP");
  }

  @Test
  void tablesCarryThePrinterColumns() throws Exception {
    JsonNode table =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(api.url() + "/apis/virtualip.io/v1/virtualips?limit=500"))
                        .header(
                            "Accept",
                            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    List<String> columns = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns)
        .containsExactlyInAnyOrder(
            "Name", "ADDRESSES", "VRID", "MASTER", "READY", "SPLIT-BRAIN", "AGE");
    JsonNode cells = table.path("rows").get(0).path("cells");
    assertThat(cells.get(0).asText()).isEqualTo("seed-vi-1");
    assertThat(cells.get(columns.indexOf("ADDRESSES")).asText()).isEqualTo("[\"192.0.2.100/24\"]");
    assertThat(cells.get(columns.indexOf("MASTER")).isNull()).isTrue();
    assertThat(table.path("rows").get(0).path("object").path("kind").asText())
        .isEqualTo("PartialObjectMetadata");
  }

  @Test
  void listsAreFilteredByAnyFieldAndNamedByKind() throws Exception {
    for (String about : List.of("seed-vi-1", "other")) {
      api.client()
          .v1()
          .events()
          .inNamespace("default")
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(about + ".e")
                  .withNamespace("default")
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder().withKind("VirtualIP").withName(about).build())
                  .withReason("Test")
                  .build())
          .create();
    }
    String selector =
        URLEncoder.encode(
            "involvedObject.name=seed-vi-1,involvedObject.namespace=", StandardCharsets.UTF_8);
    JsonNode events = get("/api/v1/events?fieldSelector=" + selector);
    assertThat(events.path("kind").asText()).isEqualTo("EventList");
    assertThat(events.path("items")).hasSize(1);
    assertThat(events.path("items").get(0).path("involvedObject").path("name").asText())
        .isEqualTo("seed-vi-1");
  }

  @Test
  void aFailedJsonPatchTestIs422AndApplyAddsAFinalizer() throws Exception {
    String path = "/apis/virtualip.io/v1/virtualips/seed-vi-1";
    HttpResponse<String> failed =
        send(
            "PATCH",
            path,
            "application/json-patch+json",
            "[{\"op\":\"test\",\"path\":\"/spec/virtualRouterId\",\"value\":52}]");
    assertThat(failed.statusCode()).isEqualTo(422);

    HttpResponse<String> applied =
        send(
            "PATCH",
            path + "?fieldManager=virtualip&force=true",
            "application/apply-patch+yaml",
            "{\"apiVersion\":\"virtualip.io/v1\",\"kind\":\"VirtualIP\","
                + "\"metadata\":{\"name\":\"seed-vi-1\",\"finalizers\":[\"virtualips.virtualip.io/finalizer\"]}}");
    assertThat(applied.statusCode()).isEqualTo(200);
    VirtualIP stored = api.client().resources(VirtualIP.class).withName("seed-vi-1").get();
    assertThat(stored.getMetadata().getFinalizers())
        .containsExactly("virtualips.virtualip.io/finalizer");
    assertThat(stored.getSpec().virtualRouterId()).isEqualTo(51);

    assertThat(
            send(
                    "PATCH",
                    path + "/status?fieldManager=virtualip-agent-n1",
                    "application/apply-patch+yaml",
                    "{\"status\":{\"nodes\":[{\"name\":\"n1\"}]}}")
                .statusCode())
        .as("apply to /status")
        .isEqualTo(415);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(api.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    (list.has("resources") ? list.path("resources") : list)
        .forEach(n -> names.add(n.path("name").asText()));
    return names;
  }
}
