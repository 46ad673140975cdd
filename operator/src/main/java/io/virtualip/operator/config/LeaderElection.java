package io.virtualip.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Two operator replicas run (see the chart); only the holder of Lease {@value #LEASE_NAME} in the operator's namespace
 * reconciles. QOSDK picks this bean up in the profiles named by
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public static final String LEASE_NAME = "virtualip-operator-leader";

  public LeaderElection() {
    super(LEASE_NAME);
  }
}
