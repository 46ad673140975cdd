package io.virtualip.agent.vrrp.sim;

import io.virtualip.agent.vrrp.Actions;
import io.virtualip.agent.vrrp.AddressFamily;
import io.virtualip.agent.vrrp.AdvertisementEncoder;
import io.virtualip.agent.vrrp.AdvertisementFormat;
import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.ReceivedAdvertisement;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.Verdict;
import io.virtualip.agent.vrrp.VrrpInstance;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * One simulated node: a {@link VrrpInstance} plus the data-plane duties a real agent has (encode
 * and send, wrap and receive, keep the timer, hold the addresses). It can also crash (vanish
 * without a priority-0 advert) and restart with a fresh instance.
 */
public final class SimRouter {
  /**
   * Ethernet's minimum payload: shorter IP packets arrive padded, which the decoder must tolerate.
   */
  private static final int ETHERNET_MIN_PAYLOAD = 46;

  private static final int IPV4_HEADER = 20;
  private static final long NOT_SCHEDULED = Long.MIN_VALUE;

  private final SimulatedNetwork network;
  private final int index;
  private InstanceConfig config;
  private AdvertisementEncoder encoder;
  private final ReceivedAdvertisement rx = new ReceivedAdvertisement();
  private final ByteBuffer tx;
  private final byte[] primary;
  private final String name;
  private final Actions actions = new RouterActions();
  private VrrpInstance instance;
  private boolean alive = true;
  private boolean holdsAddresses;
  private long announcements;
  private long scheduledTimer = NOT_SCHEDULED;
  private Verdict lastVerdict;

  SimRouter(SimulatedNetwork network, int index, InstanceConfig config) {
    this.network = network;
    this.index = index;
    this.config = config;
    this.encoder = new AdvertisementEncoder(config);
    this.tx = ByteBuffer.allocate(encoder.messageLength());
    this.primary = config.primaryAddress().getAddress();
    this.name = config.primaryAddress().getHostAddress();
    this.instance = new VrrpInstance(config);
  }

  int index() {
    return index;
  }

  byte[] primaryAddressBytes() {
    return primary;
  }

  public String name() {
    return name;
  }

  public VrrpInstance instance() {
    return instance;
  }

  public State state() {
    return alive ? instance.state() : State.INITIALIZE;
  }

  /** Whether the virtual addresses are currently configured on this node. */
  public boolean holdsAddresses() {
    return holdsAddresses;
  }

  /** How many times this node announced the addresses (gratuitous ARP / unsolicited NA). */
  public long announcements() {
    return announcements;
  }

  /** The verdict on the last packet this node received. */
  public Verdict lastVerdict() {
    return lastVerdict;
  }

  // ------------------------------------------------------------ scenario controls (at the current
  // virtual time)

  public void startup() {
    instance.startup(network.now(), actions);
    reschedule();
  }

  public void shutdown() {
    instance.shutdown(network.now(), actions);
    reschedule();
  }

  public void trackChanged(String track, boolean healthy) {
    instance.trackChanged(track, healthy, network.now(), actions);
    reschedule();
  }

  public void stepDown(Duration hold, String reason) {
    instance.stepDown(hold, reason, network.now(), actions);
    reschedule();
  }

  /**
   * The node's configuration is edited while it runs (a VirtualIP's priorities, say), applied in
   * place as the agent does; new tracks start healthy.
   */
  public void reconfigure(InstanceConfig next) {
    config = next;
    encoder = new AdvertisementEncoder(next);
    instance.reconfigure(next, track -> true, network.now(), actions);
    reschedule();
  }

  /**
   * Sends one advert with {@code priority} now, whatever the state: a packet the node's data plane
   * sends of its own accord (the priority-0 advert the agent once sent when it yielded, for a
   * scenario that shows its effect).
   */
  public void advertise(int priority) {
    actions.sendAdvertisement(priority);
  }

  /** The node dies: no priority-0 advert, no more packets or timers, addresses gone with it. */
  public void crash() {
    alive = false;
    holdsAddresses = false;
  }

  /** The node boots again with a fresh instance and starts it. */
  public void restart() {
    instance = new VrrpInstance(config);
    alive = true;
    scheduledTimer = NOT_SCHEDULED;
    startup();
  }

  // ------------------------------------------------------------ driven by the network

  void deliver(SimPacket p) {
    if (!alive) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(p.bytes());
    if (p.family() == AddressFamily.IPV4) {
      Verdict wrapped = rx.wrapIpv4Packet(buf, 0, p.bytes().length);
      if (!wrapped.accepted()) {
        lastVerdict = wrapped;
        return;
      }
    } else {
      rx.wrapPayload(buf, 0, p.bytes().length, p.family(), p.source(), p.destination(), p.ttl());
    }
    lastVerdict = instance.receive(rx, network.now(), actions);
    reschedule();
  }

  boolean timerDue(long at) {
    return alive && at == scheduledTimer;
  }

  void fireTimer() {
    scheduledTimer = NOT_SCHEDULED;
    instance.timerFired(network.now(), actions);
    reschedule();
  }

  /** Keeps exactly one live timer event per router: the instance's next deadline. */
  private void reschedule() {
    long next = instance.nextDeadlineNanos();
    if (next == Long.MAX_VALUE || next == scheduledTimer) {
      return;
    }
    scheduledTimer = next;
    network.scheduleTimer(this, next);
  }

  private SimPacket packet(int destinationIndex, int priority) {
    tx.clear();
    int length = encoder.encode(priority, destinationIndex, tx);
    byte[] destination = encoder.destination(destinationIndex).clone();
    if (config.family() == AddressFamily.IPV6) {
      return new SimPacket(
          AddressFamily.IPV6, Arrays.copyOf(tx.array(), length), primary, destination, 255);
    }
    byte[] ip = new byte[Math.max(IPV4_HEADER + length, ETHERNET_MIN_PAYLOAD)];
    ByteBuffer b = ByteBuffer.wrap(ip);
    b.put((byte) 0x45).put((byte) 0xc0).putShort((short) (IPV4_HEADER + length)).putInt(0);
    b.put((byte) 255).put((byte) AdvertisementFormat.IP_PROTOCOL_VRRP).putShort((short) 0);
    b.put(primary).put(destination).put(tx.array(), 0, length);
    return new SimPacket(AddressFamily.IPV4, ip, primary, destination, 255);
  }

  private final class RouterActions implements Actions {
    @Override
    public void sendAdvertisement(int priority) {
      if (!alive) {
        return;
      }
      for (int i = 0; i < encoder.destinationCount(); i++) {
        network.transmit(SimRouter.this, packet(i, priority));
      }
    }

    @Override
    public void addAddresses() {
      holdsAddresses = true;
    }

    @Override
    public void removeAddresses() {
      holdsAddresses = false;
    }

    @Override
    public void announceAddresses() {
      announcements++;
    }

    @Override
    public void stateChanged(State from, State to, String reason) {
      network.transitioned(SimRouter.this, from, to, reason);
    }
  }

  @Override
  public String toString() {
    return name + "(" + state() + ", priority " + instance.effectivePriority() + ")";
  }
}
