package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.operator.events.EventRecorder;
import io.virtualip.operator.events.PlannedEvent;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's recorder, with the operator's own client (its ServiceAccount token), counts a
 * repeated event up on the one Event object (issue 11: the count was bumped by a patch that first
 * read the Event, which the chart does not let the operator do, so every repeat after the first was
 * lost with a 403).
 */
@QuarkusTest
@WithTestResource(RealApiServer.class)
@ExtendWith(RealApiServer.Available.class)
class RepeatedEventsTest {
  final KubernetesClient admin = RealApiServer.admin();

  @Inject EventRecorder recorder;

  private List<Event> events(String vip, String reason) {
    return new ClusterSteps(admin).events(vip, reason);
  }

  @Test
  void aRepeatedEventCountsUpOnOneEvent() {
    VirtualIP vip =
        new ClusterSteps(admin).apply("ev-repeat", Map.of("role", "ev-repeat"), null, null);
    PlannedEvent planned = PlannedEvent.warning("TestRepeat", "The same thing happened again.");

    for (int i = 0; i < 3; i++) {
      recorder.record(vip, planned);
    }

    List<Event> events =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> events("ev-repeat", "TestRepeat"),
                l -> l.size() == 1 && l.get(0).getCount() == 3);
    assertThat(events.get(0).getType()).isEqualTo("Warning");
    assertThat(events.get(0).getMessage()).isEqualTo("The same thing happened again.");
  }

  @Test
  void aRecorderThatDidNotCreateTheEventCountsOnFromTheServer() {
    // A new leader (or a restart) meets an Event its predecessor created: create answers 409, the
    // bump follows.
    VirtualIP vip =
        new ClusterSteps(admin).apply("ev-takeover", Map.of("role", "ev-takeover"), null, null);
    PlannedEvent planned = PlannedEvent.normal("TestTakeover", "Seen by a predecessor.");
    recorder.record(vip, planned);
    recorder.forget(vip); // as if this process had never seen it

    recorder.record(vip, planned);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> events("ev-takeover", "TestTakeover"),
            l -> l.size() == 1 && Integer.valueOf(2).equals(l.get(0).getCount()));
  }
}
