/**
 * The VRRP core: RFC 3768 (VRRPv2) and RFC 5798 (VRRPv3) as pure Java, wire-compatible with
 * keepalived. No sockets, threads, clocks or Kubernetes here; the data plane ({@code
 * io.virtualip.agent.dataplane}) does the I/O and drives this package.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@link io.virtualip.agent.vrrp.InstanceConfig}: one virtual router's configuration (a
 *       record, with a builder). The data plane maps the VirtualIP resource onto it.
 *   <li>{@link io.virtualip.agent.vrrp.AdvertisementEncoder}: writes our adverts into a reusable
 *       {@link java.nio.ByteBuffer} (VRRP message only, no IP header).
 *   <li>{@link io.virtualip.agent.vrrp.ReceivedAdvertisement}: a reusable view of a received
 *       packet, either a full IPv4 packet (raw IPv4 sockets include the header) or a bare VRRP
 *       message with source, destination and hop limit from IPv6 ancillary data.
 *   <li>{@link io.virtualip.agent.vrrp.AdvertisementValidator}: the ordered receive checks; every
 *       packet gets one {@link io.virtualip.agent.vrrp.Verdict}, counted per instance.
 *   <li>{@link io.virtualip.agent.vrrp.VrrpInstance}: the state machine (INITIALIZE, BACKUP,
 *       MASTER, FAULT), which calls back an {@link io.virtualip.agent.vrrp.Actions} sink.
 *   <li>{@link io.virtualip.agent.vrrp.InstanceStatus}, {@link io.virtualip.agent.vrrp.Counters},
 *       {@link io.virtualip.agent.vrrp.PeerTable}: what status reporting and the split-brain
 *       diagnosis read.
 *   <li>{@code io.virtualip.agent.vrrp.sim}: a deterministic simulated LAN that runs many instances
 *       through the real codec on a virtual clock.
 * </ul>
 *
 * <h2>How a data plane drives an instance</h2>
 *
 * All calls for one instance come from one thread (the event loop), with {@code now} from a
 * monotonic clock ({@link java.lang.System#nanoTime()}).
 *
 * <pre>{@code
 * VrrpInstance vrrp = new VrrpInstance(config);
 * AdvertisementEncoder encoder = new AdvertisementEncoder(config);
 * ReceivedAdvertisement rx = new ReceivedAdvertisement();       // one per socket, reused
 * Actions actions = new Actions() {                              // one per instance, reused
 *     public void sendAdvertisement(int priority) {
 *         for (int i = 0; i < encoder.destinationCount(); i++) { // 1 for multicast, n for unicast peers
 *             txBuffer.clear();
 *             encoder.encode(priority, i, txBuffer);
 *             txBuffer.flip();
 *             socket.send(txBuffer, encoder.destination(i));      // TTL / hop limit 255 on the socket
 *         }
 *     }
 *     public void addAddresses()      { netlink.add(config.virtualAddresses()); }
 *     public void removeAddresses()   { netlink.remove(config.virtualAddresses()); }
 *     public void announceAddresses() { garpOrUnsolicitedNa(config.virtualAddresses()); }
 *     public void stateChanged(State from, State to, String reason) { log + report status }
 * };
 *
 * vrrp.startup(System.nanoTime(), actions);
 * while (running) {
 *     poll(sockets, until vrrp.nextDeadlineNanos());             // Long.MAX_VALUE = no timer running
 *     long now = System.nanoTime();
 *     if (packet arrived) {
 *         // IPv4 raw socket: the IP header is included; IPv6: pass src, dst, hop limit from ancillary data.
 *         if (rx.wrapIpv4Packet(rxBuffer, 0, n).accepted())      // or rx.wrapPayload(..., src, dst, hopLimit)
 *             vrrp.receive(rx, now, actions);                    // dispatch by rx.vrid() if several instances
 *     }
 *     if (now >= vrrp.nextDeadlineNanos()) vrrp.timerFired(now, actions);
 *     // health checks: vrrp.trackChanged(name, healthy, now, actions)
 *     // operator ends a split brain: vrrp.stepDown(hold, reason, now, actions), renewed while it lasts;
 *     //   vrrp.cancelStepDown(now, actions) ends the hold early
 *     // after any of these calls, sleep until the (possibly changed) vrrp.nextDeadlineNanos()
 * }
 * vrrp.shutdown(System.nanoTime(), actions);                     // master sends priority 0, removes addresses
 * }</pre>
 *
 * Status: {@link io.virtualip.agent.vrrp.VrrpInstance#status()} on the loop thread, then publish
 * the immutable snapshot. Rejected packets are visible as {@code status().counters().rejected()} by
 * {@link io.virtualip.agent.vrrp.Verdict} name and per peer in {@code status().peers()}.
 *
 * <h2>Interoperability decisions</h2>
 *
 * <ul>
 *   <li>v3/IPv4 checksum: sent with the RFC 5798 pseudo-header (what keepalived sends);
 *       keepalived's {@code old_unicast_checksum} form is sent when configured and accepted when
 *       received in unicast mode, counted as {@code ACCEPTED_OLD_UNICAST_CHECKSUM}; RFC 9568's
 *       message-only form is accepted and counted as {@code ACCEPTED_MESSAGE_ONLY_CHECKSUM}.
 *   <li>TTL / hop limit must be 255 in multicast mode; not checked in unicast mode (as keepalived),
 *       where the source must be a configured peer instead (keepalived's {@code check_unicast_src};
 *       for IPv6 also an on-link link-local sender), counted as {@code SOURCE_NOT_PEER}.
 *   <li>A master answers a lower-priority advert with its own advert at once (as keepalived), but
 *       at most once per Advertisement_Interval, so that a stream of (forged) adverts is not
 *       multiplied.
 *   <li>Preempt delay, track weights (clamped to 1..254, owner stays 255) and FAULT follow
 *       keepalived.
 *   <li>Not implemented: VRRPv2 IP AH authentication (removed by RFC 3768), Accept_Mode, virtual
 *       MAC handling (a data-plane concern), sync groups.
 * </ul>
 */
package io.virtualip.agent.vrrp;
