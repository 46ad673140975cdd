/**
 * The contract between the operator and the agent, compiled into both: the spec's durations ({@link
 * io.virtualip.api.v1.contract.SpecDuration}) and defaults ({@link
 * io.virtualip.api.v1.contract.SpecDefaults}), the placement that names an agent DaemonSet and
 * travels in {@code VIRTUALIP_PLACEMENT} ({@link io.virtualip.api.v1.contract.Placement}), and the
 * codes the agent writes into {@code status.nodes} so that the operator never has to parse words:
 * why a node is in Fault ({@link io.virtualip.api.v1.contract.FaultReason}) and why it rejected
 * advertisements ({@link io.virtualip.api.v1.contract.RejectReason}); and how both name a VirtualIP
 * in their Events ({@link io.virtualip.api.v1.contract.EventSubject}).
 */
package io.virtualip.api.v1.contract;
