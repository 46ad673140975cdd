package io.virtualip.agent.dataplane;

import java.nio.charset.StandardCharsets;

/**
 * Socket creation and option setting; used at setup only, so scratch memory is allocated per call.
 */
final class Sockets {

  private Sockets() {}

  static int open(int domain, int type, int protocol, String what) throws NativeException {
    return Native.check(Native.LIBC.socket(domain, type | Native.SOCK_CLOEXEC, protocol), what);
  }

  static void setInt(int fd, int level, int option, int value, String what) throws NativeException {
    NativeBuffer b = new NativeBuffer(4);
    b.buffer().putInt(0, value);
    Native.check(Native.LIBC.setsockopt(fd, level, option, b.pointer(), 4), what);
  }

  static int getInt(int fd, int level, int option, String what) throws NativeException {
    NativeBuffer b = new NativeBuffer(8);
    b.buffer().putInt(4, 4);
    Native.check(
        Native.LIBC.getsockopt(fd, level, option, b.pointer(), b.pointer().slice(4)), what);
    return b.buffer().getInt(0);
  }

  static void setBytes(int fd, int level, int option, NativeBuffer value, int length, String what)
      throws NativeException {
    Native.check(Native.LIBC.setsockopt(fd, level, option, value.pointer(), length), what);
  }

  /**
   * SO_BINDTODEVICE: the socket then sends and receives on this interface only, whatever the
   * routing says.
   */
  static void bindToDevice(int fd, String interfaceName) throws NativeException {
    byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
    NativeBuffer b = new NativeBuffer(name.length + 1);
    b.buffer().put(0, name);
    setBytes(
        fd,
        Native.SOL_SOCKET,
        Native.SO_BINDTODEVICE,
        b,
        name.length + 1,
        "SO_BINDTODEVICE " + interfaceName);
  }

  static int interfaceIndex(String interfaceName) throws NativeException {
    int index = Native.LIBC.if_nametoindex(interfaceName);
    if (index == 0) {
      throw new NativeException("no interface named " + interfaceName, Native.ENODEV);
    }
    return index;
  }
}
