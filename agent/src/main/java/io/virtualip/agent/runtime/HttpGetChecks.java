package io.virtualip.agent.runtime;

import io.virtualip.agent.spec.VipDefinition;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code httpGet} tracks of both modes (the Kubernetes glue hands them over through {@link
 * EngineAdapter}).
 *
 * <p>Behaviour, the kubelet's probe semantics on the CRD's fields: every {@code intervalSeconds}
 * (measured from the end of the previous check) one GET of {@code http://host:port/path}, on a
 * fresh connection, with a 1 s connect and read timeout (the kubelet's default {@code
 * timeoutSeconds}; the CRD has no field for it). 2xx and 3xx answers are successes; redirects are
 * not followed. Anything else is a failure: another status, a refused connection, a timeout, a URL
 * that cannot be requested. {@code successThreshold} consecutive successes make the track healthy,
 * {@code failureThreshold} consecutive failures make it failing, and each such verdict is reported
 * when it differs from the previous one; the first verdict is reported either way.
 *
 * <p><b>A track counts as failing until its first verdict</b>: the agent starts every external
 * track failing, so a node never claims the address on a health it has not checked. A re-applied
 * definition with the same external tracks keeps its checks running (the new runner inherits their
 * health), so an unrelated change neither resets a track to failing nor loses a flip.
 *
 * <p>One daemon thread, off the VRRP event loop, so that a slow or hanging server never delays an
 * advertisement; the sink only posts to the loop. Created by {@link Agent#start}, so its thread,
 * and every socket it opens, lives in the agent's network namespace.
 */
final class HttpGetChecks implements AutoCloseable {

  /** Where a verdict goes: {@link Agent#trackChanged}; must not block. */
  interface Sink {
    void trackChanged(String instance, String track, boolean healthy);
  }

  static final int TIMEOUT_MILLIS = 1_000;

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "http-checks");
            t.setDaemon(true);
            return t;
          });

  /** Per instance, its external tracks and their running checks; guarded by {@code this}. */
  private final Map<String, Running> byInstance = new HashMap<>();

  private final Sink sink;

  private record Running(List<VipDefinition.ExternalTrack> tracks, List<Check> checks) {}

  HttpGetChecks(Sink sink) {
    this.sink = sink;
  }

  /**
   * Starts the checks of {@code definition}, or restarts them when its external tracks differ from
   * those running for that name (then the agent counts them failing again too).
   */
  synchronized void apply(VipDefinition definition) {
    Running running = byInstance.get(definition.name());
    if (running != null && running.tracks().equals(definition.externalTracks())) {
      return;
    }
    stop(definition.name());
    List<Check> checks = new ArrayList<>();
    for (VipDefinition.ExternalTrack track : definition.externalTracks()) {
      if (track.httpGet() != null) {
        Check check = new Check(definition.name(), track.name(), track.httpGet());
        check.future =
            scheduler.scheduleWithFixedDelay(
                check, 0, track.httpGet().intervalSeconds(), TimeUnit.SECONDS);
        checks.add(check);
      }
    }
    byInstance.put(definition.name(), new Running(definition.externalTracks(), checks));
  }

  synchronized void stop(String instance) {
    Running running = byInstance.remove(instance);
    if (running != null) {
      for (Check check : running.checks()) {
        check.stopped = true;
        check.future.cancel(false);
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** One track's probe and its consecutive-result counting; runs only on the scheduler thread. */
  private final class Check implements Runnable {
    private final String instance;
    private final String track;
    private final VipDefinition.HttpGetCheck spec;
    private ScheduledFuture<?> future;

    /** Set under the lock by {@link #stop}: a probe that was in flight then reports nothing. */
    private boolean stopped;

    /** The last verdict reported; null before the first. */
    private Boolean healthy;

    private int successes;
    private int failures;

    Check(String instance, String track, VipDefinition.HttpGetCheck spec) {
      this.instance = instance;
      this.track = track;
      this.spec = spec;
    }

    @Override
    public void run() {
      boolean ok = probe();
      successes = ok ? Math.min(successes + 1, spec.successThreshold()) : 0;
      failures = ok ? 0 : Math.min(failures + 1, spec.failureThreshold());
      Boolean verdict =
          successes == spec.successThreshold()
              ? Boolean.TRUE
              : failures == spec.failureThreshold() ? Boolean.FALSE : null;
      if (verdict == null || verdict.equals(healthy)) {
        return;
      }
      synchronized (HttpGetChecks.this) {
        if (!stopped) {
          healthy = verdict;
          sink.trackChanged(instance, track, verdict);
        }
      }
    }

    private boolean probe() {
      HttpURLConnection connection = null;
      try {
        // java.net.URL brackets an IPv6 literal host itself.
        URL url = new URL("http", spec.host(), spec.port(), spec.path());
        connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        connection.setConnectTimeout(TIMEOUT_MILLIS);
        connection.setReadTimeout(TIMEOUT_MILLIS);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        // A fresh connection per check: a pooled one could hide a server that stopped accepting.
        connection.setRequestProperty("Connection", "close");
        int code = connection.getResponseCode();
        // The body is not read: a server streaming without end must not hold the thread past the
        // timeout.
        return code >= 200 && code < 400;
      } catch (IOException | RuntimeException e) {
        return false;
      } finally {
        if (connection != null) {
          connection.disconnect();
        }
      }
    }
  }
}
