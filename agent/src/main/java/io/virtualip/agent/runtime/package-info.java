/**
 * The agent's runtime: every virtual IP of this node as an {@link
 * io.virtualip.agent.runtime.InstanceRunner} (the VRRP core driven on the data plane's event loop),
 * put together by {@link io.virtualip.agent.runtime.Agent}. Used by {@code virtualip-agent run}
 * with VirtualIPs from a file, and by {@code virtualip-agent kubernetes} through {@link
 * io.virtualip.agent.runtime.EngineAdapter} with VirtualIPs from the cluster.
 */
package io.virtualip.agent.runtime;
