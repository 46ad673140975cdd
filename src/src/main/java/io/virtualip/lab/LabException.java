package io.virtualip.lab;

/**
 * A lab operation failed: a command exited non-zero, timed out, or a condition was not reached in
 * time.
 */
public class LabException extends RuntimeException {

  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
