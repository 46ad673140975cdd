package io.virtualip.agent.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * The agent's local control socket: a Unix stream socket that answers every connection with one
 * JSON status object (and a newline) and closes it. {@code virtualip-agent status} is the client
 * ({@link #query}). Connections are served one at a time on a daemon thread; the status supplier
 * decides how it reads the agent's state safely (the agent asks its event loop).
 *
 * <p>Both sides time out, so that one stuck peer cannot block the others: the server gives each
 * client {@link #WRITE_BUDGET_MILLIS} to take the answer (a client that connects and never reads is
 * dropped, and the next one is served), and {@link #query} gives up when the server sends nothing
 * for {@link #READ_TIMEOUT_MILLIS}.
 */
public final class ControlServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

  /** How long one client may take to read its answer before the server drops it. */
  static final int WRITE_BUDGET_MILLIS = 2000;

  /**
   * The kernel's send timeout per write(2), so that the budget is checked while a client does not
   * read.
   */
  private static final int SEND_TIMEOUT_MILLIS = 250;

  /**
   * How long {@link #query} waits for the next bytes (the agent answers from its loop within 2 s).
   */
  static final int READ_TIMEOUT_MILLIS = 5000;

  /** S_IFMT and S_IFSOCK of stat(2). */
  private static final int S_IFMT = 0170000;

  private static final int S_IFSOCK = 0140000;

  private final Path path;
  private final UnixServerSocketChannel server;
  private final Supplier<String> status;
  private final Thread acceptor;
  private volatile boolean closed;

  /**
   * Binds {@code path} (replacing a stale socket file left by a previous run) and starts serving.
   */
  public ControlServer(Path path, Supplier<String> status) throws IOException {
    this.path = path;
    this.status = status;
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    removeStaleSocket(path);
    server = UnixServerSocketChannel.open();
    server.socket().bind(new UnixSocketAddress(path.toFile()));
    // Only root (the agent's user) may read the status: it names peers and counters useful to an
    // attacker.
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    acceptor = new Thread(this::serve, "control-socket");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public Path path() {
    return path;
  }

  /**
   * Deletes what a previous run left at {@code path}, but only a socket nobody answers on: a
   * regular file, a directory or a link there is someone else's, and a socket that answers is
   * another agent's.
   */
  private static void removeStaleSocket(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new IOException("exists and is not a socket; not replacing it");
    }
    boolean answers;
    try (UnixSocketChannel probe = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
      answers = probe.isConnected();
    } catch (IOException refused) {
      answers = false; // nobody listens: the socket file of a run that ended without removing it
    }
    if (answers) {
      throw new IOException("another process answers on this socket; not replacing it");
    }
    Files.delete(path);
  }

  private void serve() {
    while (!closed) {
      try (UnixSocketChannel client = server.accept()) {
        if (closed || client == null) {
          return;
        }
        String body;
        try {
          body = status.get();
        } catch (RuntimeException e) {
          body = "{\"error\":\"" + e.getClass().getSimpleName() + "\"}";
          LOG.log(System.Logger.Level.WARNING, "status for control socket failed", e);
        }
        writeWithin(client, ByteBuffer.wrap((body + "\n").getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        if (!closed) {
          LOG.log(
              System.Logger.Level.WARNING, "control socket connection failed: " + e.getMessage());
        }
      }
    }
  }

  /**
   * Writes {@code out} to {@code client}, or gives up (IOException) after {@link
   * #WRITE_BUDGET_MILLIS}.
   */
  private static void writeWithin(UnixSocketChannel client, ByteBuffer out) throws IOException {
    client.setOption(UnixSocketOptions.SO_SNDTIMEO, SEND_TIMEOUT_MILLIS);
    long deadline = System.nanoTime() + WRITE_BUDGET_MILLIS * 1_000_000L;
    while (out.hasRemaining()) {
      client.write(out); // writes nothing (jnr's answer to EAGAIN) when SO_SNDTIMEO expires
      // A budget for the whole answer, not per write: a client that reads a byte now and then is
      // dropped too.
      if (out.hasRemaining() && System.nanoTime() - deadline > 0) {
        throw new IOException(
            "client did not read its answer within " + WRITE_BUDGET_MILLIS + " ms");
      }
    }
  }

  /**
   * Connects to a control socket and returns everything the server wrote, without the trailing
   * newline; an IOException when nothing arrives for {@link #READ_TIMEOUT_MILLIS}.
   */
  public static String query(Path path) throws IOException {
    try (UnixSocketChannel channel = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
      channel.setOption(UnixSocketOptions.SO_RCVTIMEO, READ_TIMEOUT_MILLIS);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      ByteBuffer chunk = ByteBuffer.allocate(8192);
      while (true) {
        int n = channel.read(chunk);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          // SO_RCVTIMEO expired (jnr reads nothing on EAGAIN): the agent does not answer.
          throw new IOException("no answer within " + READ_TIMEOUT_MILLIS + " ms");
        }
        all.write(chunk.array(), 0, chunk.position());
        chunk.clear();
      }
      return all.toString(StandardCharsets.UTF_8).stripTrailing();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // A thread blocked in accept(2) is not woken by close(2) on Linux; a last connection wakes it.
    try (UnixSocketChannel wake = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
      wake.isConnected();
    } catch (IOException ignored) {
      // the acceptor is gone already
    }
    try {
      acceptor.join(1000);
      server.close();
    } catch (IOException | InterruptedException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing control socket: " + e);
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
