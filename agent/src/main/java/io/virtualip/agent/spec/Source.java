package io.virtualip.agent.spec;

/**
 * Where a spec comes from, for the few decisions that differ: a file has no operator, so its VRID
 * is spec.virtualRouterId and whatever is missing is an error (nothing will arrive later); in a
 * cluster the VRID is the operator's status.virtualRouterId, and a missing Secret or peer is waited
 * for.
 */
public enum Source {
  FILE,
  CLUSTER
}
