package io.virtualip.agent.dataplane;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;

/**
 * The slice of the C library the data plane needs, bound with jnr-ffi.
 *
 * <p>Pointer arguments are always direct memory ({@link NativeBuffer}), so a call passes an address
 * and allocates nothing on the Java heap; that is what keeps the advertisement receive path
 * allocation-free. {@code long} stands for {@code size_t}/{@code ssize_t}: the data plane supports
 * LP64 Linux only (x86_64, aarch64).
 *
 * <p>errno is saved by jnr after every call not marked {@link IgnoreError}; read it with {@link
 * Native#errno()}.
 */
public interface LibC {

  int socket(int domain, int type, int protocol);

  int bind(int fd, Pointer address, int addressLength);

  int setsockopt(int fd, int level, int option, Pointer value, int valueLength);

  int getsockopt(int fd, int level, int option, Pointer value, Pointer valueLength);

  long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength);

  long sendmsg(int fd, Pointer message, int flags);

  long recvfrom(
      int fd, Pointer buffer, long length, int flags, Pointer address, Pointer addressLength);

  long recvmsg(int fd, Pointer message, int flags);

  long read(int fd, Pointer buffer, long length);

  long write(int fd, Pointer buffer, long length);

  @IgnoreError
  int close(int fd);

  int if_nametoindex(String name);

  int epoll_create1(int flags);

  int epoll_ctl(int epollFd, int operation, int fd, Pointer event);

  int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis);

  /**
   * epoll_wait with a {@code struct timespec} timeout (Linux 5.11, glibc 2.35); {@code sigmask} may
   * be null. Fails with ENOSYS on older kernels, EPERM under a seccomp profile that predates it.
   */
  int epoll_pwait2(int epollFd, Pointer events, int maxEvents, Pointer timeout, Pointer sigmask);

  int eventfd(int initialValue, int flags);

  int timerfd_create(int clockId, int flags);

  /**
   * {@code newValue} and {@code oldValue} point to {@code struct itimerspec}; oldValue may be null.
   */
  int timerfd_settime(int fd, int flags, Pointer newValue, Pointer oldValue);

  int open(String path, int flags);

  /** Moves the calling thread (only) into another namespace; see {@link NetworkNamespace}. */
  int setns(int fd, int namespaceType);

  /** {@code timespec} points to a struct timespec. */
  int clock_gettime(int clockId, Pointer timespec);

  /**
   * prctl(2) with integer arguments (glibc declares it variadic; LP64 passes these in registers
   * alike).
   */
  int prctl(int option, long arg2, long arg3, long arg4, long arg5);

  @IgnoreError
  String strerror(int errno);
}
