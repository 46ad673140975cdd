package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.virtualip.testkit.Requirements;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Lab#connectHost()}: a server bound to the host-link address answers every node, and
 * nothing stays behind.
 */
class HostLinkTest {

  @Test
  void nodesReachAServerOnTheHostLinkAndItGoesWithTheLab() throws Exception {
    Requirements.root("creates network namespaces and a veth into the root namespace");
    Requirements.tools("nft");
    String rootLink;
    try (Lab lab = Lab.create("viplab-", 2)) {
      var host = lab.connectHost();
      assertThat(lab.connectHost()).isEqualTo(host);
      assertThat(host.getHostAddress()).startsWith("203.0.113.");
      HttpServer server = HttpServer.create(new InetSocketAddress(host, 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body =
                exchange
                    .getRemoteAddress()
                    .getAddress()
                    .getHostAddress()
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      try {
        // bash's /dev/tcp: no HTTP client needed in the namespaces.
        String get =
            "exec 3<>/dev/tcp/"
                + host.getHostAddress()
                + "/"
                + server.getAddress().getPort()
                + "; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; sed -n '$p' <&3";
        for (Node node : lab.nodes()) {
          ExecResult got = lab.exec(node, "timeout", "5", "bash", "-c", get).orThrow();
          // Masqueraded: the root namespace needs no route back to the segment.
          assertThat(got.stdout()).startsWith("203.0.113.").isNotEqualTo(host.getHostAddress());
        }
      } finally {
        server.stop(0);
      }
      rootLink =
          Commands.run(java.time.Duration.ofSeconds(10), List.of("ip", "-o", "-4", "addr", "show"))
              .orThrow()
              .stdout()
              .lines()
              .filter(l -> l.contains(" " + host.getHostAddress() + "/30"))
              .map(l -> l.split("\\s+")[1])
              .findFirst()
              .orElseThrow();
      assertThat(rootLink).startsWith("viplab-h");
    }
    String links =
        Commands.run(java.time.Duration.ofSeconds(10), List.of("ip", "-o", "link", "show"))
            .orThrow()
            .stdout();
    assertThat(links).doesNotContain(rootLink + "@").doesNotContain(rootLink + ":");
  }
}
