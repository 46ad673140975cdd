package io.virtualip.api.v1.contract;

import io.virtualip.api.v1.HttpGetTrack;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.SplitBrainPolicy;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIPSpec;
import java.time.Duration;
import java.util.Map;

/**
 * The VirtualIP spec's defaults, in one place: the constants are what the CRD's {@code @Default}
 * annotations say (the model refers to them), and the methods apply them to a spec that never met
 * an API server's defaulting (a file, a test server, an object stored before a default existed).
 * The agent's spec compiler applies the CRD's own defaults; the operator reads its few settings
 * through these methods.
 */
public final class SpecDefaults {
  private SpecDefaults() {}

  public static final String VERSION = "3";
  public static final String ADVERTISEMENT_INTERVAL = "1s";
  public static final String DEFAULT_PRIORITY = "100";
  public static final String PREEMPT = "true";
  public static final String PREEMPT_DELAY = "0s";
  public static final String MODE = "Multicast";
  public static final String SPLIT_BRAIN_POLICY = "Report";
  public static final String AUTHENTICATION_TYPE = "None";
  public static final String TRACK_WEIGHT = "0";
  public static final String TRACK_INTERVAL_SECONDS = "2";
  public static final String TRACK_FAILURE_THRESHOLD = "2";
  public static final String TRACK_SUCCESS_THRESHOLD = "1";
  public static final String HTTP_PATH = "/";

  /**
   * Not a CRD default (the field is optional): the agent probes its own node when no host is given.
   */
  public static final String HTTP_HOST = "127.0.0.1";

  public static int version(VirtualIPSpec spec) {
    return spec.version() == null ? Integer.parseInt(VERSION) : spec.version();
  }

  /**
   * The advertisement interval; the default one when absent or not a duration (the CRD refuses
   * those).
   */
  public static Duration advertisementInterval(VirtualIPSpec spec) {
    return SpecDuration.tryParse(
            spec == null || spec.advertisementInterval() == null
                ? ADVERTISEMENT_INTERVAL
                : spec.advertisementInterval())
        .orElse(SpecDuration.parse(ADVERTISEMENT_INTERVAL).value());
  }

  public static boolean preempt(VirtualIPSpec spec) {
    return spec.preempt() == null ? Boolean.parseBoolean(PREEMPT) : spec.preempt();
  }

  public static Mode mode(VirtualIPSpec spec) {
    return spec == null || spec.mode() == null ? Mode.valueOf(MODE) : spec.mode();
  }

  public static SplitBrainPolicy splitBrainPolicy(VirtualIPSpec spec) {
    return spec == null || spec.splitBrainPolicy() == null
        ? SplitBrainPolicy.valueOf(SPLIT_BRAIN_POLICY)
        : spec.splitBrainPolicy();
  }

  /** {@code spec.priorities[node]}, else {@code spec.defaultPriority}, else its default. */
  public static int priority(VirtualIPSpec spec, String node) {
    Map<String, Integer> priorities = spec.priorities();
    if (priorities != null && priorities.get(node) != null) {
      return priorities.get(node);
    }
    return spec.defaultPriority() == null
        ? Integer.parseInt(DEFAULT_PRIORITY)
        : spec.defaultPriority();
  }

  public static int weight(Track track) {
    return track.weight() == null ? Integer.parseInt(TRACK_WEIGHT) : track.weight();
  }

  public static int intervalSeconds(Track track) {
    return track.intervalSeconds() == null
        ? Integer.parseInt(TRACK_INTERVAL_SECONDS)
        : track.intervalSeconds();
  }

  public static int failureThreshold(Track track) {
    return track.failureThreshold() == null
        ? Integer.parseInt(TRACK_FAILURE_THRESHOLD)
        : track.failureThreshold();
  }

  public static int successThreshold(Track track) {
    return track.successThreshold() == null
        ? Integer.parseInt(TRACK_SUCCESS_THRESHOLD)
        : track.successThreshold();
  }

  public static String host(HttpGetTrack http) {
    return http.host() == null || http.host().isEmpty() ? HTTP_HOST : http.host();
  }

  public static String path(HttpGetTrack http) {
    return http.path() == null ? HTTP_PATH : http.path();
  }
}
