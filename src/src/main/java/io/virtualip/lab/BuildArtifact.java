package io.virtualip.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds what the project's build made and the lab runs as processes, e.g. our agent's runnable jar:
 * named by a system property, or else looked up relative to the working directory (the project
 * root, or {@code src/} under Maven).
 */
public final class BuildArtifact {

  /** System property naming the agent jar; the src module's surefire configuration sets it. */
  public static final String AGENT_PROPERTY = "virtualip.agent.jar";

  private BuildArtifact() {}

  /**
   * {@code agent/target/virtualip-agent.jar}, which scenarios start inside node namespaces as it
   * runs on a node.
   */
  public static Path agentJar() {
    return find(AGENT_PROPERTY, Path.of("agent", "target", "virtualip-agent.jar"));
  }

  /**
   * The file named by {@code property}, else {@code inProject} of the project that contains the
   * working directory.
   *
   * @throws LabException if there is none, with the command that builds it
   */
  public static Path find(String property, Path inProject) {
    String configured = System.getProperty(property);
    List<Path> candidates =
        configured != null && !configured.isBlank()
            ? List.of(Path.of(configured))
            : List.of(inProject, Path.of("..").resolve(inProject));
    return candidates.stream()
        .filter(Files::isRegularFile)
        .findFirst()
        .map(path -> path.toAbsolutePath().normalize())
        .orElseThrow(
            () ->
                new LabException(
                    "missing "
                        + inProject
                        + " (looked at "
                        + candidates.stream()
                            .map(path -> path.toAbsolutePath().normalize().toString())
                            .toList()
                        + "): build it with `mvn -B -q -DskipTests package` from the project root, or name it with -D"
                        + property
                        + "=PATH"));
  }
}
