package io.virtualip.api.v1.contract;

/**
 * User-supplied text made safe to print on one log line or in a status message: control characters
 * (newlines, escape sequences that would forge log lines or drive a terminal) shown as {@code
 * \\uXXXX}, and long text cut.
 */
public final class Printable {
  private Printable() {}

  /**
   * {@code text} with control characters escaped, cut to {@code max} characters with an ellipsis.
   */
  public static String of(String text, int max) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < text.length()) {
      out.append("...");
    }
    return out.toString();
  }

  /**
   * {@link #of(String, int)} with room for a Kubernetes name (253 characters) and a little more.
   */
  public static String of(String text) {
    return of(text, 260);
  }
}
