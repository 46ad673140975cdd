package io.virtualip.agent.dataplane;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * The data plane's single thread: one epoll set multiplexing the VRRP sockets, the netlink
 * subscription, an eventfd for wake-ups from other threads and a timerfd for timers. Each turn arms
 * the timerfd to the nearest deadline, sleeps in epoll_wait until a descriptor is readable, handles
 * the input and then fires the timers that were due when the wait returned.
 *
 * <p>Why a timerfd: epoll_wait's timeout counts whole milliseconds, so a deadline rounded up to the
 * next millisecond fires up to 1 ms late; at 10 ms adverts that is ~3% of Master_Down_Interval. A
 * timerfd takes nanoseconds.
 *
 * <p>Fewer system calls per turn, since nearly all of the loop's CPU is spent in the kernel (a
 * master of 255 VRIDs at 100 ms wakes 2,550 times a second, one advert per wake-up): a deadline at
 * most {@value #PRECISE_TIMEOUT_MAX_NANOS} ns away is waited for with epoll_pwait2's nanosecond
 * timeout instead of a timerfd_settime before the wait (the kernel's slack for it is 0.1% of the
 * wait with this thread's timer slack of 1 ns, so at most 2 µs); and the timerfd is armed only when
 * the nearest deadline is earlier than it or it fired (edge-triggered, so a fired one needs neither
 * a read nor a disarm), since a timerfd that expires before the nearest deadline merely ends one
 * wait early (a backup's nearest Master_Down_Timer moves later with every advert it hears: it
 * re-arms a few times a second instead of per advert). Every timer still fires on the first turn
 * after its deadline, never earlier.
 *
 * <p>Everything that touches a VRRP instance runs on this thread, so instances need no locks. Other
 * threads hand work over with {@link #execute} / {@link #submit}. A turn with no hand-over
 * allocates nothing: the epoll event array is reused, handlers are found by descriptor number in an
 * array, timers are scanned by index.
 */
public final class EventLoop implements AutoCloseable {

  /**
   * Called on the loop thread when a registered descriptor is readable (level-triggered: drain it).
   */
  @FunctionalInterface
  public interface ReadHandler {
    void onReadable() throws Exception;
  }

  /**
   * A one-shot timer owned by this loop; re-arm it from its action for periodic work. Loop thread
   * only.
   */
  public final class Timer {
    private final Runnable action;
    private long deadlineNanos = NEVER;

    private Timer(Runnable action) {
      this.action = action;
    }

    public void armAt(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
      deadlineBound = Math.min(deadlineBound, deadlineNanos);
    }

    public void armAfter(long delayNanos) {
      armAt(clock.getAsLong() + delayNanos);
    }

    public void cancel() {
      deadlineNanos = NEVER;
    }
  }

  public static final long NEVER = Long.MAX_VALUE;
  private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
  private static final int MAX_EVENTS = 32;

  /** Deadlines this near are waited for with epoll_pwait2's timeout rather than the timerfd. */
  static final long PRECISE_TIMEOUT_MAX_NANOS = 2_000_000;

  private final LongSupplier clock = System::nanoTime;
  private final int epollFd;
  private final int wakeFd;
  private final int timerFd;
  private final NativeBuffer timerSpec = new NativeBuffer(Native.ITIMERSPEC_SIZE);
  private final NativeBuffer waitTimeout = new NativeBuffer(16);

  /** False once epoll_pwait2 failed for want of kernel or seccomp support: the timerfd does all. */
  private boolean preciseTimeout = true;

  /** Behaves as where epoll_pwait2 is missing (tests of that path); before {@link #start}. */
  void useTimerFdOnly() {
    preciseTimeout = false;
  }

  /**
   * The deadline the timerfd is armed to, NEVER once it fired or when disarmed. Never later than
   * the nearest deadline unless a turn's wait has a timeout of its own.
   */
  private long armedDeadline = NEVER;

  private final NativeBuffer events = new NativeBuffer(MAX_EVENTS * Native.EPOLL_EVENT_SIZE);
  private final NativeBuffer control = new NativeBuffer(16);
  private final NativeBuffer wakeValue = new NativeBuffer(8);
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  /**
   * In an array rather than a list: every turn scans them, and under C1 alone (the image's JVM
   * options) a list's get and size are calls of their own.
   */
  private Timer[] timers = new Timer[16];

  private int timerCount;

  /**
   * At most the nearest deadline of any timer: set by each scan, lowered by each arming. A turn
   * woken by input with nothing due skips the scan of the timers (a backup of 255 instances at 100
   * ms is woken 2,550 times a second by adverts).
   */
  private long deadlineBound = NEVER;

  /** When the current turn's epoll_wait returned, and the turn's before it. */
  private long wokeAtNanos;

  private long previousWokeAtNanos;
  private final NativeBuffer realtime = new NativeBuffer(16);
  private ReadHandler[] handlers = new ReadHandler[64];
  private volatile boolean running;
  private Thread thread;

  public EventLoop() throws NativeException {
    epollFd = Native.check(Native.LIBC.epoll_create1(Native.EPOLL_CLOEXEC), "epoll_create1");
    int wake = -1;
    try {
      wake =
          Native.check(Native.LIBC.eventfd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC), "eventfd");
      epollAdd(wake, Native.EPOLLIN);
      timerFd =
          Native.check(
              Native.LIBC.timerfd_create(
                  Native.CLOCK_MONOTONIC, Native.TFD_NONBLOCK | Native.TFD_CLOEXEC),
              "timerfd_create");
      // Edge-triggered: an expiration is reported once, so a timerfd that fired need not be read or
      // disarmed (a system call either) before a wait that does not use it.
      epollAdd(timerFd, Native.EPOLLIN | Native.EPOLLET);
    } catch (NativeException e) {
      Native.closeQuietly(wake);
      Native.closeQuietly(epollFd);
      throw e;
    }
    wakeFd = wake;
  }

  public long nowNanos() {
    return clock.getAsLong();
  }

  /**
   * When this turn's wait returned: the time of receipt for input handled in this turn that carries
   * no time of its own (as keepalived's scheduler stamps a turn). Loop thread only.
   */
  public long wokeAtNanos() {
    return wokeAtNanos;
  }

  /**
   * When a datagram the kernel stamped at {@code realtimeNanos} (SO_TIMESTAMPNS, CLOCK_REALTIME)
   * arrived, on this loop's clock. A backup's Master_Down_Timer runs from the master's last advert:
   * from its arrival, not from when this thread woke up and read it (tens of microseconds later on
   * an idle machine, more on a busy one).
   *
   * <p>The wall clock is read now to measure the datagram's age, so a step of the wall clock in
   * between would shift the result; it is therefore kept between the previous turn's wake-up
   * (anything that arrived earlier was read in that turn, since handlers drain their sockets) and
   * now. Without a stamp: this turn's wake-up. Allocates nothing. Loop thread only.
   */
  public long arrivalNanos(long realtimeNanos) {
    if (realtimeNanos <= 0) {
      return wokeAtNanos;
    }
    Native.LIBC.clock_gettime(Native.CLOCK_REALTIME, realtime.pointer());
    long now = clock.getAsLong();
    ByteBuffer r = realtime.buffer();
    long age = r.getLong(0) * 1_000_000_000L + r.getLong(8) - realtimeNanos;
    return Math.max(previousWokeAtNanos, Math.min(now, now - age));
  }

  /** Starts the loop thread. */
  public synchronized void start(String threadName) {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** The loop thread, for diagnostics and allocation measurements; null before {@link #start}. */
  public Thread thread() {
    return thread;
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Watches {@code fd} for input. Safe from any thread; before {@link #start} or on the loop thread
   * it takes effect at once, otherwise on the loop's next turn.
   */
  public void register(int fd, ReadHandler handler) {
    runOnLoop(
        () -> {
          if (fd >= handlers.length) {
            handlers = Arrays.copyOf(handlers, Math.max(fd + 1, handlers.length * 2));
          }
          handlers[fd] = handler;
          try {
            epollAdd(fd, Native.EPOLLIN);
          } catch (NativeException e) {
            handlers[fd] = null;
            throw new IllegalStateException(e);
          }
        });
  }

  /** Stops watching {@code fd} (call before closing it). */
  public void unregister(int fd) {
    runOnLoop(
        () -> {
          Native.LIBC.epoll_ctl(epollFd, Native.EPOLL_CTL_DEL, fd, control.pointer());
          if (fd < handlers.length) {
            handlers[fd] = null;
          }
        });
  }

  /** A new unarmed timer. Create timers at setup: the loop scans them every turn. */
  public Timer newTimer(Runnable action) {
    Timer timer = new Timer(action);
    runOnLoop(
        () -> {
          if (timerCount == timers.length) {
            timers = Arrays.copyOf(timers, timerCount * 2);
          }
          timers[timerCount++] = timer;
        });
    return timer;
  }

  /** Forgets a timer whose owner is gone, so replaced instances do not leave timers behind. */
  public void removeTimer(Timer timer) {
    runOnLoop(
        () -> {
          for (int i = 0; i < timerCount; i++) {
            if (timers[i] == timer) {
              System.arraycopy(timers, i + 1, timers, i, timerCount - i - 1);
              timers[--timerCount] = null;
              return;
            }
          }
        });
  }

  /** Runs {@code task} on the loop thread (soon, in order). */
  public void execute(Runnable task) {
    tasks.add(task);
    wake();
  }

  /** Runs {@code task} on the loop thread and completes the future with its result. */
  public <T> CompletableFuture<T> submit(Callable<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable work =
        () -> {
          try {
            result.complete(task.call());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        };
    if (inLoop()) {
      work.run();
    } else {
      execute(work);
    }
    return result;
  }

  private void runOnLoop(Runnable work) {
    if (thread == null || inLoop()) {
      work.run();
    } else {
      submit(
              () -> {
                work.run();
                return null;
              })
          .join();
    }
  }

  private void epollAdd(int fd, int events) throws NativeException {
    ByteBuffer c = control.buffer();
    c.putInt(0, events);
    c.putLong(Native.EPOLL_EVENT_DATA_OFFSET, fd);
    Native.check(
        Native.LIBC.epoll_ctl(epollFd, Native.EPOLL_CTL_ADD, fd, control.pointer()),
        "epoll_ctl add " + fd);
  }

  private void wake() {
    wakeValue.buffer().putLong(0, 1);
    Native.LIBC.write(wakeFd, wakeValue.pointer(), 8);
  }

  /**
   * Each turn handles the input its wait returned with first, then fires the timers that were due
   * when the wait returned. A timer that falls due later, while this thread is busy or paused (a GC
   * pause, a busy CPU), waits for the next turn, whose wait is then a poll: so an advertisement
   * that reached the socket before a Master_Down_Timer expired is always counted before the timer
   * fires, however late this thread gets to it. Firing first would turn any stall longer than
   * Master_Down_Interval into a takeover while the master's adverts sit unread in the socket.
   */
  private void run() {
    // Linux may delay a sleeping thread's wake-up by its timer slack (50 µs by default) to batch
    // wake-ups; a Master_Down_Timer is a failover deadline, so this thread asks for the smallest
    // slack.
    if (Native.LIBC.prctl(Native.PR_SET_TIMERSLACK, 1, 0, 0, 0) < 0) {
      LOG.log(
          System.Logger.Level.WARNING, "prctl(PR_SET_TIMERSLACK) failed, errno " + Native.errno());
    }
    ByteBuffer e = events.buffer();
    while (running) {
      int n = await(nearestDeadline());
      previousWokeAtNanos = wokeAtNanos;
      wokeAtNanos = clock.getAsLong();
      if (n < 0) {
        if (Native.errno() != Native.EINTR) {
          LOG.log(System.Logger.Level.ERROR, "epoll_wait failed, errno " + Native.errno());
          return;
        }
        continue;
      }
      for (int i = 0; i < n && running; i++) {
        int fd = (int) e.getLong(i * Native.EPOLL_EVENT_SIZE + Native.EPOLL_EVENT_DATA_OFFSET);
        if (fd == wakeFd) {
          Native.LIBC.read(wakeFd, wakeValue.pointer(), 8);
          runTasks();
        } else if (fd == timerFd) {
          // Expired (one-shot, so now disarmed). Not read: being edge-triggered it is not reported
          // again, and the next timerfd_settime discards the expiration (one system call less
          // between a Master_Down_Timer and the takeover).
          armedDeadline = NEVER;
        } else if (fd < handlers.length && handlers[fd] != null) {
          dispatch(handlers[fd]);
        }
      }
      if (running && deadlineBound <= wokeAtNanos) {
        fireTimersDueBy(wokeAtNanos);
      }
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.ERROR, "event loop task failed", ex);
      }
    }
  }

  private void dispatch(ReadHandler handler) {
    try {
      handler.onReadable();
    } catch (Exception ex) {
      LOG.log(System.Logger.Level.ERROR, "event loop handler failed", ex);
    }
  }

  /**
   * Waits for input or until {@code deadline}, whichever is first (a poll when it has passed), with
   * as few system calls as the timerfd's state allows: none besides the wait when the timerfd is
   * armed at or before the deadline, or the deadline is near enough for epoll_pwait2's timeout.
   *
   * @return epoll's count of ready descriptors, or -1 with errno
   */
  private int await(long deadline) {
    if (deadline == NEVER || armedDeadline <= deadline) {
      // No deadline, or the timerfd ends the wait at or before it (a timerfd armed earlier than
      // needed ends one wait for nothing).
      return Native.LIBC.epoll_wait(epollFd, events.pointer(), MAX_EVENTS, -1);
    }
    long delay = deadline - clock.getAsLong();
    if (delay <= 0) {
      return Native.LIBC.epoll_wait(epollFd, events.pointer(), MAX_EVENTS, 0);
    }
    if (preciseTimeout && delay <= PRECISE_TIMEOUT_MAX_NANOS) {
      // The timerfd stays disarmed or armed later, which ends a later wait early at most.
      ByteBuffer t = waitTimeout.buffer();
      t.putLong(0, delay / 1_000_000_000L);
      t.putLong(8, delay % 1_000_000_000L);
      int n = epollPwait2();
      if (n >= 0 || Native.errno() == Native.EINTR) {
        return n;
      }
      preciseTimeout = false;
      LOG.log(
          System.Logger.Level.INFO,
          "epoll_pwait2 unavailable (errno "
              + Native.errno()
              + "); timers use the timerfd alone, one more system call per wake-up");
    }
    return Native.LIBC.epoll_wait(epollFd, events.pointer(), MAX_EVENTS, armTimerFd(deadline));
  }

  private int epollPwait2() {
    try {
      return Native.LIBC.epoll_pwait2(
          epollFd, events.pointer(), MAX_EVENTS, waitTimeout.pointer(), null);
    } catch (LinkageError noSuchFunction) {
      // A C library older than glibc 2.35: this turn polls, the next ones use the timerfd.
      preciseTimeout = false;
      LOG.log(
          System.Logger.Level.INFO,
          "epoll_pwait2 not in the C library; timers use the timerfd alone");
      return Native.LIBC.epoll_wait(epollFd, events.pointer(), MAX_EVENTS, 0);
    }
  }

  /**
   * Arms the timerfd to {@code deadline} (NEVER disarms it); returns epoll_wait's timeout: 0 when
   * the deadline has passed already, else -1 (the timerfd ends the wait). Armed relative to {@code
   * now} so the deadlines need not share an epoch with CLOCK_MONOTONIC; the timerfd then expires a
   * few microseconds after the deadline, never before it.
   */
  private int armTimerFd(long deadline) {
    long delay = 0;
    if (deadline != NEVER) {
      delay = deadline - clock.getAsLong();
      if (delay <= 0) {
        return 0;
      }
    }
    ByteBuffer spec = timerSpec.buffer();
    // it_interval stays zero (one-shot); it_value all zero disarms.
    spec.putLong(Native.ITIMERSPEC_VALUE_OFFSET, delay / 1_000_000_000L);
    spec.putLong(Native.ITIMERSPEC_VALUE_OFFSET + 8, delay % 1_000_000_000L);
    if (Native.LIBC.timerfd_settime(timerFd, 0, timerSpec.pointer(), null) < 0) {
      // Cannot happen with a valid fd and spec; fall back to polling rather than sleeping forever.
      LOG.log(System.Logger.Level.ERROR, "timerfd_settime failed, errno " + Native.errno());
      armedDeadline = NEVER;
      return deadline == NEVER ? -1 : 1;
    }
    armedDeadline = deadline;
    return -1;
  }

  /** Fires every timer whose deadline is {@code dueBy} or earlier. */
  private void fireTimersDueBy(long dueBy) {
    for (int i = 0; i < timerCount; i++) {
      Timer timer = timers[i];
      if (timer.deadlineNanos <= dueBy) {
        timer.deadlineNanos = NEVER;
        try {
          timer.action.run();
        } catch (RuntimeException ex) {
          LOG.log(System.Logger.Level.ERROR, "timer action failed", ex);
        }
      }
    }
  }

  private long nearestDeadline() {
    long next = NEVER;
    for (int i = 0; i < timerCount; i++) {
      next = Math.min(next, timers[i].deadlineNanos);
    }
    deadlineBound = next;
    return next;
  }

  /**
   * Stops the loop thread (waiting for its current turn) and closes epoll; registered descriptors
   * stay open.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      wake();
      try {
        t.join(2000);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }
    Native.closeQuietly(wakeFd);
    Native.closeQuietly(timerFd);
    Native.closeQuietly(epollFd);
  }
}
