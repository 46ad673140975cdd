package io.virtualip.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The seed report's keepalived instance VI_1 (VRRPv2, VRID 51, simple-text password, advert_int 1,
 * 192.0.2.100/24; the master at priority 151, the other node at 100), the one place its parameters
 * and its keepalived.conf are written (deploy/examples/seed-keepalived-v2.yaml is the same instance
 * as a VirtualIP).
 */
public final class SeedKeepalived {

  public static final int VERSION = 2;
  public static final int VRID = 51;
  public static final Duration ADVERT_INTERVAL = Duration.ofSeconds(1);
  public static final String ADDRESS = "192.0.2.100/24";
  public static final String PASSWORD = "secret1";
  public static final int MASTER_PRIORITY = 151;
  public static final int BACKUP_PRIORITY = 100;

  private SeedKeepalived() {}

  /**
   * keepalived.conf with the one instance on {@code iface} at {@code priority}
   * (seed-keepalived.conf).
   */
  public static String conf(String iface, int priority) {
    try (InputStream in = SeedKeepalived.class.getResourceAsStream("seed-keepalived.conf")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("${interface}", iface)
          .replace("${priority}", Integer.toString(priority));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
