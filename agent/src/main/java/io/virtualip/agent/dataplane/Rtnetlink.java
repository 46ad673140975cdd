package io.virtualip.agent.dataplane;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Requests to the kernel over rtnetlink: list links and addresses, add and remove the virtual
 * addresses. Every request waits for the kernel's answer (NLM_F_ACK), so an error is reported where
 * it happened. Replaces what keepalived's vrrp_ipaddress.c / vrrp_netlink.c do, without shelling
 * out to {@code ip}. Not thread-safe: one socket, one request at a time.
 */
public final class Rtnetlink implements AutoCloseable {

  private final NetlinkSocket socket;
  private int sequence;

  /** Opens a request socket in the calling thread's network namespace. */
  public Rtnetlink() throws NativeException {
    socket = new NetlinkSocket(0, false);
  }

  public List<Link> links() throws NativeException {
    List<Link> links = new ArrayList<>();
    dump(
        NetlinkMessages.RTM_GETLINK,
        NetlinkMessages.IFINFOMSG_LEN,
        (b, offset, length) -> links.add(NetlinkMessages.parseLink(b, offset, length)));
    return links;
  }

  public Optional<Link> link(String name) throws NativeException {
    for (Link link : links()) {
      if (link.name().equals(name)) {
        return Optional.of(link);
      }
    }
    return Optional.empty();
  }

  public List<InterfaceAddress> addresses() throws NativeException {
    List<InterfaceAddress> addresses = new ArrayList<>();
    dump(
        NetlinkMessages.RTM_GETADDR,
        NetlinkMessages.IFADDRMSG_LEN,
        (b, offset, length) -> {
          InterfaceAddress address = NetlinkMessages.parseAddress(b, offset, length);
          if (address != null) {
            addresses.add(address);
          }
        });
    return addresses;
  }

  /**
   * An RTM_NEWADDR request, built ahead of time so that a takeover only sends it: the failover
   * lasts until the kernel has the address, and building the message (attributes, label,
   * description) is work that can be done when the instance attaches. Only the sequence number is
   * filled in per send.
   */
  public static final class AddRequest {
    private final byte[] message;
    private final String description;

    private AddRequest(byte[] message, String description) {
      this.message = message;
      this.description = description;
    }
  }

  /**
   * Prepares the request that adds {@code address/prefixLength} to the interface, marked as ours
   * ({@link AddressOwnership}); IPv6 with IFA_F_NODAD so it is usable (as a source, for unsolicited
   * NA) at once instead of after DAD.
   */
  public AddRequest prepareAdd(Link link, InetAddress address, int prefixLength) {
    ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    int n =
        NetlinkMessages.header(
            b,
            NetlinkMessages.RTM_NEWADDR,
            NetlinkMessages.NLM_F_REQUEST
                | NetlinkMessages.NLM_F_ACK
                | NetlinkMessages.NLM_F_CREATE
                | NetlinkMessages.NLM_F_EXCL,
            0);
    n = NetlinkMessages.ifaddrmsg(b, n, family(address), prefixLength, 0, link.index());
    n = NetlinkMessages.attribute(b, n, NetlinkMessages.IFA_LOCAL, address.getAddress());
    n = NetlinkMessages.attribute(b, n, NetlinkMessages.IFA_ADDRESS, address.getAddress());
    if (address instanceof Inet6Address) {
      n =
          NetlinkMessages.attributeInt(
              b, n, NetlinkMessages.IFA_FLAGS, InterfaceAddress.IFA_F_NODAD);
    } else {
      String label = AddressOwnership.label(link.name());
      if (!label.isEmpty()) {
        n = NetlinkMessages.attributeString(b, n, NetlinkMessages.IFA_LABEL, label);
      }
    }
    n = NetlinkMessages.attributeByte(b, n, NetlinkMessages.IFA_PROTO, AddressOwnership.PROTOCOL);
    NetlinkMessages.finish(b, n);
    byte[] message = new byte[n];
    b.get(0, message);
    return new AddRequest(
        message, "add " + address.getHostAddress() + "/" + prefixLength + " to " + link.name());
  }

  /**
   * @return false if the address was already there (then it is not ours and must not be removed by
   *     us)
   */
  public boolean add(AddRequest request) throws NativeException {
    ByteBuffer b = socket.sendBuffer();
    b.put(0, request.message).putInt(NetlinkMessages.NLMSG_SEQ_OFFSET, ++sequence);
    return request(request.message.length, request.description) != Native.EEXIST;
  }

