package io.virtualip.agent.dataplane;

/**
 * Runs code with the calling thread inside a named network namespace ({@code /var/run/netns/NAME},
 * as made by {@code ip netns add}) and then moves it back.
 *
 * <p>setns(2) with CLONE_NEWNET changes only the calling thread, and a socket stays in the
 * namespace it was created in for life. So sockets opened inside {@link #call} keep working from
 * any thread afterwards, which lets one JVM (a test, or the lab harness) drive routers in several
 * namespaces. Requires CAP_SYS_ADMIN.
 */
public final class NetworkNamespace {

  /** Work to run inside the namespace. */
  @FunctionalInterface
  public interface Action<T> {
    T run() throws Exception;
  }

  private NetworkNamespace() {}

  public static <T> T call(String name, Action<T> action) throws Exception {
    int original =
        Native.check(
            Native.LIBC.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC),
            "open own network namespace");
    try {
      int target =
          Native.check(
              Native.LIBC.open("/var/run/netns/" + name, Native.O_RDONLY | Native.O_CLOEXEC),
              "open network namespace " + name);
      try {
        Native.check(Native.LIBC.setns(target, Native.CLONE_NEWNET), "setns " + name);
      } finally {
        Native.closeQuietly(target);
      }
      try {
        return action.run();
      } finally {
        // If this failed the thread would stay in the wrong namespace; nothing sane can continue
        // then.
        if (Native.LIBC.setns(original, Native.CLONE_NEWNET) < 0) {
          throw new IllegalStateException(
              "cannot return to the original network namespace, errno " + Native.errno());
        }
      }
    } finally {
      Native.closeQuietly(original);
    }
  }
}
