package io.virtualip.agent.kubernetes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code httpGet} tracks of every instance on one scheduler thread of their own. A check is an HTTP GET
 * with a timeout; 2xx and 3xx are healthy (redirects are not followed). The first result sets the track's state at
 * once; after that {@link ResolvedTrack.Thresholds} govern changes. Every change goes to the engine.
 */
final class HttpGetTracks implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(HttpGetTracks.class.getName());
  /** The kubelet's default probe timeout. */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final InstanceEngine engine;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("virtualip-httpget"));
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();
  /** Per VirtualIP: the tracks running and their checks. Only touched on the scheduler thread. */
  private final Map<String, Running> running = new HashMap<>();

  private record Running(List<ResolvedTrack> tracks, List<ScheduledFuture<?>> checks) {
  }

  HttpGetTracks(InstanceEngine engine) {
    this.engine = engine;
  }

  /**
   * (Re)starts the checks of {@code name} when its tracks changed: each track reports again from its first check,
   * as the engine's contract expects for a changed track list.
   */
  void sync(String name, List<ResolvedTrack> tracks) {
    scheduler.execute(() -> {
      stopNow(name);
      List<ScheduledFuture<?>> checks = new ArrayList<>();
      for (int i = 0; i < tracks.size(); i++) {
        if (tracks.get(i) instanceof ResolvedTrack.HttpGetTrack t) {
          URI uri;
          try {
            uri = uri(t);
          } catch (IllegalArgumentException e) {
            // Nothing to probe can never be healthy; say so once instead of silently never reporting.
            LOG.log(System.Logger.Level.WARNING, "VirtualIP " + name + ": httpGet track " + i + " has no usable URL ("
                + e.getMessage() + "); it counts as failing");
            engine.trackChanged(name, i, false);
            continue;
          }
          Check check = new Check(name, i, t, uri);
          checks.add(scheduler.scheduleWithFixedDelay(check::run, 0, t.thresholds().intervalSeconds(),
              TimeUnit.SECONDS));
        }
      }
      running.put(name, new Running(tracks, checks));
    });
  }

  /** An IPv6 literal host goes in brackets. */
  static URI uri(ResolvedTrack.HttpGetTrack t) {
    String host = t.host().contains(":") ? "[" + t.host() + "]" : t.host();
    return URI.create("http://" + host + ":" + t.port() + t.path());
  }

  void stop(String name) {
    scheduler.execute(() -> stopNow(name));
  }

  private void stopNow(String name) {
    Running r = running.remove(name);
    if (r != null) {
      r.checks().forEach(f -> f.cancel(false));
    }
  }

  /** One track's checks and its threshold state; touched only on the scheduler thread. */
  private final class Check {
    private final String name;
    private final int index;
    private final ResolvedTrack.HttpGetTrack track;
    private final HttpRequest request;
    private Boolean healthy;
    private int streak;
    private boolean inFlight;

    Check(String name, int index, ResolvedTrack.HttpGetTrack track, URI uri) {
      this.name = name;
      this.index = index;
      this.track = track;
      this.request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    }

    void run() {
      if (inFlight) {
        return;
      }
      inFlight = true;
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        boolean ok = error == null && response.statusCode() >= 200 && response.statusCode() < 400;
        scheduler.execute(() -> {
          inFlight = false;
          record(ok);
        });
      });
    }

    private void record(boolean ok) {
      Running r = running.get(name);
      if (r == null || r.tracks().size() <= index || r.tracks().get(index) != track) {
        return; // stopped or replaced since this check started
      }
      if (healthy == null) {
        healthy = ok;
        engine.trackChanged(name, index, ok);
        return;
      }
      if (ok == healthy) {
        streak = 0;
        return;
      }
      streak++;
      int needed = ok ? track.thresholds().successThreshold() : track.thresholds().failureThreshold();
      if (streak >= needed) {
        healthy = ok;
        streak = 0;
        engine.trackChanged(name, index, ok);
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
