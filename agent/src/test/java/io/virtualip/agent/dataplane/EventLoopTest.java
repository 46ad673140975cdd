package io.virtualip.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void timersFireInDeadlineOrderNotBefore() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            List<String> fired = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            long start = System.nanoTime();
            long[] firedAt = new long[3];
            EventLoop.Timer late = loop.newTimer(() -> {
                fired.add("late");
                firedAt[2] = System.nanoTime();
                done.countDown();
            });
            EventLoop.Timer early = loop.newTimer(() -> {
                fired.add("early");
                firedAt[0] = System.nanoTime();
                done.countDown();
            });
            EventLoop.Timer middle = loop.newTimer(() -> {
                fired.add("middle");
                firedAt[1] = System.nanoTime();
                done.countDown();
            });
            late.armAt(start + TimeUnit.MILLISECONDS.toNanos(120));
            early.armAt(start + TimeUnit.MILLISECONDS.toNanos(20));
            middle.armAt(start + TimeUnit.MILLISECONDS.toNanos(60));
            loop.start("timer-test");

            assertThat(done.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(fired).containsExactly("early", "middle", "late");
            assertThat(firedAt[0] - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(firedAt[2] - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(120))
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(600));
        }
    }

    /**
     * A 10 ms periodic timer at a fixed rate (each deadline 10 ms after the last one, not after the late firing):
     * with epoll_wait's whole-millisecond timeout, rounding up let the lateness creep towards 1 ms (mean ~0.5 ms).
     * The bounds are measured properties with room for a busy machine, far above the ~0.05 ms a quiet one shows.
     */
    @Test
    void periodicTimerFiresWellWithinAMillisecondOfItsDeadline() throws Exception {
        int firings = 200;
        long period = TimeUnit.MILLISECONDS.toNanos(10);
        try (EventLoop loop = new EventLoop()) {
            long[] lateness = new long[firings];
            CountDownLatch done = new CountDownLatch(1);
            EventLoop.Timer[] timer = new EventLoop.Timer[1];
            long[] deadline = {System.nanoTime() + period};
            int[] count = {0};
            timer[0] = loop.newTimer(() -> {
                lateness[count[0]] = System.nanoTime() - deadline[0];
                if (++count[0] < firings) {
                    deadline[0] += period;
                    timer[0].armAt(deadline[0]);
                } else {
                    done.countDown();
                }
            });
            timer[0].armAt(deadline[0]);
            loop.start("precision-test");
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

            Arrays.sort(lateness);
            assertThat(lateness[0]).as("never early").isNotNegative();
            double meanMillis = Arrays.stream(lateness).average().orElseThrow() / 1e6;
            double medianMillis = lateness[firings / 2] / 1e6;
            assertThat(medianMillis).as("median lateness, ms").isLessThan(0.25);
            assertThat(meanMillis).as("mean lateness, ms").isLessThan(0.5);
        }
    }

    @Test
    void cancelledTimerDoesNotFireAndTimersCanRearmThemselves() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            AtomicLong ticks = new AtomicLong();
            EventLoop.Timer[] periodic = new EventLoop.Timer[1];
            periodic[0] = loop.newTimer(() -> {
                if (ticks.incrementAndGet() < 5) {
                    periodic[0].armAfter(TimeUnit.MILLISECONDS.toNanos(5));
                }
            });
            AtomicLong cancelledFired = new AtomicLong();
            EventLoop.Timer cancelled = loop.newTimer(cancelledFired::incrementAndGet);
            cancelled.armAfter(TimeUnit.MILLISECONDS.toNanos(30));
            periodic[0].armAfter(0);
            loop.start("rearm-test");
            loop.submit(() -> {
                cancelled.cancel();
                return null;
            }).get();
            Thread.sleep(150);

            assertThat(ticks.get()).isEqualTo(5);
            assertThat(cancelledFired.get()).isZero();
        }
    }

    @Test
    void removedTimerNeverFiresEvenIfArmed() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            AtomicLong fired = new AtomicLong();
            EventLoop.Timer timer = loop.newTimer(fired::incrementAndGet);
            loop.start("remove-test");
            loop.submit(() -> {
                timer.armAfter(TimeUnit.MILLISECONDS.toNanos(10));
                loop.removeTimer(timer);
                return null;
            }).get();
            Thread.sleep(100);
            assertThat(fired.get()).isZero();
        }
    }

    @Test
    void submitRunsOnTheLoopThread() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            loop.start("submit-test");
            assertThat(loop.submit(() -> Thread.currentThread().getName()).get(1, TimeUnit.SECONDS))
                    .isEqualTo("submit-test");
            assertThat(loop.submit(loop::inLoop).get()).isTrue();
            assertThat(loop.inLoop()).isFalse();
        }
    }

    @Test
    void readableDescriptorIsDispatchedAndIdleTurnsAllocateNothing() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            int eventFd = Native.check(Native.LIBC.eventfd(0, Native.EFD_NONBLOCK), "eventfd");
            NativeBuffer value = new NativeBuffer(8);
            AtomicLong reads = new AtomicLong();
            AtomicLong allocatedByHandler = new AtomicLong(-1);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] baseline = new long[1];
            NativeBuffer readBuffer = new NativeBuffer(8);
            loop.register(eventFd, () -> {
                Native.LIBC.read(eventFd, readBuffer.pointer(), 8);
                long n = reads.incrementAndGet();
                if (n == 100) {
                    baseline[0] = threads.getCurrentThreadAllocatedBytes();
                } else if (n == 1100) {
                    allocatedByHandler.set(threads.getCurrentThreadAllocatedBytes() - baseline[0]);
                }
            });
            loop.start("fd-test");
            for (int i = 0; i < 1100; i++) {
                value.buffer().putLong(0, 1);
                Native.LIBC.write(eventFd, value.pointer(), 8);
                long target = i + 1;
                while (reads.get() < target) {
                    Thread.onSpinWait();
                }
            }
            loop.unregister(eventFd);
            Native.closeQuietly(eventFd);

            assertThat(reads.get()).isEqualTo(1100);
            // 1000 wake-ups through epoll_wait, dispatch and read(2) on the loop thread: no garbage.
            assertThat(allocatedByHandler.get()).isBetween(0L, 1000L);
        }
    }
}
