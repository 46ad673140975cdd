package io.virtualip.agent.source.kubernetes;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Work drained on a single-threaded executor whenever woken. A run that fails (the drain returns
 * false) runs again after a backoff that doubles from {@code min} up to {@code max}; a success
 * resets it. Wakes while a retry is scheduled are left to that retry, which drains everything
 * queued by then. A wake runs the drain {@code gather} later, so that what happens in the same
 * instant goes in one run.
 */
final class RetryingDrain {
  private final ScheduledExecutorService executor;
  private final BooleanSupplier drain;
  private final Duration min;
  private final Duration max;
  private final Duration gather;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean backingOff;

  /** Only touched on the executor's thread. */
  private Duration backoff;

  private ScheduledFuture<?> retry;

  RetryingDrain(
      ScheduledExecutorService executor,
      BooleanSupplier drain,
      Duration min,
      Duration max,
      Duration gather) {
    this.executor = executor;
    this.drain = drain;
    this.min = min;
    this.max = max;
    this.gather = gather;
    this.backoff = min;
  }

  /** Runs the drain soon on the executor, unless a run is queued or a retry scheduled. */
  void wake() {
    if (!backingOff && queued.compareAndSet(false, true)) {
      try {
        executor.schedule(this::run, gather.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // Closed: last words after shutdown must not throw into the caller.
      }
    }
  }

  boolean backingOff() {
    return backingOff;
  }

  /** Runs the drain now; on the executor's thread only. */
  void run() {
    queued.set(false);
    if (retry != null) {
      return; // a retry is scheduled and will drain everything then
    }
    if (drain.getAsBoolean()) {
      backoff = min;
      return;
    }
    backingOff = true;
    retry =
        executor.schedule(
            () -> {
              retry = null;
              backingOff = false;
              run();
            },
            backoff.toMillis(),
            TimeUnit.MILLISECONDS);
    backoff = backoff.multipliedBy(2).compareTo(max) > 0 ? max : backoff.multipliedBy(2);
  }
}
