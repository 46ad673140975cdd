package io.virtualip.agent.vrrp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * VRRPv2 authentication (RFC 3768 §5.3.6). Only the two types keepalived still interoperates with
 * are supported: 0 (no authentication) and 1 (simple text password, 8 bytes, zero padded). Type 2
 * (IP AH) was removed by RFC 3768 and changes the IP protocol number, so it is out of scope. VRRPv3
 * has no authentication.
 *
 * @param type the Auth Type field value
 * @param password exactly {@value #DATA_LENGTH} bytes; all zero for {@link AuthType#NONE}
 */
public record Authentication(AuthType type, byte[] password) {

  /** RFC 3768 §5.1: the Authentication Data trailer is 8 octets. */
  public static final int DATA_LENGTH = 8;

  public static final Authentication NONE =
      new Authentication(AuthType.NONE, new byte[DATA_LENGTH]);

  /** The Auth Type field: the number is what goes on the wire. */
  public enum AuthType {
    NONE(0),
    SIMPLE_TEXT_PASSWORD(1);

    private final int wireValue;

    AuthType(int wireValue) {
      this.wireValue = wireValue;
    }

    public int wireValue() {
      return wireValue;
    }
  }

  public Authentication {
    if (type == null || password == null || password.length != DATA_LENGTH) {
      throw new IllegalArgumentException(
          "authentication needs a type and exactly 8 password bytes");
    }
    password = password.clone();
  }

  /** keepalived semantics: the password is truncated to 8 bytes and padded with zeros. */
  public static Authentication simplePassword(String password) {
    byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
    if (utf8.length == 0) {
      throw new IllegalArgumentException("empty password");
    }
    return new Authentication(AuthType.SIMPLE_TEXT_PASSWORD, Arrays.copyOf(utf8, DATA_LENGTH));
  }

  @Override
  public byte[] password() {
    return password.clone();
  }

  /** The shared bytes, for the encoder and validator; callers must not modify them. */
  byte[] passwordShared() {
    return password;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Authentication a && a.type == type && Arrays.equals(a.password, password);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(password);
  }

  @Override
  public String toString() {
    // Never print the password: toString ends up in logs and status.
    return "Authentication[" + type + "]";
  }
}
