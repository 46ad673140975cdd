package io.virtualip.api.v1.validation;

/**
 * One reason the API server would refuse a VirtualIP.
 *
 * @param field path of the offending field as the API server names it, for example {@code
 *     spec.tracks[0].weight}; empty for the object as a whole
 * @param message what is wrong, in words a person acts on
 */
public record Violation(String field, String message) {

  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
