package io.virtualip.lab.bench;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * The few libc calls the benchmark needs: a packet socket in another network namespace, and
 * signals.
 */
public interface BenchLibC {

  BenchLibC INSTANCE = LibraryLoader.create(BenchLibC.class).load("c");

  int AF_PACKET = 17;
  int SOCK_RAW = 3;
  int SOCK_CLOEXEC = 0x80000;
  int ETH_P_ALL = 0x0003;
  int ETH_P_ARP = 0x0806;
  int SOL_SOCKET = 1;
  int MSG_DONTWAIT = 0x40;
  short POLLIN = 1;
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;
  int SIGKILL = 9;
  int SIGSTOP = 19;

  int socket(int domain, int type, int protocol);

  int bind(int fd, Pointer address, int addressLength);

  long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength);

  long recv(int fd, Pointer buffer, long length, int flags);

  /**
   * {@code timeout} points to a struct timespec: poll(2) with nanoseconds instead of milliseconds.
   */
  int ppoll(Pointer fds, long count, Pointer timeout, Pointer signalMask);

  /** prctl(2) with integer arguments, for PR_SET_TIMERSLACK. */
  int prctl(int option, long arg2, long arg3, long arg4, long arg5);

  int open(String path, int flags);

  int setns(int fd, int namespaceType);

  int close(int fd);

  int if_nametoindex(String name);

  int kill(int pid, int signal);
}
