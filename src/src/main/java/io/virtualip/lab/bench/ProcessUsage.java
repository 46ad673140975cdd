package io.virtualip.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Memory and CPU of a process with its descendants (keepalived's VRRP child runs beside its
 * parent), read from {@code /proc}: resident set size from {@code VmRSS} in {@code status}, CPU
 * time from {@code utime + stime} (fields 14 and 15 of {@code stat}, in clock ticks).
 */
public record ProcessUsage(long rssKib, long cpuTicks) {

  /** USER_HZ: the unit of utime and stime; 100 on every Linux architecture this lab runs on. */
  public static final int CLOCK_TICKS_PER_SECOND = 100;

  public static ProcessUsage of(long pid) {
    List<Long> pids =
        Stream.concat(
                Stream.of(pid),
                ProcessHandle.of(pid).stream()
                    .flatMap(ProcessHandle::descendants)
                    .map(ProcessHandle::pid))
            .toList();
    long rss = 0;
    long ticks = 0;
    for (long p : pids) {
      rss += rssKib(p);
      ticks += cpuTicks(p);
    }
    return new ProcessUsage(rss, ticks);
  }

  public double rssMib() {
    return rssKib / 1024.0;
  }

  /**
   * Share of one core used between {@code earlier} and this sample, taken {@code seconds} apart, in
   * percent.
   */
  public double cpuPercentSince(ProcessUsage earlier, double seconds) {
    return 100.0 * (cpuTicks - earlier.cpuTicks) / CLOCK_TICKS_PER_SECOND / seconds;
  }

  private static long rssKib(long pid) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0; // a kernel thread or a process that just exited
  }

  private static long cpuTicks(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat.isEmpty()) {
      return 0;
    }
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the
    // last ')'.
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(after[11]) + Long.parseLong(after[12]);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
