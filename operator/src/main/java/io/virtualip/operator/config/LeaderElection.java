package io.virtualip.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Two operator replicas run (see the chart); only the holder of Lease {@value #LEASE_NAME} in the operator's namespace
 * reconciles. QOSDK looks this bean up in the profiles named by
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod).
 */
// QOSDK looks it up programmatically, which ArC cannot see: keep the bean.
@Unremovable
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public static final String LEASE_NAME = "virtualip-operator-leader";

  @Inject
  public LeaderElection(OperatorConfig config) {
    // Namespace and identity are inferred: the pod's namespace and name.
    super(LEASE_NAME, null, LEASE_DURATION_DEFAULT_VALUE, RENEW_DEADLINE_DEFAULT_VALUE, RETRY_PERIOD_DEFAULT_VALUE,
        null, null, config.leaderElection().exitOnStopLeading());
  }
}
