package io.virtualip.api.v1;

/** What the operator does when two or more live nodes claim Master at the same time. */
public enum SplitBrainPolicy {
  /** Report the split brain in conditions and events. */
  Report,
  /** Report it and tell every claimant but the highest-priority one to step down. */
  Resolve
}
