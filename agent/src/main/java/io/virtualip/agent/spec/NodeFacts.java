package io.virtualip.agent.spec;

import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the compiler knows about this node: its name (for spec.priorities), its interfaces'
 * addresses (to tell which interface a VirtualIP without spec.interface lands on) and, in a
 * cluster, the addresses of the other selected nodes (the default unicast peers).
 *
 * @param nodeName this node
 * @param addresses the host's addresses by interface; empty when unknown
 * @param defaultPeers the unicast peers to use when the spec names none: in a cluster the
 *     InternalIPs of the other selected nodes (sorted, so that arrival order never looks like a
 *     change); in a file none
 */
public record NodeFacts(String nodeName, List<HostAddress> addresses, List<String> defaultPeers) {

  /** One address of an interface of this host. */
  public record HostAddress(String interfaceName, InetAddress address, int prefixLength) {}

  public NodeFacts {
    Objects.requireNonNull(nodeName);
    addresses = List.copyOf(addresses);
    defaultPeers = List.copyOf(defaultPeers);
  }

  /** A node known by name only. */
  public static NodeFacts named(String nodeName) {
    return new NodeFacts(nodeName, List.of(), List.of());
  }

  /**
   * This host's interfaces as the JVM sees them (the agent runs in the node's network namespace).
   */
  public static NodeFacts ofHost(String nodeName) {
    List<HostAddress> found = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InterfaceAddress a : nic.getInterfaceAddresses()) {
          if (a.getAddress() != null) {
            found.add(new HostAddress(nic.getName(), a.getAddress(), a.getNetworkPrefixLength()));
          }
        }
      }
    } catch (SocketException e) {
      // Unknown interfaces only weaken the duplicate-VRID check for specs without spec.interface.
    }
    return new NodeFacts(nodeName, found, List.of());
  }

  /**
   * The interface {@code definition} runs on: spec.interface, else the interface with an address
   * (not one of the virtual ones) whose subnet holds the first virtual address, as the runtime
   * picks it; empty when none does.
   */
  public Optional<String> interfaceOf(VipDefinition definition) {
    if (definition.interfaceName() != null) {
      return Optional.of(definition.interfaceName());
    }
    InetAddress first = definition.addresses().get(0).address();
    for (HostAddress a : addresses) {
      boolean virtual =
          definition.addresses().stream().anyMatch(p -> p.address().equals(a.address()));
      int max = a.address().getAddress().length * 8;
      if (!virtual
          && a.prefixLength() >= 0
          && a.prefixLength() <= max
          && new AddressPrefix(a.address(), a.prefixLength()).contains(first)) {
        return Optional.of(a.interfaceName());
      }
    }
    return Optional.empty();
  }
}
