package io.virtualip.api.v1.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.virtualip.testkit.Requirements;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRD on a real kube-apiserver, at the newest and the oldest version the chart
 * claims: it is accepted, every example and valid spec is accepted, and every invalid VirtualIP of
 * {@link ValidationTest} is refused by the server at the same fields, with the CRD's own message
 * for each CEL rule, as {@link CrdValidator} says offline. The validator words the OpenAPI schema's
 * own checks (required, minimum, maxItems, enum, pattern, duplicates) for a person, with the
 * field's description; the server uses its fixed words for those, so there the test asks for the
 * same field and a schema refusal.
 */
class RealApiServerValidationTest {
  private static final CrdValidator VALIDATOR = CrdValidator.load();

  /**
   * How kube-apiserver words a failed OpenAPI schema check (field.ErrorList), as opposed to a CEL
   * rule's message.
   */
  private static final Pattern SCHEMA_WORDING =
      Pattern.compile(
          "(Required value|Too many: .*|Too long: .*|Duplicate value: .*|Unsupported value: .*"
              + "|Invalid value: .*: \\S+ in body (should|must) .*"
              + "|Invalid value: \"?null\"?: some validation rules were not checked because the object was invalid.*)",
          Pattern.DOTALL);

  /**
   * The shared server of {@code version} with the chart's CRD (deploy/, equal to the committed one)
   * established.
   */
  static KubernetesClient serverWithCrd(String version) {
    Requirements.kubeApi(version);
    return InstalledChart.on(KubeApi.shared(version)).api().admin();
  }

  static Stream<Arguments> invalidOnEachVersion() {
    return KubeVersions.ALL.stream()
        .flatMap(v -> ValidationTest.invalid().map(a -> Arguments.of(v, a.get()[0], a.get()[1])));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("invalidOnEachVersion")
  void theServerRefusesWhatTheValidatorRefuses(String version, String name, String specYaml) {
    KubernetesClient admin = serverWithCrd(version);
    JsonNode resource = ValidationTest.virtualIp(specYaml);
    List<Violation> offline = VALIDATOR.validate(resource);
    assertThat(offline).as("the case is invalid offline").isNotEmpty();

    Status refused = createStrictly(admin, resource);

    if (refused.getCode() == 400) {
      // kubectl's strict field validation refuses unknown fields while decoding, before any schema
      // or CEL rule.
      Violation unknown = offline.get(0);
      assertThat(unknown.message()).startsWith("unknown field");
      assertThat(refused.getMessage())
          .contains("strict decoding error: unknown field \"" + unknown.field() + "\"");
      return;
    }
    assertThat(refused.getCode()).as("the server refuses " + name).isEqualTo(422);
    List<StatusCause> causes = refused.getDetails().getCauses();
    for (Violation violation : offline) {
      List<StatusCause> atField =
          causes.stream()
              .filter(cause -> nullToEmpty(cause.getField()).equals(violation.field()))
              .toList();
      assertThat(atField).as("%s: the server refuses %s", name, violation).isNotEmpty();
      boolean sameMessage =
          atField.stream().anyMatch(cause -> cause.getMessage().contains(violation.message()));
      if (!sameMessage) {
        // Only the OpenAPI schema's own checks are worded differently: the validator says them for
        // a person (with the field's description), the server in its fixed words.
        assertThat(atField)
            .as("%s: %s is a schema check, worded by the server as its own", name, violation)
            .anySatisfy(cause -> assertThat(cause.getMessage()).matches(SCHEMA_WORDING));
        assertThat(violation.message())
            .as("a CEL rule's message is the server's")
            .doesNotContain("with version");
      }
    }
    assertThat(causes)
        .as("the server refuses nothing the validator lets through")
        .allSatisfy(
            cause ->
                assertThat(offline)
                    .extracting(Violation::field)
                    .contains(nullToEmpty(cause.getField())));
  }

  static Stream<Arguments> validOnEachVersion() {
    List<String> specs = ValidationTest.validSpecs().toList();
    return KubeVersions.ALL.stream().flatMap(v -> specs.stream().map(s -> Arguments.of(v, s)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("validOnEachVersion")
  void theServerAcceptsWhatTheValidatorAccepts(String version, String specYaml) {
    KubernetesClient admin = serverWithCrd(version);
    GenericKubernetesResource resource = toResource(admin, ValidationTest.virtualIp(specYaml));
    resource.getMetadata().setName("valid-" + Integer.toHexString(specYaml.hashCode()));
    admin.resource(resource).createOr(existing -> existing.update());
    admin.resource(resource).withTimeout(10, TimeUnit.SECONDS).delete();
  }

  static Stream<Arguments> examplesOnEachVersion() throws IOException {
    List<Path> examples = ValidationTest.examples().toList();
    return KubeVersions.ALL.stream().flatMap(v -> examples.stream().map(e -> Arguments.of(v, e)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("examplesOnEachVersion")
  void everyExampleIsAccepted(String version, Path example) throws IOException {
    KubernetesClient admin = serverWithCrd(version);
    String namespace = "examples-" + Integer.toHexString(example.getFileName().hashCode());
    KubeApi.shared(version).namespace(namespace);
    try (InputStream in = Files.newInputStream(example)) {
      var resources = admin.load(in).inNamespace(namespace).resources().map(r -> r.item()).toList();
      assertThat(resources).isNotEmpty();
      for (var resource : resources) {
        admin.resource(resource).inNamespace(namespace).createOr(existing -> existing.update());
      }
      admin
          .resourceList(resources)
          .inNamespace(namespace)
          .withTimeout(10, TimeUnit.SECONDS)
          .delete();
    }
  }

  private static GenericKubernetesResource toResource(KubernetesClient client, JsonNode resource) {
    return client
        .getKubernetesSerialization()
        .convertValue(resource, GenericKubernetesResource.class);
  }

  /** The server names the object as a whole "<nil>" (a nil field.Path); the validator says "". */
  private static String nullToEmpty(String field) {
    return field == null || field.equals("<nil>") ? "" : field;
  }

  /**
   * Creates the VirtualIP as kubectl does, with {@code fieldValidation=Strict} (unknown fields
   * refused rather than pruned), and returns the server's answer as a Status (code 201 when it was
   * created).
   */
  private static Status createStrictly(KubernetesClient admin, JsonNode resource) {
    HttpClient http = admin.getHttpClient();
    HttpRequest request =
        http.newHttpRequestBuilder()
            .uri(admin.getMasterUrl() + "apis/virtualip.io/v1/virtualips?fieldValidation=Strict")
            .post("application/json", resource.toString())
            .build();
    HttpResponse<String> response = http.sendAsync(request, String.class).join();
    if (response.code() == 201) {
      return new StatusBuilder().withCode(201).build();
    }
    return admin.getKubernetesSerialization().unmarshal(response.body(), Status.class);
  }
}
