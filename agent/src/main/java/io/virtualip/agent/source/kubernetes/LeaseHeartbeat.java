package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This agent's heartbeat: the coordination.k8s.io/v1 Lease {@code virtualip-agent-<node>} in the
 * agent namespace, holder = node, renewed every second. The operator shows an entry whose Lease
 * expired as Unknown, so a dead agent's stale Master claim is never taken for a split brain. Runs
 * on its own thread so that slow status writes never delay it; a failed renewal is simply tried
 * again on the next tick and never touches VRRP.
 */
final class LeaseHeartbeat implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LeaseHeartbeat.class.getName());

  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final String name;
  private final Duration duration;
  private final Duration renewInterval;
  private final Clock clock;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("virtualip-lease"));

  /**
   * The Lease as last written: renewing from it saves a read per second; dropped after any failure.
   */
  private Lease last;

  private boolean failing;

  LeaseHeartbeat(
      KubernetesClient client,
      String namespace,
      String node,
      Duration duration,
      Duration renewInterval,
      Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
    this.name = leaseName(node);
    this.duration = duration;
    this.renewInterval = renewInterval;
    this.clock = clock;
  }

  static String leaseName(String node) {
    return "virtualip-agent-" + node;
  }

  void start() {
    scheduler.scheduleWithFixedDelay(
        this::renewQuietly, 0, renewInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void renewQuietly() {
    try {
      renew();
      if (failing) {
        LOG.log(System.Logger.Level.INFO, "Lease {0} renewed again", name);
        failing = false;
      }
    } catch (RuntimeException e) {
      last = null;
      if (!failing) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot renew Lease " + name + " (will keep trying): " + e.getMessage());
        failing = true;
      }
    }
  }

  /**
   * Creates the Lease, or renews it; takes it over (a new acquireTime) when another holder is
   * recorded.
   */
  void renew() {
    // metav1.MicroTime: microseconds, UTC.
    ZonedDateTime now = clock.instant().truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    var leases = client.leases().inNamespace(namespace);
    Lease current = last != null ? last : leases.withName(name).get();
    if (current == null) {
      last =
          leases
              .resource(
                  new LeaseBuilder()
                      .withNewMetadata()
                      .withName(name)
                      .withNamespace(namespace)
                      .withLabels(
                          Map.of(
                              "app.kubernetes.io/name",
                              "virtualip-agent",
                              "virtualip.io/node",
                              node))
                      .endMetadata()
                      .withNewSpec()
                      .withHolderIdentity(node)
                      .withLeaseDurationSeconds((int) duration.toSeconds())
                      .withAcquireTime(now)
                      .withRenewTime(now)
                      .withLeaseTransitions(0)
                      .endSpec()
                      .build())
              .create();
      return;
    }
    Lease next =
        new LeaseBuilder(current)
            .editSpec()
            .withLeaseDurationSeconds((int) duration.toSeconds())
            .withRenewTime(now)
            .endSpec()
            .build();
    if (!Objects.equals(node, current.getSpec().getHolderIdentity())) {
      int transitions =
          current.getSpec().getLeaseTransitions() == null
              ? 0
              : current.getSpec().getLeaseTransitions();
      next.getSpec().setHolderIdentity(node);
      next.getSpec().setAcquireTime(now);
      next.getSpec().setLeaseTransitions(transitions + 1);
    }
    try {
      // update() sends the resourceVersion read: a concurrent writer makes it fail with 409 instead
      // of being lost.
      last = leases.resource(next).update();
    } catch (KubernetesClientException e) {
      last = null;
      throw e;
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
