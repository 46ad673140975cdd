package io.virtualip.operator.events;

/** A core/v1 Event to record on a VirtualIP. */
public record PlannedEvent(Type type, String reason, String message) {
  public enum Type {
    Normal,
    Warning
  }

  public static PlannedEvent normal(String reason, String message) {
    return new PlannedEvent(Type.Normal, reason, message);
  }

  public static PlannedEvent warning(String reason, String message) {
    return new PlannedEvent(Type.Warning, reason, message);
  }
}
