package io.virtualip.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds; the lab's only way of waiting, so every wait has a deadline and
 * a name.
 */
public final class Await {

  private static final Duration POLL = Duration.ofMillis(100);

  private Await() {}

  /**
   * Waits until {@code condition} holds, or throws a {@link LabException} naming {@code what} after
   * {@code timeout}.
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new LabException("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      sleep(POLL);
    }
  }

  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
  }
}
