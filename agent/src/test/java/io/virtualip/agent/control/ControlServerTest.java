package io.virtualip.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {

  @TempDir Path dir;

  @Test
  void answersEachConnectionWithOneFreshStatusObject() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Path socket = dir.resolve("run/agent.sock");
    try (ControlServer server =
        new ControlServer(socket, () -> "{\"n\":" + calls.incrementAndGet() + "}")) {
      assertThat(ControlServer.query(socket)).isEqualTo("{\"n\":1}");
      assertThat(ControlServer.query(socket)).isEqualTo("{\"n\":2}");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");
    }
    assertThat(socket).doesNotExist();
    assertThatThrownBy(() -> ControlServer.query(socket)).isInstanceOf(IOException.class);
  }

  @Test
  void replacesStaleSocketFileAndServesLargeBodies() throws Exception {
    Path socket = dir.resolve("agent.sock");
    // A crashed agent's socket: bound, then closed without removing the file.
    UnixServerSocketChannel crashed = UnixServerSocketChannel.open();
    crashed.socket().bind(new UnixSocketAddress(socket.toFile()));
    crashed.close();
    assertThat(socket).exists();
    String big = "{\"pad\":\"" + "x".repeat(100_000) + "\"}";
    try (ControlServer server = new ControlServer(socket, () -> big)) {
      assertThat(ControlServer.query(socket)).isEqualTo(big);
    }
  }

  /** --control-socket pointing at someone's file (a typo, a config file) must never delete it. */
  @Test
  void refusesToReplaceAnythingButADeadSocket() throws Exception {
    Path file = dir.resolve("agent.conf");
    Files.writeString(file, "not ours");
    assertThatThrownBy(() -> new ControlServer(file, () -> "{}"))
        .isInstanceOf(IOException.class)
        .hasMessage("exists and is not a socket; not replacing it");
    assertThat(file).hasContent("not ours");

    Path directory = Files.createDirectory(dir.resolve("run"));
    assertThatThrownBy(() -> new ControlServer(directory, () -> "{}"))
        .isInstanceOf(IOException.class);
    assertThat(directory).isDirectory();

    Path live = dir.resolve("live.sock");
    try (ControlServer other = new ControlServer(live, () -> "{\"other\":true}")) {
      assertThatThrownBy(() -> new ControlServer(live, () -> "{}"))
          .isInstanceOf(IOException.class)
          .hasMessage("another process answers on this socket; not replacing it");
      assertThat(ControlServer.query(live)).isEqualTo("{\"other\":true}");
    }
  }

  /**
   * A client that connects and never reads must not block the next one: the answer is larger than
   * the socket buffers, so the server's write to the first client cannot complete; it gives up on
   * it and serves the second.
   */
  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aClientThatNeverReadsDoesNotBlockTheNext() throws Exception {
    Path socket = dir.resolve("agent.sock");
    String big = "{\"pad\":\"" + "x".repeat(8_000_000) + "\"}";
    try (ControlServer server = new ControlServer(socket, () -> big);
        UnixSocketChannel silent = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
      assertThat(silent.isConnected()).isTrue();
      assertThat(ControlServer.query(socket)).isEqualTo(big);
    }
  }

  /**
   * The client side: a server that accepts and never answers makes {@code status} fail, not hang.
   */
  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void queryGivesUpOnAServerThatNeverAnswers() throws Exception {
    Path socket = dir.resolve("mute.sock");
    try (UnixServerSocketChannel mute = UnixServerSocketChannel.open()) {
      mute.socket().bind(new UnixSocketAddress(socket.toFile()));
      assertThatThrownBy(() -> ControlServer.query(socket))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no answer within");
    }
  }

  @Test
  void failingStatusSupplierStillAnswers() throws Exception {
    Path socket = dir.resolve("agent.sock");
    try (ControlServer server =
        new ControlServer(
            socket,
            () -> {
              throw new IllegalStateException("loop stopped");
            })) {
      assertThat(ControlServer.query(socket)).isEqualTo("{\"error\":\"IllegalStateException\"}");
      assertThat(ControlServer.query(socket)).contains("error");
    }
  }
}
