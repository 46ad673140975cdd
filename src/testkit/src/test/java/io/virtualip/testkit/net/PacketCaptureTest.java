package io.virtualip.testkit.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.virtualip.testkit.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture against a real tcpdump in a namespace of its own: a veth pair inside it, 192.0.2.1/24
 * on the captured end and a static neighbour entry for 192.0.2.2, so a datagram to 192.0.2.2 leaves
 * at once (no ARP first).
 */
class PacketCaptureTest {

  private static final String IFACE = "vipkit0";

  private final String namespace = "vipkit-" + ProcessHandle.current().pid();
  private boolean made;

  @BeforeEach
  void namespace() throws Exception {
    Requirements.root("a network namespace and tcpdump");
    Requirements.tools("ip", "tcpdump", "tshark", "bash");
    run("ip", "netns", "add", namespace);
    made = true;
    inNamespace("ip", "link", "add", IFACE, "type", "veth", "peer", "name", "vipkit1");
    inNamespace("ip", "addr", "add", "192.0.2.1/24", "dev", IFACE);
    inNamespace("ip", "link", "set", "vipkit1", "up");
    inNamespace("ip", "link", "set", IFACE, "up");
    inNamespace("ip", "neigh", "replace", "192.0.2.2", "lladdr", "02:00:00:00:00:02", "dev", IFACE);
  }

  @AfterEach
  void removeNamespace() throws Exception {
    if (made) {
      run("ip", "netns", "del", namespace);
    }
  }

  @Test
  void seesWhatIsSentAfterStartReturnsAndDeletesItsTemporaryFile() throws Exception {
    Path pcap;
    try (PacketCapture capture = PacketCapture.start(namespace, IFACE, "udp")) {
      pcap = capture.pcap();
      send(9);
      send(7);
      assertThat(capture.stopAndDecode("ip.dst", "udp.dstport"))
          .containsExactly("192.0.2.2,9", "192.0.2.2,7");
      assertThat(pcap).exists();
    }
    assertThat(pcap).doesNotExist();
    assertThat(pcap.getParent()).doesNotExist();
  }

  @Test
  void theFilterDecidesWhatIsWritten() throws Exception {
    try (PacketCapture capture = PacketCapture.start(namespace, IFACE, "udp port 7")) {
      send(9);
      send(7);
      assertThat(capture.stopAndDecode("udp.dstport")).containsExactly("7");
    }
  }

  @Test
  void aNamedPcapStaysWithTcpdumpsMessagesNextToIt(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("vrrp.pcap");
    try (PacketCapture capture = PacketCapture.start(namespace, IFACE, pcap, "udp")) {
      send(9);
      assertThat(capture.stop()).isEqualTo(pcap.toAbsolutePath());
    }
    assertThat(pcap).isNotEmptyFile();
    assertThat(Files.readString(dir.resolve("vrrp.log"))).contains(PacketCapture.READY);
  }

  @Test
  void anInterfaceThatIsNotThereFailsWithTcpdumpsReason() {
    assertThatThrownBy(() -> PacketCapture.start(namespace, "nosuch0", "udp"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tcpdump did not start in " + namespace)
        .hasMessageContaining("nosuch0");
  }

  private void send(int port) throws Exception {
    inNamespace("bash", "-c", "echo probe > /dev/udp/192.0.2.2/" + port);
  }

  private String inNamespace(String... command) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(command));
    return run(full.toArray(String[]::new));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
