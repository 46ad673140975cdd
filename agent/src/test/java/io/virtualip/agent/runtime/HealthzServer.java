package io.virtualip.agent.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 of the calling thread's namespace for httpGet tracks: {@code
 * /healthz} answers {@link #answer} with a {@code Location: /down}, and {@code /down} answers 500,
 * so a followed redirect fails.
 */
final class HealthzServer implements AutoCloseable {

  final AtomicInteger answer = new AtomicInteger(200);
  final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;

  HealthzServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext(
        "/healthz",
        exchange -> {
          requests.incrementAndGet();
          exchange.getResponseHeaders().add("Location", "/down");
          exchange.sendResponseHeaders(answer.get(), -1);
          exchange.close();
        });
    server.createContext(
        "/down",
        exchange -> {
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
