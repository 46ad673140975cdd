package io.virtualip.operator.status;

import java.time.Duration;
import java.time.Instant;

/**
 * An agent's heartbeat, from its Lease {@code virtualip-agent-<node>}: live until renewTime +
 * leaseDurationSeconds.
 */
public record AgentLease(String node, Instant renewTime, Duration duration) {

  public Instant expiry() {
    return renewTime.plus(duration);
  }

  public boolean liveAt(Instant now) {
    return now.isBefore(expiry());
  }
}
