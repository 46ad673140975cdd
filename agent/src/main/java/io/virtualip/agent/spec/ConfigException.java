package io.virtualip.agent.spec;

/**
 * A configuration the agent cannot run, explained in one line that names the document, the field
 * and the problem, e.g. {@code vips.yaml document 2 (VI_2): spec.advertisementInterval: '1.5s' must
 * be whole seconds with version 2}.
 */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }
}
