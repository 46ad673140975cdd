package io.virtualip.agent.source.kubernetes;

import java.util.concurrent.ThreadFactory;

/**
 * The glue's threads, one per concern (controller, status, lease, httpGet), named so that a thread
 * dump says which is stuck, and daemons so that they never keep the JVM alive after the engine
 * stopped.
 */
final class DaemonThreads {
  private DaemonThreads() {}

  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
