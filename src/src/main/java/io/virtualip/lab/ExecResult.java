package io.virtualip.lab;

import java.util.List;

/**
 * The outcome of a command that ran to completion.
 *
 * @param command the full command line, as run (including the {@code ip netns exec} prefix)
 * @param exitCode the process's exit status
 * @param stdout everything it printed on standard output
 * @param stderr everything it printed on standard error
 */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns this result, or throws with the command's output when it failed. */
  public ExecResult orThrow() {
    if (!succeeded()) {
      throw new LabException(
          "command failed (exit "
              + exitCode
              + "): "
              + String.join(" ", command)
              + "\nstdout: "
              + stdout.strip()
              + "\nstderr: "
              + stderr.strip());
    }
    return this;
  }
}
