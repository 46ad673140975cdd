package io.virtualip.operator.config;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Two operator replicas run (see the chart); only the holder of Lease {@value #LEASE_NAME} in the
 * operator's namespace reconciles. QOSDK looks this bean up in the profiles named by {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} (prod).
 *
 * <p>Losing the Lease (renewals failing until the renew deadline) stops reconciling at once ({@link
 * #stoppedLeading}) and, where configured, exits so that the restarted replica rejoins the election
 * with fresh informers. The exit is ours, not JOSDK's: JOSDK calls {@code System.exit} from the
 * stop-leading callback, which also runs while Quarkus shuts down on SIGTERM (stopping the operator
 * cancels the election); {@code System.exit} inside the JVM's own shutdown blocks for ever, so the
 * process never ended and never released the Lease (issue 11).
 */
// QOSDK looks it up programmatically, which ArC cannot see: keep the bean.
@Unremovable
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);
  public static final String LEASE_NAME = "virtualip-operator-leader";

  private final State state;

  /** Shared between the callbacks handed to the super constructor and this bean. */
  private static final class State {
    final String identity = identity();
    final KubernetesClient client;
    volatile boolean leading;
    volatile boolean stoppedLeading;
    volatile boolean shuttingDown;

    State(KubernetesClient client) {
      this.client = client;
    }
  }

  @Inject
  public LeaderElection(OperatorConfig config, KubernetesClient client) {
    this(config.leaderElection().exitOnStopLeading(), new State(client));
  }

  private LeaderElection(boolean exitOnStopLeading, State state) {
    // Namespace inferred: the client's (the pod's). JOSDK must never exit itself (see above).
    super(
        LEASE_NAME,
        null,
        LEASE_DURATION_DEFAULT_VALUE,
        RENEW_DEADLINE_DEFAULT_VALUE,
        RETRY_PERIOD_DEFAULT_VALUE,
        state.identity,
        callbacks(state, exitOnStopLeading),
        false);
    this.state = state;
  }

  /**
   * The pod's name plus a per-process suffix, as client-go does. With the bare pod name, a replica
   * restarted in the same pod read the Lease still naming its predecessor, took it for its own and
   * started reconciling before any renewal had succeeded (issue 11: it reconciled while every
   * renewal was refused).
   */
  static String identity() {
    String pod =
        Optional.ofNullable(System.getenv("HOSTNAME"))
            .filter(h -> !h.isBlank())
            .orElse("virtualip-operator");
    return pod + "_" + UUID.randomUUID();
  }

  private static LeaderCallbacks callbacks(State state, boolean exitOnStopLeading) {
    return new LeaderCallbacks(
        () -> {
          state.leading = true;
          LOG.infof("started leading as %s: reconciling", state.identity);
        },
        () -> {
          state.stoppedLeading = true;
          if (state.shuttingDown) {
            release(state);
          } else if (exitOnStopLeading) {
            LOG.error(
                "stopped leading (the Lease could not be renewed): no more reconciles; exiting");
            // Never exit on the calling thread: it may hold up the JVM's shutdown (see the class
            // comment).
            Thread exit = new Thread(() -> System.exit(1), "exit-on-stop-leading");
            exit.setDaemon(true);
            exit.start();
          } else {
            LOG.error("stopped leading (the Lease could not be renewed): no more reconciles");
          }
        },
        leader -> {});
  }

  /**
   * JOSDK does not ask fabric8 to release the Lease when it stops, so a successor would wait out
   * the Lease (15 s): clear the holder, if it is still us, with a merge patch guarded by the
   * version just read.
   */
  private static void release(State state) {
    if (!state.leading) {
      return;
    }
    try {
      var lease =
          state.client.leases().inNamespace(state.client.getNamespace()).withName(LEASE_NAME);
      Lease current = lease.get();
      if (current == null
          || current.getSpec() == null
          || !state.identity.equals(current.getSpec().getHolderIdentity())) {
        return;
      }
      Lease released =
          new LeaseBuilder()
              .withNewMetadata()
              .withName(LEASE_NAME)
              .withNamespace(current.getMetadata().getNamespace())
              .withResourceVersion(current.getMetadata().getResourceVersion())
              .endMetadata()
              .build();
      state
          .client
          .resource(released)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"resourceVersion\":\""
                  + current.getMetadata().getResourceVersion()
                  + "\"},"
                  + "\"spec\":{\"holderIdentity\":null,\"leaseDurationSeconds\":1}}");
      LOG.info("stopped leading: shutting down, the leader Lease is released");
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "stopped leading: shutting down; could not release the leader Lease (it expires): %s",
          e.getMessage());
    }
  }

  /** Whether this replica led and lost the Lease: it must not reconcile any more. */
  public boolean stoppedLeading() {
    return state.stoppedLeading;
  }

  /**
   * Before QOSDK stops the operator (default priority), so that the stop-leading callback knows why
   * it runs.
   */
  void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
    state.shuttingDown = true;
  }
}
