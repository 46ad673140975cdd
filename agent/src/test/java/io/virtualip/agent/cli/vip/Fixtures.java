package io.virtualip.agent.cli.vip;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.virtualip.api.v1.VirtualIP;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The recorded statuses under src/test/resources/kubectl-vip/, and the instant they were recorded
 * at.
 */
final class Fixtures {

  /** Every fixture was recorded at this instant; ages are measured against it. */
  static final Instant RECORDED = Instant.parse("2026-12-04T12:00:00Z");

  private Fixtures() {}

  static VirtualIP load(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/kubectl-vip/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return Serialization.unmarshal(in, VirtualIP.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