  /** {@link #prepareAdd} and {@link #add} in one. */
  public boolean addAddress(Link link, InetAddress address, int prefixLength)
      throws NativeException {
    return add(prepareAdd(link, address, prefixLength));
  }

  /**
   * @return false if the address was not there
   */
  public boolean removeAddress(int interfaceIndex, InetAddress address, int prefixLength)
      throws NativeException {
    ByteBuffer b = socket.sendBuffer();
    int n =
        NetlinkMessages.header(
            b,
            NetlinkMessages.RTM_DELADDR,
            NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK,
            ++sequence);
    n = NetlinkMessages.ifaddrmsg(b, n, family(address), prefixLength, 0, interfaceIndex);
    n = NetlinkMessages.attribute(b, n, NetlinkMessages.IFA_LOCAL, address.getAddress());
    int error = request(n, "remove " + address.getHostAddress() + "/" + prefixLength);
    return error != Native.EADDRNOTAVAIL;
  }

  /**
   * Removes the addresses among {@code ours} that carry the agent's mark ({@link
   * AddressOwnership#ownedByAgent}): what a crashed predecessor running the same virtual IPs left
   * behind. Marked addresses not in {@code ours} may belong to another live agent on this node (two
   * placements that select one node run two agents), and addresses anybody else configured carry no
   * mark: both are left alone.
   *
   * @return the addresses removed
   */
  public List<InterfaceAddress> removeOwnedAddresses(Collection<InetAddress> ours)
      throws NativeException {
    List<InterfaceAddress> removed = new ArrayList<>();
    for (InterfaceAddress address : addresses()) {
      if (AddressOwnership.ownedByAgent(address)
          && ours.contains(address.address())
          && removeAddress(address.interfaceIndex(), address.address(), address.prefixLength())) {
        removed.add(address);
      }
    }
    return removed;
  }

  private static int family(InetAddress address) {
    return address instanceof Inet6Address ? Native.AF_INET6 : Native.AF_INET;
  }

  private interface MessageHandler {
    void handle(ByteBuffer b, int offset, int length);
  }

  private void dump(int type, int bodyLength, MessageHandler handler) throws NativeException {
    ByteBuffer b = socket.sendBuffer();
    int n =
        NetlinkMessages.header(
            b, type, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, ++sequence);
    SocketAddresses.zero(b, n, bodyLength);
    socket.send(NetlinkMessages.finish(b, n + bodyLength));
    int expected = sequence;
    while (true) {
      int length = socket.receive();
      ByteBuffer r = socket.receiveBuffer();
      for (int offset = 0; offset + NetlinkMessages.NLMSG_HDRLEN <= length; ) {
        int messageLength = r.getInt(offset);
        int messageType = r.getShort(offset + 4) & 0xffff;
        if (messageLength < NetlinkMessages.NLMSG_HDRLEN) {
          break;
        }
        if (r.getInt(offset + NetlinkMessages.NLMSG_SEQ_OFFSET) == expected) {
          if (messageType == NetlinkMessages.NLMSG_DONE) {
            return;
          }
          if (messageType == NetlinkMessages.NLMSG_ERROR) {
            int error = -r.getInt(offset + NetlinkMessages.NLMSG_HDRLEN);
            throw NativeException.fromErrno("netlink dump " + type, error);
          }
          handler.handle(r, offset, messageLength);
        }
        offset += NetlinkMessages.align(messageLength);
      }
    }
  }

  /**
   * Sends a request and waits for its acknowledgement.
   *
   * @return 0, or the errno EEXIST / EADDRNOTAVAIL which callers treat as "nothing to do"
   */
  private int request(int length, String what) throws NativeException {
    ByteBuffer b = socket.sendBuffer();
    socket.send(NetlinkMessages.finish(b, length));
    int expected = sequence;
    while (true) {
      int received = socket.receive();
      ByteBuffer r = socket.receiveBuffer();
      for (int offset = 0; offset + NetlinkMessages.NLMSG_HDRLEN <= received; ) {
        int messageLength = r.getInt(offset);
        if (messageLength < NetlinkMessages.NLMSG_HDRLEN) {
          break;
        }
        if ((r.getShort(offset + 4) & 0xffff) == NetlinkMessages.NLMSG_ERROR
            && r.getInt(offset + NetlinkMessages.NLMSG_SEQ_OFFSET) == expected) {
          int error = -r.getInt(offset + NetlinkMessages.NLMSG_HDRLEN);
          if (error == 0 || error == Native.EEXIST || error == Native.EADDRNOTAVAIL) {
            return error;
          }
          throw NativeException.fromErrno(what, error);
        }
        offset += NetlinkMessages.align(messageLength);
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
