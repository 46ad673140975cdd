package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {

    @TempDir
    Path dir;

    @Test
    void answersEachConnectionWithOneFreshStatusObject() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Path socket = dir.resolve("run/agent.sock");
        try (ControlServer server = new ControlServer(socket, () -> "{\"n\":" + calls.incrementAndGet() + "}")) {
            assertThat(ControlServer.query(socket)).isEqualTo("{\"n\":1}");
            assertThat(ControlServer.query(socket)).isEqualTo("{\"n\":2}");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        }
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> ControlServer.query(socket)).isInstanceOf(IOException.class);
    }

    @Test
    void replacesStaleSocketFileAndServesLargeBodies() throws Exception {
        Path socket = dir.resolve("agent.sock");
        Files.writeString(socket, "left over by a crashed agent");
        String big = "{\"pad\":\"" + "x".repeat(100_000) + "\"}";
        try (ControlServer server = new ControlServer(socket, () -> big)) {
            assertThat(ControlServer.query(socket)).isEqualTo(big);
        }
    }

    @Test
    void failingStatusSupplierStillAnswers() throws Exception {
        Path socket = dir.resolve("agent.sock");
        try (ControlServer server = new ControlServer(socket, () -> {
            throw new IllegalStateException("loop stopped");
        })) {
            assertThat(ControlServer.query(socket)).isEqualTo("{\"error\":\"IllegalStateException\"}");
            assertThat(ControlServer.query(socket)).contains("error");
        }
    }
}
