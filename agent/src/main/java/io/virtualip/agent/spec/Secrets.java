package io.virtualip.agent.spec;

import java.util.Optional;

/**
 * Where the compiler reads a Secret's key: files under a directory, or the agent namespace's
 * Secrets.
 */
@FunctionalInterface
public interface Secrets {

  /**
   * @return the key's bytes, or empty when the Secret or the key is not there
   * @throws IllegalArgumentException when it can never be read (an unsafe name, no secrets
   *     directory), with words for the user
   */
  Optional<byte[]> read(String name, String key);

  /** No secrets at all. */
  Secrets NONE = (name, key) -> Optional.empty();
}
