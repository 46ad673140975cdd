package io.virtualip.agent.runtime;

import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.api.v1.contract.FaultReason;

/**
 * What the control socket reports about one instance: the core's status snapshot when attached,
 * otherwise only the reason it is not running (it then counts as FAULT).
 *
 * @param definition what the instance runs
 * @param interfaceName the interface it runs on (or is configured for; null if it could not be
 *     resolved)
 * @param ownAddress the address its advertisements come from, null when detached
 * @param status the core's snapshot, or null when detached
 * @param reason the last transition's reason, or why it is detached
 * @param announcementsSent gratuitous ARPs / NAs sent by the current attachment
 * @param sinceNanos loop clock of entering the current state (the last transition, or the
 *     detachment)
 * @param nowNanos the loop clock when the report was taken, to age peer timestamps
 * @param detachedCode why it is detached, as a code (null while attached: then the core's state
 *     tells)
 */
public record InstanceReport(
    VipDefinition definition,
    String interfaceName,
    String ownAddress,
    InstanceStatus status,
    String reason,
    long announcementsSent,
    long sinceNanos,
    long nowNanos,
    FaultReason detachedCode) {}
