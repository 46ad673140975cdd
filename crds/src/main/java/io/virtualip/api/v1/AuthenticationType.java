package io.virtualip.api.v1;

/**
 * VRRPv2 authentication types (RFC 3768 section 5.3.6): no authentication, or a simple text
 * password.
 */
public enum AuthenticationType {
  None,
  Password
}
