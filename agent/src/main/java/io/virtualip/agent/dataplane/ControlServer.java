package io.virtualip.agent.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * The agent's local control socket: a Unix stream socket that answers every connection with one JSON status
 * object (and a newline) and closes it. {@code virtualip-agent status} is the client ({@link #query}).
 * Connections are served one at a time on a daemon thread; the status supplier decides how it reads the agent's
 * state safely (the agent asks its event loop).
 */
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    private final Path path;
    private final UnixServerSocketChannel server;
    private final Supplier<String> status;
    private final Thread acceptor;
    private volatile boolean closed;

    /** Binds {@code path} (replacing a stale socket file left by a previous run) and starts serving. */
    public ControlServer(Path path, Supplier<String> status) throws IOException {
        this.path = path;
        this.status = status;
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        Files.deleteIfExists(path);
        server = UnixServerSocketChannel.open();
        server.socket().bind(new UnixSocketAddress(path.toFile()));
        // Only root (the agent's user) may read the status: it names peers and counters useful to an attacker.
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        acceptor = new Thread(this::serve, "control-socket");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public Path path() {
        return path;
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
                ByteBuffer out = ByteBuffer.wrap((body + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    client.write(out);
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "control socket connection failed: " + e.getMessage());
                }
            }
        }
    }

    /** Connects to a control socket and returns everything the server wrote, without the trailing newline. */
    public static String query(Path path) throws IOException {
        try (UnixSocketChannel channel = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer chunk = ByteBuffer.allocate(8192);
            while (channel.read(chunk) > 0) {
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
