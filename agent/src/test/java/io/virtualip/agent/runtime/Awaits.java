package io.virtualip.agent.runtime;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Waits of the agent tests that run real agents: on time-out, the agents' logs say why. */
final class Awaits {
  private Awaits() {}

  /** Polls every 20 ms for up to 10 s; a time-out fails with {@code what} and {@code logs}. */
  static void until(String what, BooleanSupplier condition, Supplier<String> logs) {
    try {
      Awaitility.await(what)
          .atMost(Duration.ofSeconds(10))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out waiting for: " + what + "\n" + logs.get(), e);
    }
  }
}
