package io.virtualip.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.operator.status.SplitBrainDetector.SplitBrain;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's part of a VirtualIP's status, plus what the reconciler needs to act on it.
 *
 * @param virtualRouterId the VRID agents run with, or null when they must not run (conflict,
 *     invalid spec)
 * @param master the one live master, or null
 * @param stepDown nodes told to leave Master (splitBrainPolicy Resolve), sorted; empty for none
 * @param conditions Ready, SplitBrain, Degraded
 * @param agentDown entries whose agent's Lease has expired: shown as Unknown
 * @param interfaceMissing nodes that report the VirtualIP's interface missing
 * @param splitBrain the split brain, if any
 * @param action what Resolve did, in words, or empty
 * @param recheckAt the earliest moment the facts change by time alone (a Lease expires, a Master
 *     claim goes unrenewed, a handover grace ends)
 * @param multiMasterSince since when two or more live masters have been seen, while they are
 */
public record Aggregate(
    Integer virtualRouterId,
    String master,
    List<String> stepDown,
    List<Condition> conditions,
    Set<String> agentDown,
    Set<String> interfaceMissing,
    Optional<SplitBrain> splitBrain,
    String action,
    Optional<Instant> recheckAt,
    Optional<Instant> multiMasterSince) {

  public Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
