package io.virtualip.agent;

import io.virtualip.agent.spec.AddressPrefix;
import java.net.InetAddress;

/**
 * The tests' one way to write an address: a short name for the agent's own literal parser, which
 * never asks DNS.
 */
public final class Literals {

  private Literals() {}

  public static InetAddress ip(String literal) {
    return AddressPrefix.parseAddress(literal);
  }
}
