package io.virtualip.agent.vrrp;

/**
 * The two protocol versions we speak; the number is the 4-bit Version field of the advertisement.
 */
public enum VrrpVersion {
  /**
   * RFC 3768: IPv4 only, Adver Int in seconds, 8-byte authentication trailer, checksum over the
   * message.
   */
  V2(2),
  /** RFC 5798: IPv4 and IPv6, Max Adver Int in centiseconds, checksum with the IP pseudo-header. */
  V3(3);

  private final int number;

  VrrpVersion(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }
}
