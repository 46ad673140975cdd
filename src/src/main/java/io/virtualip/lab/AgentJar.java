package io.virtualip.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds our agent's runnable jar ({@code agent/target/virtualip-agent.jar}), which lab scenarios start as a process
 * inside node namespaces, exactly as it runs on a node.
 */
public final class AgentJar {

    /** System property naming the jar; the src module's surefire configuration sets it. */
    public static final String PROPERTY = "virtualip.agent.jar";
    private static final Path IN_PROJECT = Path.of("agent", "target", "virtualip-agent.jar");

    private AgentJar() {
    }

    /**
     * The jar named by {@value #PROPERTY}, else {@code agent/target/virtualip-agent.jar} of the project that contains
     * the working directory (found from {@code src/} as {@code ../agent/target/...}).
     *
     * @throws LabException if there is none, with the command that builds it
     */
    public static Path locate() {
        String configured = System.getProperty(PROPERTY);
        List<Path> candidates = configured != null && !configured.isBlank()
                ? List.of(Path.of(configured))
                : List.of(IN_PROJECT, Path.of("..").resolve(IN_PROJECT));
        return candidates.stream()
                .filter(Files::isRegularFile)
                .findFirst()
                .map(path -> path.toAbsolutePath().normalize())
                .orElseThrow(() -> new LabException("the agent jar is missing (looked at " + candidates.stream()
                        .map(path -> path.toAbsolutePath().normalize().toString()).toList()
                        + "): build it first with `mvn -B -q -DskipTests package` from the project root, or name it"
                        + " with -D" + PROPERTY + "=PATH"));
    }
}
