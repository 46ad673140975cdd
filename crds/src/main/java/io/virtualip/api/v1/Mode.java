package io.virtualip.api.v1;

/** How advertisements reach the other routers of the virtual IP. */
public enum Mode {
  /** To the VRRP multicast group 224.0.0.18 or ff02::12 (RFC 5798 section 5.1). */
  Multicast,
  /** To each peer address, for networks that drop the multicast group. */
  Unicast
}
