package io.virtualip.agent.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.virtualip.agent.runtime.Agent;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} on {@code address:port}: the agent's {@link AgentCollector} plus the JVM and
 * process metrics ({@code process_cpu_seconds_total}, {@code process_resident_memory_bytes}, {@code
 * jvm_*}). One daemon thread serves it; a scrape reads the instances on the event loop, as the
 * control socket does.
 */
public final class MetricsEndpoint implements AutoCloseable {

  /**
   * The chart's default: not 9100 (node exporter), 9090/9093 (Prometheus, Alertmanager),
   * 10250/10249/10256 (kubelet, kube-proxy), 7472 (MetalLB), 2112 (kube-vip) or 9165 (keepalived
   * exporter), which a host-network pod could meet.
   */
  public static final int DEFAULT_PORT = 9477;

  private final HTTPServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HTTPServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts serving; port 0 picks a free one ({@link #address()} tells which). */
  public static MetricsEndpoint start(Agent agent, InetAddress address, int port)
      throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new AgentCollector(agent.node(), agent::metrics));
    JvmMetrics.builder().register(registry);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    try {
      HTTPServer server =
          HTTPServer.builder()
              .inetAddress(address)
              .port(port)
              .registry(registry)
              .executorService(executor)
              .buildAndStart();
      return new MetricsEndpoint(server, executor);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** The port it listens on (the one picked, for port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
