package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * tcpdump writing a pcap inside a lab node, started and ready (listening) when {@link #start}
 * returns. Decode the result with {@link Tshark#decodeVrrp(Path)} after {@link #stop()}.
 */
public final class PacketCapture implements AutoCloseable {

  /** What tcpdump prints once its socket is open: from then on no packet is missed. */
  static final String READY = "listening on";

  static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final BackgroundProcess tcpdump;
  private final Path pcap;

  private PacketCapture(BackgroundProcess tcpdump, Path pcap) {
    this.tcpdump = tcpdump;
    this.pcap = pcap;
  }

  /**
   * Captures on {@code node}'s interface into {@code <workDir>/<name>.pcap}.
   *
   * @param filter a pcap filter, e.g. {@code "ip proto 112 or ip6 proto 112"} for VRRP
   */
  public static PacketCapture start(Lab lab, Node node, String name, String filter) {
    Path pcap = lab.workDir().resolve(name + ".pcap").toAbsolutePath();
    // -U writes each packet as it arrives, so the file is complete whenever tcpdump is stopped.
    // Without immediate
    // mode packets wait in the kernel's capture ring for up to a block timeout, and are lost when
    // tcpdump stops.
    BackgroundProcess tcpdump =
        lab.start(
            node,
            name,
            "tcpdump",
            "-n",
            "-U",
            "--immediate-mode",
            "-i",
            node.iface(),
            "-w",
            pcap.toString(),
            filter);
    tcpdump.awaitOutput(READY, START_TIMEOUT);
    return new PacketCapture(tcpdump, pcap);
  }

  /** The pcap being written; complete up to the last packet, since tcpdump flushes each one. */
  public Path pcap() {
    return pcap;
  }

  /** Waits until the capture holds at least {@code count} VRRP frames, and returns them all. */
  public List<Tshark.VrrpFrame> awaitVrrpFrames(int count, Duration timeout) {
    AtomicReference<List<Tshark.VrrpFrame>> frames = new AtomicReference<>(List.of());
    Await.until(
        count + " VRRP frames in " + pcap,
        timeout,
        () -> {
          try {
            frames.set(Tshark.decodeVrrp(pcap));
          } catch (LabException e) {
            return false; // tshark refused a file whose header or last packet is still being
            // written
          }
          return frames.get().size() >= count;
        });
    return frames.get();
  }

  /** Stops tcpdump and returns the pcap. */
  public Path stop() {
    tcpdump.terminate(START_TIMEOUT);
    return pcap;
  }

  @Override
  public void close() {
    tcpdump.close();
  }
}
