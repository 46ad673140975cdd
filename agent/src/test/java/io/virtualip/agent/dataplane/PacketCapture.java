package io.virtualip.agent.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: tcpdump writing a pcap inside a namespace, decoded afterwards with tshark. */
public final class PacketCapture implements AutoCloseable {

  private final Process tcpdump;
  private final Path file;
  private final Path log;
  private final Path directory;

  public PacketCapture(String ns, String filter) throws IOException, InterruptedException {
    directory = Files.createTempDirectory("vipdp-capture");
    file = directory.resolve("capture.pcap");
    log = directory.resolve("tcpdump.log");
    // tcpdump drops privileges to user tcpdump unless told otherwise; it must be able to write our
    // file.
    // Without --immediate-mode libpcap hands packets over per ring block, up to a second late.
    tcpdump =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "tcpdump",
                "--immediate-mode",
                "-Z",
                "root",
                "-U",
                "-n",
                "-i",
                NetnsPair.IFACE,
                "-w",
                file.toString(),
                filter)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(log.toFile())
            .start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!Files.readString(log).contains("listening on")) {
      if (System.nanoTime() > deadline || !tcpdump.isAlive()) {
        throw new IOException("tcpdump did not start in " + ns + ": " + Files.readString(log));
      }
      Thread.sleep(10);
    }
  }

  /**
   * Stops the capture and returns one row per packet with the requested tshark fields, comma
   * separated.
   */
  public List<String> stopAndDecode(String... fields) throws IOException, InterruptedException {
    stop();
    List<String> command =
        new ArrayList<>(
            List.of("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,"));
    for (String field : fields) {
      command.add("-e");
      command.add(field);
    }
    Process tshark =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!tshark.waitFor(30, TimeUnit.SECONDS) || tshark.exitValue() != 0) {
      throw new IOException("tshark failed on " + file);
    }
    List<String> rows = new ArrayList<>();
    for (String row : out.split("\n")) {
      if (!row.isBlank()) {
        rows.add(row.trim());
      }
    }
    return rows;
  }

  private void stop() throws InterruptedException {
    // Give the last frames time to be written (-U flushes per packet), then SIGTERM lets tcpdump
    // close the file.
    Thread.sleep(200);
    tcpdump.destroy();
    if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) {
      tcpdump.destroyForcibly();
    }
  }

  @Override
  public void close() throws IOException {
    if (tcpdump.isAlive()) {
      tcpdump.destroyForcibly();
    }
    Files.deleteIfExists(file);
    Files.deleteIfExists(log);
    Files.deleteIfExists(directory);
  }
}
