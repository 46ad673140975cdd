/**
 * The one compiler from a VirtualIP spec to what this node runs, used by file mode ({@code
 * source.file.ConfigLoader}) and cluster mode ({@code source.kubernetes.InstanceResolver}) alike,
 * so that one spec gets one verdict in both: a {@link io.virtualip.agent.spec.VipDefinition} to
 * run, a reason to wait (a Secret or the operator's VRID not there yet), or the field and problem
 * that make it invalid. The CRD's own validator runs first, so the agent refuses exactly what the
 * API server refuses, and the CRD's defaults are the only defaults.
 */
package io.virtualip.agent.spec;
