package io.virtualip.agent.dataplane;

/**
 * How the agent marks the addresses it adds so that, after a crash, it removes exactly those and
 * nothing an administrator configured.
 *
 * <p>Every address carries IFA_PROTO = {@link #PROTOCOL} (Linux 6.1+ keeps this byte for user
 * space; iproute2 6.2+ prints it as {@code proto 0x56}). IPv4 addresses also get the label {@code
 * <ifname>:vip} (when it fits in IFNAMSIZ), which older kernels keep and {@code ip addr} shows;
 * IPv6 has no labels, so there IFA_PROTO is the mark.
 */
public final class AddressOwnership {

  /** IFA_PROTO value of agent-owned addresses ('V'); 0-3 are taken by the kernel (IFAPROT_*). */
  public static final int PROTOCOL = 0x56;

  public static final String LABEL_SUFFIX = ":vip";

  /** IFNAMSIZ - 1: the longest label the kernel accepts. */
  private static final int MAX_LABEL = 15;

  private AddressOwnership() {}

  /**
   * The IPv4 label to put on a VIP of {@code interfaceName}, or "" if the name is too long to carry
   * a suffix.
   */
  public static String label(String interfaceName) {
    String label = interfaceName + LABEL_SUFFIX;
    return label.length() <= MAX_LABEL ? label : "";
  }

  public static boolean ownedByAgent(InterfaceAddress address) {
    return address.protocol() == PROTOCOL
        || (!address.label().isEmpty() && address.label().endsWith(LABEL_SUFFIX));
  }
}
