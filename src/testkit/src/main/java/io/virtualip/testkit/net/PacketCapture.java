package io.virtualip.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump writing a pcap on one interface of a network namespace, ready (its socket open, so no
 * packet is missed) when {@link #start} returns; decode the file afterwards with tshark ({@link
 * #stopAndDecode}) or any other reader of {@link #pcap()}. Closing it kills tcpdump; a capture that
 * made its own temporary directory also deletes it.
 */
public final class PacketCapture implements AutoCloseable {

  /** What tcpdump prints once its socket is open: from then on no packet is missed. */
  public static final String READY = "listening on";

  /** How long tcpdump may take to open its socket, and to exit once told to. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration TSHARK_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Frames still on their way through the veth when the test decides to stop; -U writes each one as
   * soon as tcpdump has it, this covers the path to tcpdump.
   */
  private static final Duration DRAIN = Duration.ofMillis(200);

  private final Process tcpdump;
  private final Path pcap;
  private final Path log;
  private final Path ownDirectory;

  private PacketCapture(Process tcpdump, Path pcap, Path log, Path ownDirectory) {
    this.tcpdump = tcpdump;
    this.pcap = pcap;
    this.log = log;
    this.ownDirectory = ownDirectory;
  }

  /**
   * Captures on {@code iface} in {@code namespace} into a temporary pcap that {@link #close()}
   * deletes.
   *
   * @param filter a pcap filter, e.g. {@code "ip proto 112 or ip6 proto 112"} for VRRP
   */
  public static PacketCapture start(String namespace, String iface, String filter) {
    Path directory;
    try {
      directory = Files.createTempDirectory("virtualip-capture");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start(namespace, iface, directory.resolve("capture.pcap"), filter, directory);
  }

  /**
   * Captures on {@code iface} in {@code namespace} into {@code pcap}, which stays after {@link
   * #close()} (tcpdump's own messages go next to it, as {@code <name>.log}).
   */
  public static PacketCapture start(String namespace, String iface, Path pcap, String filter) {
    return start(namespace, iface, pcap.toAbsolutePath(), filter, null);
  }

  private static PacketCapture start(
      String namespace, String iface, Path pcap, String filter, Path ownDirectory) {
    String name = pcap.getFileName().toString().replaceFirst("\\.pcap$", "");
    Path log = pcap.resolveSibling(name + ".log");
    // -Z root: tcpdump otherwise drops privileges to user tcpdump, who may not write the file.
    // --immediate-mode: without it libpcap hands packets over per ring block, up to a second late,
    // and loses those still in the ring when tcpdump stops. -U: each packet is written as it
    // arrives, so the file is complete whenever it is read or tcpdump is stopped.
    Process tcpdump;
    try {
      tcpdump =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  namespace,
                  "tcpdump",
                  "--immediate-mode",
                  "-Z",
                  "root",
                  "-U",
                  "-n",
                  "-i",
                  iface,
                  "-w",
                  pcap.toString(),
                  filter)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start tcpdump in " + namespace, e);
    }
    PacketCapture capture = new PacketCapture(tcpdump, pcap, log, ownDirectory);
    try {
      capture.awaitReady(namespace);
    } catch (RuntimeException e) {
      capture.close();
      throw e;
    }
    return capture;
  }

  private void awaitReady(String namespace) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!messages().contains(READY)) {
      if (System.nanoTime() > deadline || !tcpdump.isAlive()) {
        throw new IllegalStateException(
            "tcpdump did not start in " + namespace + ": " + messages().strip());
      }
      pause(Duration.ofMillis(10));
    }
  }

  /** The pcap being written; complete up to the last packet, since tcpdump flushes each one. */
  public Path pcap() {
    return pcap;
  }

  /** What tcpdump printed (its standard error): the start line, errors, the packet counts. */
  public String messages() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops tcpdump (SIGTERM, so that it closes the file) and returns the pcap. */
  public Path stop() {
    pause(DRAIN);
    tcpdump.destroy();
    try {
      if (!tcpdump.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        tcpdump.destroyForcibly();
      }
    } catch (InterruptedException e) {
      tcpdump.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    return pcap;
  }

  /**
   * Stops the capture and returns one row per packet with the requested tshark fields, comma
   * separated.
   */
  public List<String> stopAndDecode(String... fields) {
    stop();
    List<String> command =
        new ArrayList<>(
            List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-E", "separator=,"));
    for (String field : fields) {
      command.add("-e");
      command.add(field);
    }
    try {
      Process tshark =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!tshark.waitFor(TSHARK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        tshark.destroyForcibly();
        throw new IllegalStateException("tshark did not finish reading " + pcap);
      }
      if (tshark.exitValue() != 0) {
        throw new IllegalStateException("tshark failed on " + pcap);
      }
      return out.lines().filter(row -> !row.isBlank()).map(String::trim).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run tshark on " + pcap, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading " + pcap, e);
    }
  }

  @Override
  public void close() {
    if (tcpdump.isAlive()) {
      tcpdump.destroyForcibly();
    }
    if (ownDirectory != null) {
      try {
        Files.deleteIfExists(pcap);
        Files.deleteIfExists(log);
        Files.deleteIfExists(ownDirectory);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
