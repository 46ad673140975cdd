package io.virtualip.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short commands to completion with a deadline, capturing their output (in files: never a
 * blocked pipe).
 */
public final class Commands {

  private Commands() {}

  public static ExecResult run(Duration timeout, List<String> command) {
    File stdout = null;
    File stderr = null;
    try {
      // Files rather than pipes: a chatty command can never block on a full pipe while we wait for
      // it.
      stdout = File.createTempFile("lab-out", ".txt");
      stderr = File.createTempFile("lab-err", ".txt");
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(stdout)
              .redirectError(stderr)
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new LabException(
            "timed out after " + timeout.toMillis() + " ms: " + String.join(" ", command));
      }
      return new ExecResult(
          List.copyOf(command),
          process.exitValue(),
          Files.readString(stdout.toPath()),
          Files.readString(stderr.toPath()));
    } catch (IOException e) {
      throw new LabException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted running " + String.join(" ", command), e);
    } finally {
      delete(stdout);
      delete(stderr);
    }
  }

  private static void delete(File file) {
    if (file != null && !file.delete() && file.exists()) {
      file.deleteOnExit();
    }
  }
}
