package io.virtualip.agent.dataplane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * Direct memory seen both as a {@link ByteBuffer} (for Java code, native byte order) and as a jnr
 * {@link Pointer} (for system calls). Allocated once at setup and reused, so system calls on the
 * hot path allocate nothing.
 */
public final class NativeBuffer {

  private final ByteBuffer buffer;
  private final Pointer pointer;

  /** Memory for C structs: the buffer reads and writes in native byte order. */
  public NativeBuffer(int capacity) {
    this(capacity, ByteOrder.nativeOrder());
  }

  /**
   * @param order {@link ByteOrder#BIG_ENDIAN} for packet data, which is in network byte order
   */
  public NativeBuffer(int capacity, ByteOrder order) {
    this.buffer = ByteBuffer.allocateDirect(capacity).order(order);
    // Re-wrapping the bare address yields a plain direct pointer, which jnr passes to C without any
    // boxing.
    this.pointer = Pointer.wrap(Native.RUNTIME, Pointer.wrap(Native.RUNTIME, buffer).address());
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  public Pointer pointer() {
    return pointer;
  }

  public long address() {
    return pointer.address();
  }

  public int capacity() {
    return buffer.capacity();
  }
}
