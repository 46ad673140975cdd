package io.virtualip.agent.spec;

/** The verdict of {@link SpecCompiler} on one VirtualIP for this node. */
public sealed interface Compiled {

  /** Valid and complete: run this. */
  record Run(VipDefinition definition) implements Compiled {}

  /**
   * Valid, but something it needs is not there yet (a Secret, the operator's VRID, another node to
   * send unicast adverts to): a new instance does not start, a running one keeps its last good
   * configuration.
   */
  record Waiting(String reason) implements Compiled {}

  /**
   * Refused: the spec is one this node will never run as it is.
   *
   * @param field the field as the API server names it ({@code spec.tracks[0].weight}), empty for
   *     the whole object
   * @param problem what is wrong, in the user's terms, on one line and free of control characters
   */
  record Invalid(String field, String problem) implements Compiled {
    @Override
    public String toString() {
      return field.isEmpty() ? problem : field + ": " + problem;
    }
  }
}
