package io.virtualip.agent.vrrp;

/**
 * What the instance asks the data plane to do. Called synchronously from inside the event methods
 * of {@link VrrpInstance}, in the order the RFC lists the steps; the data plane executes (or
 * queues) each one. Steady-state calls ({@link #sendAdvertisement}) carry only primitives so the
 * hot path allocates nothing.
 */
public interface Actions {
  /**
   * Send one advertisement with this priority to every destination (multicast group, or each
   * unicast peer): encode with {@link AdvertisementEncoder#encode}. Priority 0 means "I am giving
   * up mastership" (RFC 5798 §6.4.3).
   */
  void sendAdvertisement(int priority);

  /**
   * Become the forwarder: add the virtual addresses to the interface (and join the virtual MAC, if
   * used).
   */
  void addAddresses();

  /** Stop forwarding: remove the virtual addresses. */
  void removeAddresses();

  /**
   * Tell the segment where the addresses now live: gratuitous ARP for IPv4 (RFC 5798 §6.4.2
   * "broadcast a gratuitous ARP request"), unsolicited Neighbor Advertisements for IPv6 (RFC 5798
   * §6.4.2, RFC 4861).
   */
  void announceAddresses();

  /**
   * The state changed. {@code reason} is a human sentence built only on transitions, e.g. {@code
   * "master down interval expired (no advert from 192.0.2.11 for 3.61s)"}.
   */
  void stateChanged(State from, State to, String reason);
}
