package io.virtualip.agent.runtime;

import io.virtualip.agent.dataplane.EventLoop;
import io.virtualip.agent.dataplane.NativeException;
import io.virtualip.agent.dataplane.ReceivedPacket;
import io.virtualip.agent.dataplane.VrrpSocket;
import io.virtualip.agent.vrrp.AddressFamily;
import io.virtualip.agent.vrrp.ReceivedAdvertisement;
import io.virtualip.agent.vrrp.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * One VRRP socket per interface and address family, shared by every instance on it (as keepalived
 * shares one socket per interface): received packets are wrapped once and handed to the instances
 * with the packet's VRID. Loop thread only; receiving allocates nothing.
 */
final class VrrpSocketGroup implements AutoCloseable {

  private final VrrpSocket socket;
  private final EventLoop loop;
  private final List<InstanceRunner> members = new ArrayList<>();

  /**
   * {@link #members} by VRID, so a packet goes to its instances without a look at the others (255
   * instances on one interface receive 2,550 adverts a second at 100 ms).
   */
  private final InstanceRunner[][] byVrid = new InstanceRunner[256][];

  private final ReceivedPacket packet = new ReceivedPacket();
  private final ReceivedAdvertisement advertisement = new ReceivedAdvertisement();

  VrrpSocketGroup(VrrpSocket socket, EventLoop loop) {
    this.socket = socket;
    this.loop = loop;
  }

  VrrpSocket socket() {
    return socket;
  }

  void add(InstanceRunner runner) {
    members.add(runner);
    index(runner.vrid());
  }

  /**
   * @return true when no instance uses the socket any more
   */
  boolean remove(InstanceRunner runner) {
    members.remove(runner);
    index(runner.vrid());
    return members.isEmpty();
  }

  private void index(int vrid) {
    InstanceRunner[] runners =
        members.stream().filter(member -> member.vrid() == vrid).toArray(InstanceRunner[]::new);
    byVrid[vrid] = runners.length == 0 ? null : runners;
  }

  void onReadable() throws NativeException {
    while (socket.receive(packet)) {
      if (packet.ipv6()) {
        advertisement.wrapPayload(
            packet.buffer(),
            packet.payloadOffset(),
            packet.payloadLength(),
            AddressFamily.IPV6,
            packet.sourceBytes(),
            packet.destinationBytes(),
            packet.hopLimit());
      } else if (advertisement.wrapIpv4Packet(packet.buffer(), 0, packet.length())
          != Verdict.ACCEPTED) {
        continue; // not a well-formed IPv4 packet carrying VRRP: nobody's peer sent it
      }
      // Other VRIDs on the segment are other routers' business (keepalived ignores them too).
      InstanceRunner[] runners = advertisement.length() > 1 ? byVrid[advertisement.vrid()] : null;
      if (runners == null) {
        continue;
      }
      long arrival = loop.arrivalNanos(packet.arrivalRealtimeNanos());
      for (InstanceRunner runner : runners) {
        runner.receive(advertisement, arrival);
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
