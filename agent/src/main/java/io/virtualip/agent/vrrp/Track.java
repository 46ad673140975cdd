package io.virtualip.agent.vrrp;

/**
 * Something the instance's health depends on (an interface, a health check), with keepalived's
 * weight semantics: a positive weight is added to the priority while the track is healthy, a
 * negative weight is subtracted while it is failing, and weight 0 puts the instance into {@link
 * State#FAULT} while it is failing.
 *
 * @param name unique within the instance; the data plane reports changes by this name
 * @param weight -254..254
 */
public record Track(String name, int weight) {
  public Track {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("track needs a name");
    }
    if (weight < -254 || weight > 254) {
      throw new IllegalArgumentException("track weight must be in -254..254: " + weight);
    }
  }

  /**
   * Healthy tracks with positive weight add it; failing tracks with negative weight subtract it.
   */
  int priorityDelta(boolean healthy) {
    if (healthy) {
      return weight > 0 ? weight : 0;
    }
    return weight < 0 ? weight : 0;
  }

  boolean faultsWhenFailing() {
    return weight == 0;
  }
}
