package io.virtualip.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.virtualip.agent.kubernetes.FakeEngine.TrackChanged;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpGetTracksTest {

  private static ResolvedTrack.HttpGetTrack track(String host, String path) {
    return new ResolvedTrack.HttpGetTrack(host, 8080, path, 0, new ResolvedTrack.Thresholds(1, 1, 1));
  }

  @Test
  void urlsForIpv4AndIpv6Hosts() {
    assertThat(HttpGetTracks.uri(track("127.0.0.1", "/healthz?full=1")))
        .isEqualTo(URI.create("http://127.0.0.1:8080/healthz?full=1"));
    assertThat(HttpGetTracks.uri(track("::1", "/"))).isEqualTo(URI.create("http://[::1]:8080/"));
  }

  @Test
  void aTrackWithoutAUsableUrlIsReportedFailingAtOnce() {
    FakeEngine engine = new FakeEngine();
    try (HttpGetTracks tracks = new HttpGetTracks(engine)) {
      tracks.sync("a", List.of(new ResolvedTrack.InterfaceTrack("eth0", 0), track("127.0.0.1", "/a b")));
      await().atMost(Duration.ofSeconds(2)).until(() -> !engine.calls().isEmpty());
      assertThat(engine.calls()).containsExactly(new TrackChanged("a", 1, false));
    }
  }
}
