package io.virtualip.agent.dataplane;

/**
 * A network interface as rtnetlink reports it ({@code ifinfomsg} + IFLA_IFNAME / IFLA_OPERSTATE /
 * IFLA_ADDRESS).
 *
 * @param index ifindex
 * @param name IFLA_IFNAME
 * @param flags IFF_* flags
 * @param operState IFLA_OPERSTATE (RFC 2863 values: 6 up, 2 down, 0 unknown...)
 * @param hardwareAddress IFLA_ADDRESS (MAC), empty if none
 */
public record Link(int index, String name, int flags, int operState, byte[] hardwareAddress) {

  public static final int IFF_UP = 0x1;
  public static final int IFF_RUNNING = 0x40;
  public static final int IF_OPER_UNKNOWN = 0;
  public static final int IF_OPER_UP = 6;

  /** Administratively up (IFF_UP). */
  public boolean up() {
    return (flags & IFF_UP) != 0;
  }

  /**
   * Usable for VRRP: up, carrier present (IFF_RUNNING) and an operational state of up, or unknown
   * for drivers that never report one (loopback, some virtual links).
   */
  public boolean usable() {
    return up()
        && (flags & IFF_RUNNING) != 0
        && (operState == IF_OPER_UP || operState == IF_OPER_UNKNOWN);
  }

  public String describeState() {
    if (!up()) {
      return "administratively down";
    }
    if ((flags & IFF_RUNNING) == 0) {
      return "no carrier";
    }
    return usable() ? "up" : "operstate " + operState;
  }
}
