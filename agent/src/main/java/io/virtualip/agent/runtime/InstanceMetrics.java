package io.virtualip.agent.runtime;

import io.virtualip.agent.vrrp.TransitionCause;
import java.util.Map;

/**
 * What the metrics endpoint reads about one instance at scrape time, taken on the loop thread: its
 * report plus the counts that status does not carry.
 *
 * @param report the instance's report (state, priorities, counters, peers)
 * @param transitions state changes since the instance was first applied, by from, to and cause
 * @param masterDownExpiries Master_Down_Timer expiries of the current attachment (0 when detached)
 */
public record InstanceMetrics(
    InstanceReport report, Map<Transition, Long> transitions, long masterDownExpiries) {

  /** One kind of state change: the label set of {@code virtualip_agent_transitions_total}. */
  public record Transition(String from, String to, TransitionCause cause) {}
}
