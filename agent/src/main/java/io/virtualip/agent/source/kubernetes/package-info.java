/**
 * The agent's Kubernetes glue: it watches the cluster and drives the VRRP engine through one small
 * seam, and reports back what the engine does.
 *
 * <h2>The seam: {@link io.virtualip.agent.runtime.InstanceEngine}</h2>
 *
 * The data plane's runtime implements it; the glue is its only caller.
 *
 * <ul>
 *   <li>{@code apply(name, VipDefinition)}: start or reconfigure the instance of VirtualIP {@code
 *       name}. Called only when the {@link io.virtualip.agent.spec.VipDefinition} the spec compiler
 *       made (a record with value equality) changed, never for another VirtualIP's change.
 *   <li>{@code remove(name)}: stop it (a master hands over with priority 0 first).
 *   <li>{@code stepDown(name, boolean)}: while true, never be master (the operator's
 *       splitBrainPolicy Resolve). Kept across {@code apply}; the glue repeats {@code true} after a
 *       re-apply anyway.
 *   <li>{@code trackChanged(name, trackName, healthy)}: health of {@code pods} tracks, by name in
 *       {@code VipDefinition.externalTracks()}. Kept across an apply with equal tracks, reported
 *       again after an apply that changed them; a track not reported yet counts as failing. {@code
 *       interface} tracks (netlink) and {@code httpGet} tracks (probed with its thresholds, the
 *       same check as in standalone mode) are the engine's own.
 *   <li>{@code snapshot(name)} and {@code addListener(Listener)}: the engine calls {@code
 *       Listener.updated(name, InstanceSnapshot)} from its event loop on every transition (more
 *       often is fine); the glue only records it there and does the API work on its own threads.
 * </ul>
 *
 * All calls come from the glue's threads and must return quickly (post to the event loop).
 *
 * <h2>Inputs</h2>
 *
 * Informers on VirtualIPs (cluster-scoped), Nodes, Secrets in the agent namespace, and pods with
 * {@code spec.nodeName=<node>}; resync 30 s; watches re-established by fabric8 with backoff (250 ms
 * doubling to 8 s), retried forever. {@link
 * io.virtualip.agent.source.kubernetes.InstanceController} makes one pass over the caches per burst
 * of events, on its own thread, only after every cache synced: {@link
 * io.virtualip.api.v1.placement.NodeSelection} (nodeSelector, taints vs tolerations, as the
 * DaemonSet controller decides) and {@link io.virtualip.agent.source.kubernetes.InstanceResolver}
 * (priority = spec.priorities[node] else defaultPriority; password from Secret secretRef in the
 * agent namespace; unicast peers = spec.unicastPeers else the InternalIPs of the other selected
 * nodes of the address family, only in mode Unicast; VRID = status.virtualRouterId only, the
 * operator's allocation or confirmation of spec.virtualRouterId, and no start while it is absent).
 * An agent started with {@code VIRTUALIP_PLACEMENT} runs only the VirtualIPs of exactly that
 * placement ({@link io.virtualip.api.v1.contract.Placement}).
 *
 * <h2>Reports (the contract with the operator)</h2>
 *
 * <ul>
 *   <li>status.nodes: this node's own element only, by {@link
 *       io.virtualip.agent.source.kubernetes.StatusReporter}: on every transition at once, renewed
 *       every 1 s while Master (its claim, with fresh counters and peers) and every 10 s otherwise;
 *       removed when the VirtualIP stops selecting the node. Written by server-side apply with
 *       field manager {@code virtualip-agent-<node>} (the CRD declares status.nodes a list-map
 *       keyed by name), falling back for good to a guarded JSON patch on a server that answers
 *       apply with 415, like the test server ({@code
 *       VIRTUALIP_STATUS_WRITE=auto|apply|json-patch}).
 *   <li>Lease {@code virtualip-agent-<node>} in the agent namespace: holder = node, 4 s, renewed
 *       every 1 s ({@link io.virtualip.agent.source.kubernetes.LeaseHeartbeat}).
 *   <li>Events on the VirtualIP in namespace {@code default}, reason {@code Transition}, e.g.
 *       {@code node-a BACKUP -> MASTER: master down interval expired}, source {@code
 *       virtualip-agent} on the node.
 *   <li>The ready file ({@code /run/virtualip/ready}) once every watch synced and the engine has
 *       its first configuration.
 * </ul>
 *
 * An API outage never reaches the engine: no informer events means no calls; reports keep only the
 * latest snapshot per VirtualIP (and up to 64 transitions' Events) and catch up when the API
 * returns.
 *
 * <h2>Entry</h2>
 *
 * {@code KubernetesAgent.start(engine, System.getenv())} for the CLI's {@code kubernetes}
 * subcommand (NODE_NAME, POD_NAMESPACE, optional VIRTUALIP_READY_FILE, VIRTUALIP_STATUS_WRITE,
 * VIRTUALIP_LEASE_DURATION_SECONDS, VIRTUALIP_PLACEMENT); on SIGTERM stop the engine first, then
 * close the agent. The engine there is the standalone agent behind {@code
 * io.virtualip.agent.runtime.EngineAdapter}.
 */
package io.virtualip.agent.source.kubernetes;
