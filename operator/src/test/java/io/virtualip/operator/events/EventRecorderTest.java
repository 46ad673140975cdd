package io.virtualip.operator.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.virtualip.api.v1.VirtualIP;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The recorder writes in the background: the reconcile that plans an event does not wait for the
 * API server (issue 14: at a failover the event requests held the reconcile threads while other
 * VirtualIPs' new masters waited to be shown). The API server's side of recording is in
 * RepeatedEventsTest.
 */
class EventRecorderTest {

  @Test
  void recordOnlyQueuesTheRequestsAndTheyRunInOrderOnTheRecordersThread() {
    AtomicInteger requests = new AtomicInteger();
    List<Runnable> queued = new ArrayList<>();
    try (KubernetesClient client = nowhere(requests)) {
      EventRecorder recorder = new EventRecorder(client, Clock.systemUTC(), queued::add);
      VirtualIP vip = new VirtualIP();
      vip.getMetadata().setName("queued");
      vip.getMetadata().setUid("0b5e7c1e-0000-4000-8000-000000000001");

      recorder.record(vip, PlannedEvent.warning("AgentDown", "The agent stopped."));
      recorder.record(vip, PlannedEvent.normal("MasterChanged", "Master moved."));
      recorder.forget(vip);

      assertThat(requests).hasValue(0);
      assertThat(queued).hasSize(3);

      // Run by the background thread; the API server is unreachable, which is logged, not thrown.
      queued.forEach(Runnable::run);
      assertThat(requests.get()).isGreaterThanOrEqualTo(2);
    }
  }

  /** A client for a port nothing listens on, counting the requests it starts. */
  private static KubernetesClient nowhere(AtomicInteger requests) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:1")
                .withRequestRetryBackoffLimit(0)
                .build())
        .withHttpClientBuilderConsumer(
            b ->
                b.addOrReplaceInterceptor(
                    "count",
                    new Interceptor() {
                      @Override
                      public void before(
                          BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        requests.incrementAndGet();
                      }
                    }))
        .build();
  }
}
