package io.virtualip.agent.standalone;

import io.virtualip.agent.config.VipDefinition;
import java.io.IOException;
import java.io.InputStream;
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
 * Runs the {@code httpGet} tracks: one daemon thread, off the VRRP event loop, so a slow or hanging server never
 * delays an advertisement. Each check reports to the agent only when its health flips (after the thresholds);
 * until its first verdict a track counts as failing. Created by {@link Agent#start}, so its thread (and every
 * socket it opens) lives in the agent's network namespace.
 */
final class HttpGetChecks implements AutoCloseable {

    /** Where a verdict goes: {@link Agent#trackChanged}. */
    interface Sink {
        void trackChanged(String instance, String track, boolean healthy);
    }

    private static final int MAX_TIMEOUT_MILLIS = 5_000;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-checks");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, List<ScheduledFuture<?>>> byInstance = new HashMap<>();
    private final Sink sink;

    HttpGetChecks(Sink sink) {
        this.sink = sink;
    }

    /** (Re)starts the checks of {@code definition}, replacing those of an earlier definition of that name. */
    synchronized void apply(VipDefinition definition) {
        stop(definition.name());
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        for (VipDefinition.ExternalTrack track : definition.externalTracks()) {
            if (track.httpGet() != null) {
                Check check = new Check(definition.name(), track.name(), track.httpGet());
                futures.add(scheduler.scheduleWithFixedDelay(check, 0, track.httpGet().intervalSeconds(),
                        TimeUnit.SECONDS));
            }
        }
        byInstance.put(definition.name(), futures);
    }

    synchronized void stop(String instance) {
        List<ScheduledFuture<?>> futures = byInstance.remove(instance);
        if (futures != null) {
            for (ScheduledFuture<?> f : futures) {
                f.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One track's probe and its consecutive-result counting (keepalived's rise / fall). */
    private final class Check implements Runnable {
        private final String instance;
        private final String track;
        private final VipDefinition.HttpGetCheck spec;
        private final URL url;
        private Boolean healthy;
        private int successes;
        private int failures;

        Check(String instance, String track, VipDefinition.HttpGetCheck spec) {
            this.instance = instance;
            this.track = track;
            this.spec = spec;
            try {
                this.url = new URL("http", spec.host(), spec.port(), spec.path());
            } catch (IOException e) {
                throw new IllegalArgumentException("bad httpGet track " + track, e);
            }
        }

        @Override
        public void run() {
            if (probe()) {
                failures = 0;
                if (++successes >= spec.successThreshold() && !Boolean.TRUE.equals(healthy)) {
                    healthy = true;
                    sink.trackChanged(instance, track, true);
                }
            } else {
                successes = 0;
                // The engine already counts a never-reported track as failing: report only a real flip.
                if (++failures >= spec.failureThreshold() && Boolean.TRUE.equals(healthy)) {
                    healthy = false;
                    sink.trackChanged(instance, track, false);
                }
            }
        }

        private boolean probe() {
            int timeout = (int) Math.min(MAX_TIMEOUT_MILLIS, TimeUnit.SECONDS.toMillis(spec.intervalSeconds()));
            HttpURLConnection connection = null;
            try {
                connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
                connection.setConnectTimeout(timeout);
                connection.setReadTimeout(timeout);
                connection.setInstanceFollowRedirects(false);
                connection.setUseCaches(false);
                // A fresh connection per probe: a pooled one could hide a server that stopped accepting.
                connection.setRequestProperty("Connection", "close");
                int code = connection.getResponseCode();
                try (InputStream body = code < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                    if (body != null) {
                        body.readAllBytes();
                    }
                }
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
