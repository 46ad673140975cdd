package io.virtualip.lab.demo;

import io.virtualip.lab.LabException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The programs a cluster lab runs, as the project's build leaves them: the agent's shaded jar and the operator's
 * Quarkus application. A system property names each explicitly; otherwise they are looked up relative to the working
 * directory (the project root, or {@code src/} under Maven).
 *
 * @param agentJar    {@code agent/target/virtualip-agent.jar} (property {@value #AGENT_PROPERTY})
 * @param operatorJar {@code operator/target/quarkus-app/quarkus-run.jar} (property {@value #OPERATOR_PROPERTY})
 */
public record Artifacts(Path agentJar, Path operatorJar) {

    public static final String AGENT_PROPERTY = "virtualip.agent.jar";
    public static final String OPERATOR_PROPERTY = "virtualip.operator.jar";

    /** Both artifacts, or a {@link LabException} that says which one is missing and how to build it. */
    public static Artifacts locate() {
        return new Artifacts(
                find(AGENT_PROPERTY, Path.of("agent", "target", "virtualip-agent.jar")),
                find(OPERATOR_PROPERTY, Path.of("operator", "target", "quarkus-app", "quarkus-run.jar")));
    }

    private static Path find(String property, Path inProject) {
        String configured = System.getProperty(property);
        List<Path> candidates = configured != null && !configured.isBlank()
                ? List.of(Path.of(configured))
                : List.of(inProject, Path.of("..").resolve(inProject));
        return candidates.stream().filter(Files::isRegularFile).findFirst()
                .map(path -> path.toAbsolutePath().normalize())
                .orElseThrow(() -> new LabException("missing " + inProject + " (looked at " + candidates.stream()
                        .map(path -> path.toAbsolutePath().normalize().toString()).toList()
                        + "): build it with `mvn -B -q -DskipTests package` from the project root, or name it with -D"
                        + property + "=PATH"));
    }
}
