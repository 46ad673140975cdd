package io.virtualip.agent.dataplane;

import java.io.IOException;

/** A failed system call, with the errno that explains it. */
public final class NativeException extends IOException {

  private final int errno;

  public NativeException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  static NativeException fromErrno(String what, int errno) {
    return new NativeException(
        what + ": " + Native.LIBC.strerror(errno) + " (errno " + errno + ")", errno);
  }

  public int errno() {
    return errno;
  }
}
