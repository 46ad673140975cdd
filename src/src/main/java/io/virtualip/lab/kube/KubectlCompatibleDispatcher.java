package io.virtualip.lab.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * fabric8's CRUD mock with what the real kubectl and our programs need from a real API server (see
 * {@code /work/shared/reference/mock-api-server.md}): discovery built from the built-in types and
 * the stored CRDs, {@code /version}, tables for {@code Accept: ...;as=Table} from the CRD's printer
 * columns, field selectors on any field for lists, writes with a query string (kubectl's {@code
 * ?fieldManager=}, the operator's status updates), a failed JSON-patch {@code test} answered 422 as
 * a real server does (the mock would hang the request), a simplified {@link ServerSideApply
 * server-side apply}, and self-reviews that allow everything.
 *
 * <p>Watches and everything else go to the mock unchanged.
 */
final class KubectlCompatibleDispatcher extends KubernetesCrudDispatcher {

  private static final System.Logger LOG =
      System.getLogger(KubectlCompatibleDispatcher.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AUTHORIZATION = "/apis/authorization.k8s.io/v1/";
  private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final String serverVersion;
  private final ServerSideApply apply = new ServerSideApply();
  private volatile String serverAddress = "127.0.0.1:0";

  /**
   * @param serverVersion the Kubernetes minor version to announce on {@code /version}, e.g. {@code
   *     "32"}
   */
  KubectlCompatibleDispatcher(String serverVersion) {
    this.serverVersion = serverVersion;
  }

  void serverAddress(String hostPort) {
    this.serverAddress = hostPort;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      return route(request);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "embedded API server failed on " + request.getMethod() + " " + request.getPath(),
          e);
      return status(500, "InternalError", e.toString());
    }
  }

  private MockResponse route(RecordedRequest request) {
    String[] pathAndQuery = request.getPath().split("\\?", 2);
    String path =
        pathAndQuery[0].endsWith("/") && pathAndQuery[0].length() > 1
            ? pathAndQuery[0].substring(0, pathAndQuery[0].length() - 1)
            : pathAndQuery[0];
    Map<String, String> query = query(pathAndQuery.length > 1 ? pathAndQuery[1] : "");
    boolean get = "GET".equals(request.getMethod());
    if (get) {
      Optional<MockResponse> discovery = discovery(path);
      if (discovery.isPresent()) {
        return discovery.get();
      }
    }
    if ("POST".equals(request.getMethod()) && path.startsWith(AUTHORIZATION)) {
      return review(path, request);
    }
    String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
    if ("PATCH".equals(request.getMethod()) && contentType.startsWith("application/apply-patch")) {
      return apply(request, path, query.getOrDefault("fieldManager", ""));
    }
    if ("DELETE".equals(request.getMethod())) {
      apply.forget(path);
    }
    if (!get) {
      // kubectl sends ?fieldManager=...&fieldValidation=...; the mock would take the query for part
      // of the name.
      return super.dispatch(withPath(request, path));
    }
    if ("true".equals(query.get("watch"))) {
      return super.dispatch(request);
    }
    String selector = query.remove("fieldSelector");
    MockResponse response = super.dispatch(withPath(request, path + encode(query)));
    if (response.code() != 200) {
      return response;
    }
    JsonNode body = read(response);
    if (selector != null && body.has("items")) {
      FieldSelector fields = FieldSelector.parse(selector);
      ArrayNode kept = JSON.createArrayNode();
      body.get("items")
          .forEach(
              item -> {
                if (fields.matches(item)) {
                  kept.add(item);
                }
              });
      ((ObjectNode) body).set("items", kept);
    }
    Optional<ApiResource> type = resourceOf(path);
    String accept = Optional.ofNullable(request.getHeader("Accept")).orElse("");
    if (type.isPresent() && accept.contains("as=Table")) {
      return json(200, Tables.table(type.get(), body, query.get("includeObject")));
    }
    if (type.isPresent() && "List".equals(body.path("kind").asText())) {
      // The mock calls every list "List"; kubectl decodes e.g. describe's events only from an
      // EventList.
      ((ObjectNode) body)
          .put("kind", type.get().kind() + "List")
          .put("apiVersion", type.get().groupVersion());
    }
    return json(200, body);
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    try {
      return super.handlePatch(request);
    } catch (RuntimeException e) {
      if (!e.getClass().getSimpleName().contains("JsonPatch")) {
        throw e;
      }
      return status(
          422, "Invalid", "the server rejected our request due to an error in our request: " + e);
    }
  }

  /**
   * Server-side apply (see {@link ServerSideApply}): merge into the stored object and store it with
   * PUT, or create.
   */
  private MockResponse apply(RecordedRequest request, String path, String manager) {
    if (manager.isEmpty()) {
      return status(422, "Invalid", "fieldManager is required for apply patch");
    }
    if (path.endsWith("/status")) {
      // status.nodes is a list-map that every agent applies its own entry to; merging it per key
      // and manager is beyond this server, so it answers as the mock does and the agents fall back
      // to their JSON patch.
      return status(
          415, "UnsupportedMediaType", "the lab's API serves apply for whole objects, not /status");
    }
    ObjectNode applied = ServerSideApply.parse(request.getBody().getBytes());
    applied.remove("status");
    MockResponse current = super.handleGet(path);
    if (current.code() == 404) {
      ObjectNode created = apply.merge(path, manager, null, applied);
      return super.dispatch(
          withBody(request, "POST", path.substring(0, path.lastIndexOf('/')), created));
    }
    if (current.code() != 200) {
      return current;
    }
    return super.dispatch(
        withBody(
            request, "PUT", path, apply.merge(path, manager, (ObjectNode) read(current), applied)));
  }

  /**
   * The lab's API has no authorization: every self-review says everything is allowed, as a real
   * server would for a cluster admin. (The mock would store the review as an object, and reject it
   * without metadata.)
   */
  private static MockResponse review(String path, RecordedRequest request) {
    ObjectNode review = (ObjectNode) readBody(request);
    if (path.endsWith("/selfsubjectrulesreviews")) {
      List<Map<String, List<String>>> all =
          List.of(
              Map.of("verbs", List.of("*"), "apiGroups", List.of("*"), "resources", List.of("*")));
      review.set(
          "status",
          object(
              "resourceRules",
              all,
              "nonResourceRules",
              List.of(Map.of("verbs", List.of("*"), "nonResourceURLs", List.of("*"))),
              "incomplete",
              false));
    } else if (path.endsWith("/selfsubjectaccessreviews")) {
      review.set(
          "status", object("allowed", true, "reason", "the lab's API authorizes everything"));
    } else {
      return status(404, "NotFound", "not served: " + path);
    }
    return json(201, review);
  }

  // --- discovery
  // ---------------------------------------------------------------------------------------------

  private Optional<MockResponse> discovery(String path) {
    return switch (path) {
      case "/version" -> Optional.of(json(200, version()));
      case "/healthz", "/livez", "/readyz" ->
          Optional.of(new MockResponse().setResponseCode(200).setBody("ok"));
      case "/api" ->
          Optional.of(
              json(
                  200,
                  object(
                      "kind",
                      "APIVersions",
                      "versions",
                      List.of("v1"),
                      "serverAddressByClientCIDRs",
                      List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", serverAddress)))));
      case "/api/v1" -> Optional.of(json(200, resourceList("v1", "")));
      case "/apis" -> Optional.of(json(200, groupList()));
      default -> apisDiscovery(path);
    };
  }

  private Optional<MockResponse> apisDiscovery(String path) {
    if (path.startsWith("/openapi/")) {
      return Optional.of(
          status(404, "NotFound", "no OpenAPI documents here: use kubectl --validate=false"));
    }
    String[] parts = path.split("/");
    // /apis/<group> or /apis/<group>/<version>
    if (parts.length < 3 || parts.length > 4 || !"apis".equals(parts[1])) {
      return Optional.empty();
    }
    String group = parts[2];
    List<ApiResource> ofGroup = resources().stream().filter(r -> r.group().equals(group)).toList();
    if (ofGroup.isEmpty()) {
      return Optional.empty();
    }
    if (parts.length == 3) {
      return Optional.of(json(200, group(group, ofGroup)));
    }
    String version = parts[3];
    return ofGroup.stream().anyMatch(r -> r.version().equals(version))
        ? Optional.of(json(200, resourceList(group + "/" + version, group)))
        : Optional.empty();
  }

  private ObjectNode version() {
    return object(
        "major",
        "1",
        "minor",
        serverVersion,
        "gitVersion",
        "v1." + serverVersion + ".0-virtualip-lab",
        "gitCommit",
        "",
        "gitTreeState",
        "clean",
        "buildDate",
        "2026-01-01T00:00:00Z",
        "goVersion",
        "",
        "compiler",
        "gc",
        "platform",
        "linux/amd64");
  }

  private ObjectNode groupList() {
    Map<String, List<ApiResource>> byGroup =
        resources().stream()
            .filter(r -> !r.group().isEmpty())
            .collect(
                Collectors.groupingBy(ApiResource::group, LinkedHashMap::new, Collectors.toList()));
    List<ObjectNode> groups = new ArrayList<>();
    byGroup.forEach((name, list) -> groups.add(group(name, list)));
    return object("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
  }

  private static ObjectNode group(String name, List<ApiResource> resources) {
    List<Map<String, String>> versions =
        resources.stream()
            .map(ApiResource::version)
            .distinct()
            .map(v -> Map.of("groupVersion", name + "/" + v, "version", v))
            .toList();
    return object(
        "kind",
        "APIGroup",
        "apiVersion",
        "v1",
        "name",
        name,
        "versions",
        versions,
        "preferredVersion",
        versions.get(0));
  }

  private ObjectNode resourceList(String groupVersion, String group) {
    List<ObjectNode> entries = new ArrayList<>();
    for (ApiResource r : resources()) {
      if (!r.groupVersion().equals(groupVersion)) {
        continue;
      }
      entries.add(
          object(
              "name",
              r.plural(),
              "singularName",
              r.singular(),
              "namespaced",
              r.namespaced(),
              "kind",
              r.kind(),
              "verbs",
              ApiResource.VERBS,
              "shortNames",
              r.shortNames()));
      if (r.statusSubresource()) {
        entries.add(
            object(
                "name",
                r.plural() + "/status",
                "singularName",
                "",
                "namespaced",
                r.namespaced(),
                "kind",
                r.kind(),
                "verbs",
                List.of("get", "patch", "update")));
      }
    }
    return object(
        "kind",
        "APIResourceList",
        "apiVersion",
        "v1",
        "groupVersion",
        groupVersion,
        "resources",
        entries);
  }

  /**
   * Built-in types plus every served version of every stored CRD, read afresh: CRDs come and go.
   */
  private List<ApiResource> resources() {
    List<ApiResource> all = new ArrayList<>(ApiResource.BUILT_IN);
    MockResponse crds = super.handleGet(CRD_PATH);
    if (crds.code() == 200) {
      read(crds).path("items").forEach(crd -> all.addAll(ApiResource.fromCrd(crd)));
    }
    return all;
  }

  /**
   * The type a resource URL addresses: /api/v1/[namespaces/NS/]PLURAL[/NAME] or
   * /apis/G/V/[namespaces/NS/]PLURAL[/NAME].
   */
  private Optional<ApiResource> resourceOf(String path) {
    String[] parts = path.substring(1).split("/");
    int next;
    String groupVersion;
    if (parts.length >= 3 && "api".equals(parts[0])) {
      groupVersion = parts[1];
      next = 2;
    } else if (parts.length >= 4 && "apis".equals(parts[0])) {
      groupVersion = parts[1] + "/" + parts[2];
      next = 3;
    } else {
      return Optional.empty();
    }
    if (parts.length > next + 2 && "namespaces".equals(parts[next])) {
      next += 2;
    }
    String plural = parts[next];
    if (parts.length > next + 2) {
      return Optional.empty(); // a subresource: no table
    }
    return resources().stream()
        .filter(r -> r.groupVersion().equals(groupVersion) && r.plural().equals(plural))
        .findFirst();
  }

  // --- helpers
  // -----------------------------------------------------------------------------------------------

  private static RecordedRequest withPath(RecordedRequest request, String path) {
    return new RecordedRequest(
        request.getHttpVersion(), request.method(), path, request.getHeaders(), request.getBody());
  }

  private static RecordedRequest withBody(
      RecordedRequest request, String method, String path, JsonNode body) {
    var headers = request.getHeaders().newBuilder().set("Content-Type", "application/json").build();
    return new RecordedRequest(
        request.getHttpVersion(),
        io.fabric8.mockwebserver.dsl.HttpMethod.valueOf(method),
        path,
        headers,
        new io.fabric8.mockwebserver.http.Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static Map<String, String> query(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      String[] kv = pair.split("=", 2);
      params.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return params;
  }

  private static String encode(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    return query.entrySet().stream()
        .map(
            e ->
                java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "?", ""));
  }

  private static JsonNode read(MockResponse response) {
    try {
      return JSON.readTree(response.getBody().getBytes());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("mock answered something that is not JSON", e);
    }
  }

  private static JsonNode readBody(RecordedRequest request) {
    try {
      return JSON.readTree(request.getBody().getBytes());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("request body is not JSON", e);
    }
  }

  private static MockResponse json(int code, JsonNode body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }

  static MockResponse status(int code, String reason, String message) {
    return json(
        code,
        object(
            "kind",
            "Status",
            "apiVersion",
            "v1",
            "status",
            "Failure",
            "reason",
            reason,
            "code",
            code,
            "message",
            message,
            "metadata",
            Map.of()));
  }

  /** An object from alternating keys and values (values converted by Jackson). */
  static ObjectNode object(Object... keysAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
    }
    return node;
  }

  static ObjectMapper json() {
    return JSON;
  }
}
