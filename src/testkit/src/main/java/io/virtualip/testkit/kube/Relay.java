package io.virtualip.testkit.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay from an address of this host to the API server on loopback: TLS passes through
 * untouched, so clients check the server's own certificate. It lets processes in network namespaces
 * reach a server that listens on loopback only.
 */
final class Relay implements AutoCloseable {

  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  /**
   * Kept after close, so that {@link KubeApi#restoreRelays()} can listen on the same address and
   * port again.
   */
  private final InetAddress address;

  private final int port;

  private Relay(ServerSocket listener, int target) {
    this.listener = listener;
    this.target = target;
    this.address = listener.getInetAddress();
    this.port = listener.getLocalPort();
  }

  static Relay start(InetAddress address, int port, int target) {
    try {
      ServerSocket listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(address, port));
      Relay relay = new Relay(listener, target);
      Thread accept = new Thread(relay::accept, "kube-api-relay-" + listener.getLocalPort());
      accept.setDaemon(true);
      accept.start();
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
    }
  }

  int port() {
    return port;
  }

  InetAddress address() {
    return address;
  }

  boolean isClosed() {
    return listener.isClosed();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        // Closed listener, or the API server is gone: the client sees its connection fail.
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                }
              } catch (IOException e) {
                // One side closed: close both below.
              } finally {
                close(from);
                close(to);
              }
            },
            "kube-api-relay-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  private void close(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // Already closed.
    }
    open.forEach(this::close);
  }
}
