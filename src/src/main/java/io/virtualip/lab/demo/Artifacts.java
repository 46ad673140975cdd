package io.virtualip.lab.demo;

import io.virtualip.lab.BuildArtifact;
import io.virtualip.lab.LabException;
import java.nio.file.Path;

/**
 * The programs a cluster lab runs, as the project's build leaves them: the agent's shaded jar and
 * the operator's Quarkus application. A system property names each explicitly; otherwise they are
 * looked up relative to the working directory (the project root, or {@code src/} under Maven).
 *
 * @param agentJar {@code agent/target/virtualip-agent.jar} (property {@value #AGENT_PROPERTY})
 * @param operatorJar {@code operator/target/quarkus-app/quarkus-run.jar} (property {@value
 *     #OPERATOR_PROPERTY})
 */
public record Artifacts(Path agentJar, Path operatorJar) {

  public static final String AGENT_PROPERTY = BuildArtifact.AGENT_PROPERTY;
  public static final String OPERATOR_PROPERTY = "virtualip.operator.jar";

  /**
   * Both artifacts, or a {@link LabException} that says which one is missing and how to build it.
   */
  public static Artifacts locate() {
    return new Artifacts(
        BuildArtifact.agentJar(),
        BuildArtifact.find(
            OPERATOR_PROPERTY, Path.of("operator", "target", "quarkus-app", "quarkus-run.jar")));
  }
}
