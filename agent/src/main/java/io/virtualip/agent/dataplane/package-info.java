/**
 * The agent's native data plane: Linux system calls through jnr-ffi ({@link
 * io.virtualip.agent.dataplane.LibC}), no JNI code of our own and no {@code ip} commands.
 *
 * <ul>
 *   <li>{@link io.virtualip.agent.dataplane.VrrpSocket}: raw IP protocol 112 socket per interface
 *       and family; multicast group membership, TTL/hop limit 255, source address per datagram,
 *       ancillary data for IPv6; allocation-free {@code send} / {@code receive} into a reusable
 *       {@link io.virtualip.agent.dataplane.ReceivedPacket}.
 *   <li>{@link io.virtualip.agent.dataplane.Rtnetlink}: list links and addresses, add/remove
 *       virtual addresses marked as ours ({@link io.virtualip.agent.dataplane.AddressOwnership}) so
 *       a restart can clean up after a crash.
 *   <li>{@link io.virtualip.agent.dataplane.LinkMonitor}: kernel-pushed link and address changes.
 *   <li>{@link io.virtualip.agent.dataplane.AddressAnnouncer} and {@link
 *       io.virtualip.agent.dataplane.AnnouncementSchedule}: gratuitous ARP / unsolicited NA in
 *       keepalived-style bursts ({@link io.virtualip.agent.dataplane.AnnouncePolicy}).
 *   <li>{@link io.virtualip.agent.dataplane.EventLoop}: the one thread that owns all of the above
 *       (epoll + timers).
 *   <li>{@link io.virtualip.agent.control.ControlServer}: the local Unix status socket.
 *   <li>{@link io.virtualip.agent.dataplane.NetworkNamespace}: run setup code in a named namespace
 *       (tests, lab).
 * </ul>
 *
 * <p>Every socket lives in the network namespace of the thread that opened it. Linux on LP64
 * (x86_64, aarch64) only.
 */
package io.virtualip.agent.dataplane;
