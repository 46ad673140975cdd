package io.virtualip.agent.dataplane;

import java.nio.ByteBuffer;

/**
 * Subscribes to rtnetlink's RTMGRP_LINK, RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR groups, so a
 * link going down, an interface vanishing or an address disappearing is pushed by the kernel the
 * moment it happens (no polling). Register {@link #fd()} with the {@link EventLoop} and call {@link
 * #drain()} when it is readable.
 */
public final class LinkMonitor implements AutoCloseable {

  /** Receives the parsed events on the event-loop thread. */
  public interface Listener {
    void linkChanged(Link link, boolean removed);

    void addressChanged(InterfaceAddress address, boolean removed);

    /**
     * The kernel dropped events (ENOBUFS: the socket buffer overflowed); the listener must re-read
     * the state it cares about with {@link Rtnetlink}.
     */
    void eventsLost();
  }

  private final NetlinkSocket socket;
  private final Listener listener;

  /** Opens the subscription in the calling thread's network namespace. */
  public LinkMonitor(Listener listener) throws NativeException {
    this.listener = listener;
    this.socket =
        new NetlinkSocket(
            NetlinkSocket.RTMGRP_LINK
                | NetlinkSocket.RTMGRP_IPV4_IFADDR
                | NetlinkSocket.RTMGRP_IPV6_IFADDR,
            true);
  }

  public int fd() {
    return socket.fd();
  }

  /** Reads and dispatches every waiting event. */
  public void drain() throws NativeException {
    while (true) {
      int length;
      try {
        length = socket.receive();
      } catch (NativeException e) {
        if (e.errno() == Native.ENOBUFS) {
          listener.eventsLost();
          continue;
        }
        throw e;
      }
      if (length < 0) {
        return;
      }
      dispatch(socket.receiveBuffer(), length);
    }
  }

  private void dispatch(ByteBuffer b, int length) {
    for (int offset = 0; offset + NetlinkMessages.NLMSG_HDRLEN <= length; ) {
      int messageLength = b.getInt(offset);
      if (messageLength < NetlinkMessages.NLMSG_HDRLEN) {
        return;
      }
      int type = b.getShort(offset + 4) & 0xffff;
      switch (type) {
        case NetlinkMessages.RTM_NEWLINK, NetlinkMessages.RTM_DELLINK ->
            listener.linkChanged(
                NetlinkMessages.parseLink(b, offset, messageLength),
                type == NetlinkMessages.RTM_DELLINK);
        case NetlinkMessages.RTM_NEWADDR, NetlinkMessages.RTM_DELADDR -> {
          InterfaceAddress address = NetlinkMessages.parseAddress(b, offset, messageLength);
          if (address != null) {
            listener.addressChanged(address, type == NetlinkMessages.RTM_DELADDR);
          }
        }
        default -> {}
      }
      offset += NetlinkMessages.align(messageLength);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
