package io.virtualip.operator.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.EventSubject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events about VirtualIPs, like client-go's recorder: the same reason and message
 * on the same object becomes one Event whose count grows, not a new object each time. Events about
 * cluster-scoped objects live in the {@code default} namespace, where {@code kubectl describe}
 * looks for them.
 *
 * <p>Recorded in the background, in order, on one thread of its own, like client-go's broadcaster:
 * an event is a notification, and the reconcile that plans it must not wait for it (issue 14: at a
 * failover the event requests held the reconcile threads while other VirtualIPs' new masters waited
 * to be shown).
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  public static final String NAMESPACE = "default";
  public static final String COMPONENT = "virtualip-operator";

  private final KubernetesClient client;
  private final Clock clock;
  private final Executor background;

  /**
   * Event name to its count, per VirtualIP uid, so a repeat is a patch; forgotten when the
   * VirtualIP goes.
   */
  private final Map<String, Map<String, Integer>> counts = new ConcurrentHashMap<>();

  @Inject
  public EventRecorder(KubernetesClient client) {
    this(
        client,
        Clock.systemUTC(),
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "virtualip-events");
              t.setDaemon(true);
              return t;
            }));
  }

  EventRecorder(KubernetesClient client, Clock clock, Executor background) {
    this.client = client;
    this.clock = clock;
    this.background = background;
  }

  /** Queues the event; the background thread writes it. */
  public void record(VirtualIP vip, PlannedEvent planned) {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    LOG.infof(
        "event %s %s on VirtualIP %s: %s",
        planned.type(), planned.reason(), vip.getMetadata().getName(), planned.message());
    background.execute(() -> write(vip, planned, now));
  }

  private void write(VirtualIP vip, PlannedEvent planned, String now) {
    String uid = vip.getMetadata().getUid();
    String name = vip.getMetadata().getName() + "." + key(uid, planned);
    Map<String, Integer> ofVip = counts.computeIfAbsent(uid, u -> new ConcurrentHashMap<>());
    Integer seen = ofVip.get(name);
    try {
      if (seen == null) {
        try {
          client
              .v1()
              .events()
              .inNamespace(NAMESPACE)
              .resource(event(vip, name, planned, now))
              .create();
          ofVip.put(name, 1);
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
          // Recorded before this process started (restart, new leader): the patch answers with the
          // stored count, from which this process counts on (the operator may not read Events, so
          // no GET).
          Event stored = bump(name, null, now);
          int count = stored.getCount() == null ? 1 : stored.getCount();
          bump(name, count + 1, now);
          ofVip.put(name, count + 1);
        }
      } else {
        bump(name, seen + 1, now);
        ofVip.put(name, seen + 1);
      }
    } catch (KubernetesClientException e) {
      // An event is a notification, never a reason to fail the reconcile.
      LOG.warnf(
          "could not record event %s on %s: %s",
          planned.reason(), vip.getMetadata().getName(), e.getMessage());
    }
  }

  /** Forgets the counts, after the events already queued. */
  public void forget(VirtualIP vip) {
    String uid = vip.getMetadata().getUid();
    background.execute(() -> counts.remove(uid));
  }

  /**
   * A merge patch sent as is: patching a named resource without an object makes fabric8 GET it
   * first, which the chart does not grant (issue 11: every repeat was lost with a 403); patching an
   * object of just the name does not.
   */
  private Event bump(String name, Integer count, String now) {
    String countField = count == null ? "" : "\"count\":" + count + ",";
    Event target =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NAMESPACE)
            .endMetadata()
            .build();
    return client
        .v1()
        .events()
        .inNamespace(NAMESPACE)
        .resource(target)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{" + countField + "\"lastTimestamp\":\"" + now + "\"}");
  }

  private static Event event(VirtualIP vip, String name, PlannedEvent planned, String now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder(EventSubject.of(vip))
                .withResourceVersion(vip.getMetadata().getResourceVersion())
                .build())
        .withType(planned.type().name())
        .withReason(planned.reason())
        .withMessage(planned.message())
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent("virtualip.io/operator")
        .withReportingInstance(Optional.ofNullable(System.getenv("HOSTNAME")).orElse(COMPONENT))
        .build();
  }

  /**
   * Names must be valid DNS subdomains: hash what identifies the event instead of spelling it out.
   */
  private static String key(String uid, PlannedEvent planned) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(
          (uid + "\n" + planned.type() + "\n" + planned.reason() + "\n" + planned.message())
              .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
