package io.virtualip.lab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * values.schema.json (and the template checks a schema cannot express) turn bad values into install
 * errors.
 */
class ValuesSchemaTest {

  @TempDir Path temp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
      VRID above 255             | vrid: {reserved: [300]}                      | at '/vrid/reserved/0': 'oneOf' failed
      VRID 0                     | vrid: {reserved: [0]}                        | at '/vrid/reserved/0': 'oneOf' failed
      range above 255            | vrid: {reserved: ["10-300"]}                 | at '/vrid/reserved/0': 'oneOf' failed
      range that is not a range  | vrid: {reserved: ["ten"]}                    | at '/vrid/reserved/0': 'oneOf' failed
      range running backwards    | vrid: {reserved: ["20-10"]}                  | range "20-10" runs backwards
      duplicate VRID             | vrid: {reserved: [5, 5]}                     | at '/vrid/reserved': items at 0 and 1 are equal
      negative replicas          | operator: {replicas: -1}                     | at '/operator/replicas': minimum
      replicas as text           | operator: {replicas: two}                    | at '/operator/replicas': got string
      unknown top-level key      | bogus: true                                  | 'bogus' not allowed
      unknown operator key       | operator: {replica: 2}                       | at '/operator': additional properties 'replica'
      unknown agent key          | agent: {privileged: true}                    | at '/agent': additional properties 'privileged'
      unknown log level          | operator: {logLevel: LOUD}                   | at '/operator/logLevel'
      unknown pull policy        | operator: {image: {pullPolicy: Sometimes}}   | at '/operator/image/pullPolicy'
      lease shorter than renewal | lease: {durationSeconds: 1}                  | at '/lease/durationSeconds': minimum
      no grace period            | agent: {terminationGracePeriodSeconds: 0}    | at '/agent/terminationGracePeriodSeconds'
      bad memory quantity        | agent: {resources: {limits: {memory: lots}}} | at '/agent/resources/limits/memory'
      image tag with a colon     | agent: {image: {tag: "1.0:latest"}}          | at '/agent/image/tag'
      image repository in caps   | operator: {image: {repository: Virtualip/Op}} | at '/operator/image/repository'
      priority class with spaces | agent: {priorityClassName: "node critical"}  | at '/agent/priorityClassName'
      PDB blocking every drain   | operator: {replicas: 1}                      | minAvailable must be lower than operator.replicas
      """)
  void rejects(String description, String values, String reason) throws IOException {
    Path file = Files.writeString(temp.resolve("values.yaml"), values + "\n");

    assertThatThrownBy(() -> Chart.render(file)).as(description).hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
      no reserved VRIDs          | vrid: {reserved: []}                        |
      single VRIDs               | vrid: {reserved: [1, 255]}                  | 1,255
      VRIDs and ranges           | vrid: {reserved: [51, "1-10", "200-255"]}   | 51,1-10,200-255
      one-VRID range             | vrid: {reserved: ["7-7"]}                   | 7-7
      """)
  void reservedVridsFlowIntoTheOperatorsEnvironment(String description, String values, String env)
      throws IOException {
    Path file = Files.writeString(temp.resolve("values.yaml"), values + "\n");

    Deployment operator =
        Chart.single(Chart.objects(Chart.render(file)), Deployment.class, "virtualip-operator");

    List<EnvVar> reserved =
        operator.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("VIRTUALIP_VRID_RESERVED"))
            .toList();
    if (env == null) {
      assertThat(reserved).as(description + ": unset, so the operator's default applies").isEmpty();
    } else {
      assertThat(reserved)
          .as(description)
          .singleElement()
          .extracting(EnvVar::getValue)
          .isEqualTo(env);
    }
  }
}
