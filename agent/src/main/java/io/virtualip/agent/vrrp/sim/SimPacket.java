package io.virtualip.agent.vrrp.sim;

import io.virtualip.agent.vrrp.AddressFamily;
import java.util.Arrays;

/**
 * One packet on the simulated wire: for IPv4 a full IP packet (header + VRRP message + Ethernet
 * padding), as a raw IPv4 socket delivers it; for IPv6 the VRRP message, with source and
 * destination kept alongside as ancillary data would carry them.
 */
record SimPacket(AddressFamily family, byte[] bytes, byte[] source, byte[] destination, int ttl) {

  /**
   * Multicast reaches the whole segment; unicast only the router whose primary address it names.
   */
  boolean isFor(SimRouter router) {
    return Arrays.equals(destination, family.multicastGroup())
        || Arrays.equals(destination, router.primaryAddressBytes());
  }
}
