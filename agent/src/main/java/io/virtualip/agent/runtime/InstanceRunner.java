package io.virtualip.agent.runtime;

import io.virtualip.agent.dataplane.AddressAnnouncer;
import io.virtualip.agent.dataplane.AnnouncePolicy;
import io.virtualip.agent.dataplane.AnnouncementSchedule;
import io.virtualip.agent.dataplane.EventLoop;
import io.virtualip.agent.dataplane.InterfaceAddress;
import io.virtualip.agent.dataplane.Link;
import io.virtualip.agent.dataplane.NativeException;
import io.virtualip.agent.dataplane.Rtnetlink;
import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.agent.vrrp.Actions;
import io.virtualip.agent.vrrp.AdvertisementEncoder;
import io.virtualip.agent.vrrp.Authentication;
import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.ReceivedAdvertisement;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.Verdict;
import io.virtualip.agent.vrrp.VrrpInstance;
import io.virtualip.agent.vrrp.VrrpVersion;
import io.virtualip.api.v1.contract.FaultReason;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one virtual IP on this node: the VRRP core's {@link VrrpInstance} driven by the event loop,
 * with the core's {@link Actions} carried out by the data plane (advert socket, rtnetlink,
 * gratuitous ARP / NA).
 *
 * <p>The instance is <em>attached</em> while its interface exists: then the core decides
 * everything, and the interface's state is a weight-0 track named {@code link <ifname>} (down or no
 * carrier = FAULT). When the interface vanishes the runner detaches (FAULT with that reason,
 * sockets closed) and re-attaches, with a fresh instance, when an interface of that name appears
 * again. Loop thread only.
 */
final class InstanceRunner implements Actions {

  /** "Until withdrawn": the core's step-down takes a hold duration. */
  private static final Duration STEP_DOWN_HOLD = Duration.ofDays(3650);

  private static final long NANOS_PER_CENTI = 10_000_000L;

  /**
   * Replaced in place by {@link #reconfigure} when only what the core can change while running
   * changed.
   */
  private VipDefinition definition;

  private final Agent agent;
  private final EventLoop.Timer timer;
  private final ByteBuffer tx = ByteBuffer.allocateDirect(1500);
  private final List<AddressPrefix> added = new ArrayList<>();

  private Link link;
  private String linkTrack;
  private VrrpInstance vrrp;
  private AdvertisementEncoder encoder;
  private VrrpSocketGroup sockets;
  private AddressAnnouncer announcer;
  private AnnouncementSchedule announcements;

  /**
   * One per {@link VipDefinition#addresses()}, built at attach so that a takeover only sends them.
   */
  private Rtnetlink.AddRequest[] addRequests;

  private String detachedReason = "not started";

  /**
   * Why it is detached, as the code the operator reads (status.nodes[].reasonCode); null before the
   * first try.
   */
  private FaultReason detachedCode;

  private long detachedSinceNanos;
  private String lastSendError;
  private long lastReannounceNanos = Long.MIN_VALUE / 2;
  private long lastMasterChangeReportNanos = Long.MIN_VALUE / 2;
  private boolean stopped;
  private boolean vanished;
  private boolean stepDownRequested;

  /**
   * State changes by kind, for the metrics; counted on transitions only (never per advert), kept
   * across a replacement of the definition ({@link #inherit}) so that the counter does not restart
   * then.
   */
  private Map<InstanceMetrics.Transition, Long> transitions = new LinkedHashMap<>();

  /** Health of {@link VipDefinition#externalTracks()} by index; failing until first reported. */
  private boolean[] externalHealthy;

  InstanceRunner(VipDefinition definition, Agent agent) {
    this.definition = definition;
    this.agent = agent;
    this.timer = agent.loop().newTimer(this::onTimer);
    this.externalHealthy = new boolean[definition.externalTracks().size()];
    this.detachedSinceNanos = agent.loop().nowNanos();
  }

  /**
   * Carries the step-down request and external track health over from the runner this one replaces,
   * where the external tracks are the same (a re-applied configuration must not forget what was
   * reported).
   */
  void inherit(InstanceRunner previous) {
    stepDownRequested = previous.stepDownRequested;
    transitions = previous.transitions;
    if (previous.definition.externalTracks().equals(definition.externalTracks())) {
      System.arraycopy(previous.externalHealthy, 0, externalHealthy, 0, externalHealthy.length);
    }
  }

  /**
   * Applies {@code next} to this running instance if it names the same router: same interface,
   * addresses, VRID, version and unicast peers. Then priority, preempt, preempt delay,
   * advertisement interval, password and tracks change in place ({@link VrrpInstance#reconfigure}):
   * no INITIALIZE, no priority-0 advert, the address stays where it is until VRRP itself moves it.
   * External tracks keep their reported health by name; a new one fails until reported, a new
   * interface track starts from its link's state.
   *
   * @return false when {@code next} needs a new instance (the caller replaces this runner)
   */
  boolean reconfigure(VipDefinition next) {
    if (stopped || !sameRouter(definition, next)) {
      return false;
    }
    boolean[] health = new boolean[next.externalTracks().size()];
    for (int i = 0; i < health.length; i++) {
      String trackName = next.externalTracks().get(i).name();
      for (int j = 0; j < externalHealthy.length; j++) {
        if (definition.externalTracks().get(j).name().equals(trackName)) {
          health[i] = externalHealthy[j];
        }
      }
    }
    String changes = changes(definition, next);
    definition = next;
    externalHealthy = health;
    if (!attached()) {
      return true; // the next attach uses the new definition
    }
    InstanceConfig config =
        instanceConfig(encoder.config().primaryAddress(), encoder.config().unicastPeers());
    State before = vrrp.state();
    encoder =
        new AdvertisementEncoder(
            config); // before reconfigure, which may advertise the new values at once
    vrrp.reconfigure(config, this::initialHealth, agent.loop().nowNanos(), this);
    log(System.Logger.Level.INFO, "reconfigured in place (" + changes + ")");
    if (vrrp.state() == before) {
      // No transition to report it, but the priority in reports changed.
      agent.transitioned(this, before, before, "reconfigured (" + changes + ")");
    }
    rearm();
    return true;
  }

  /**
   * What must be equal for {@link #reconfigure}: everything that identifies the router on the wire
   * or the link.
   */
  private static boolean sameRouter(VipDefinition a, VipDefinition b) {
    return a.name().equals(b.name())
        && java.util.Objects.equals(a.interfaceName(), b.interfaceName())
        && a.addresses().equals(b.addresses())
        && a.vrid() == b.vrid()
        && a.version() == b.version()
        && a.unicastPeers().equals(b.unicastPeers());
  }

  private static String changes(VipDefinition a, VipDefinition b) {
    List<String> changed = new ArrayList<>();
    if (a.priority() != b.priority()) {
      changed.add("priority " + a.priority() + " -> " + b.priority());
    }
    if (a.advertIntervalCentis() != b.advertIntervalCentis()) {
      changed.add(
          "advertisement interval "
              + a.advertIntervalCentis()
              + " -> "
              + b.advertIntervalCentis()
              + " cs");
    }
    if (a.preempt() != b.preempt() || !a.preemptDelay().equals(b.preemptDelay())) {
      changed.add("preempt " + b.preempt() + ", delay " + b.preemptDelay().toMillis() + " ms");
    }
    if (!java.util.Arrays.equals(a.password(), b.password())) {
      changed.add("password");
    }
    if (!a.tracks().equals(b.tracks()) || !a.externalTracks().equals(b.externalTracks())) {
      changed.add("tracks");
    }
    return changed.isEmpty() ? "no VRRP change" : String.join(", ", changed);
  }

  /** Health of a track the running instance did not have (see {@link #reconfigure}). */
  private boolean initialHealth(String trackName) {
    for (int i = 0; i < externalHealthy.length; i++) {
      if (definition.externalTracks().get(i).name().equals(trackName)) {
        return externalHealthy[i];
      }
    }
    for (VipDefinition.InterfaceTrack t : definition.tracks()) {
      if (trackName(t.interfaceName()).equals(trackName)) {
        try {
          return usable(t.interfaceName(), agent.netlink().links());
        } catch (NativeException e) {
          log(
              System.Logger.Level.WARNING,
              "cannot read interfaces: "
                  + e.getMessage()
                  + "; track "
                  + trackName
                  + " counts as failing until its interface changes");
          return false;
        }
      }
    }
    return false;
  }

  VipDefinition definition() {
    return definition;
  }

  int vrid() {
    return definition.vrid();
  }

  String name() {
    return definition.name();
  }

  boolean attached() {
    return vrrp != null;
  }

  /**
   * Attaches to the interface if it exists and has the address we advertise from; otherwise stays
   * in FAULT with the reason. Safe to call repeatedly.
   */
  void tryAttach(List<Link> links, List<InterfaceAddress> addresses) {
    if (attached() || stopped) {
      return;
    }
    Optional<Link> found = InterfaceResolver.resolve(definition, links, addresses);
    if (found.isEmpty()) {
      detached(
          FaultReason.INTERFACE_MISSING,
          definition.interfaceName() != null
              ? "interface " + definition.interfaceName() + (vanished ? " vanished" : " not found")
              : "no interface has a subnet containing "
                  + definition.addresses().get(0).address().getHostAddress());
      return;
    }
    Link l = found.get();
    Optional<InetAddress> primary = InterfaceResolver.primaryAddress(definition, l, addresses);
    if (primary.isEmpty()) {
      detached(
          FaultReason.NO_OWN_ADDRESS,
          definition.ipv6()
              ? "no usable link-local IPv6 address on " + l.name()
              : "no IPv4 address of its own on " + l.name());
      return;
    }
    try {
      agent.removeLeftovers(definition);
      attach(l, primary.get(), links, addresses);
    } catch (NativeException | RuntimeException e) {
      closeAttachment();
      detached(FaultReason.DATA_PLANE_ERROR, "cannot run on " + l.name() + ": " + e.getMessage());
    }
  }

  private void attach(
      Link l, InetAddress primary, List<Link> links, List<InterfaceAddress> addresses)
      throws NativeException {
    vanished = false;
    link = l;
    linkTrack = "link " + l.name();
    InstanceConfig config = instanceConfig(primary, unicastPeers(addresses));
    encoder = new AdvertisementEncoder(config);
    sockets = agent.joinSocket(this, l.name(), definition.ipv6(), primary);
    addRequests = new Rtnetlink.AddRequest[definition.addresses().size()];
    for (int i = 0; i < addRequests.length; i++) {
      AddressPrefix p = definition.addresses().get(i);
      addRequests[i] = agent.netlink().prepareAdd(l, p.address(), p.prefixLength());
    }
    announcer = new AddressAnnouncer(l);
    announcements =
        new AnnouncementSchedule(agent.loop(), announcer, AnnouncePolicy.KEEPALIVED_DEFAULTS);
    vrrp = new VrrpInstance(config);
    long now = agent.loop().nowNanos();
    vrrp.trackChanged(linkTrack, l.usable(), now, this);
    for (VipDefinition.InterfaceTrack t : definition.tracks()) {
      vrrp.trackChanged(trackName(t.interfaceName()), usable(t.interfaceName(), links), now, this);
    }
    for (int i = 0; i < externalHealthy.length; i++) {
      vrrp.trackChanged(definition.externalTracks().get(i).name(), externalHealthy[i], now, this);
    }
    log(
        System.Logger.Level.INFO,
        "running on "
            + l.name()
            + " (vrid "
            + vrid()
            + ", priority "
            + definition.priority()
            + ", from "
            + primary.getHostAddress()
            + ")");
    vrrp.startup(now, this);
    if (stepDownRequested) {
      vrrp.stepDown(STEP_DOWN_HOLD, "step-down requested", now, this);
    }
    rearm();
  }

  private List<InetAddress> unicastPeers(List<InterfaceAddress> localAddresses) {
    // One file may serve every node with the full peer list (keepalived needs one per node): skip
    // ourselves.
    List<InetAddress> peers = new ArrayList<>(definition.unicastPeers());
    for (InterfaceAddress local : localAddresses) {
      peers.remove(local.address());
    }
    return peers;
  }

  private InstanceConfig instanceConfig(InetAddress primary, List<InetAddress> peers) {
    List<InetAddress> virtualAddresses = new ArrayList<>();
    for (AddressPrefix p : definition.addresses()) {
      virtualAddresses.add(p.address());
    }
    InstanceConfig.Builder b =
        InstanceConfig.builder(
                definition.vrid(), primary, virtualAddresses.toArray(new InetAddress[0]))
            .version(definition.version() == 2 ? VrrpVersion.V2 : VrrpVersion.V3)
            .priority(definition.priority())
            .advertIntervalCentis(definition.advertIntervalCentis())
            .preempt(definition.preempt())
            .preemptDelay(definition.preemptDelay())
            .unicastPeers(peers)
            .track(linkTrack, 0);
    if (definition.password() != null) {
      b.authentication(
          Authentication.simplePassword(
              new String(definition.password(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    for (VipDefinition.InterfaceTrack t : definition.tracks()) {
      b.track(trackName(t.interfaceName()), t.weight());
    }
    for (VipDefinition.ExternalTrack t : definition.externalTracks()) {
      b.track(t.name(), t.weight());
    }
    return b.build();
  }

  /** Whether a tracked interface exists and is usable (absent counts as failing). */
  private static boolean usable(String interfaceName, List<Link> links) {
    return InterfaceResolver.byName(interfaceName, links).map(Link::usable).orElse(false);
  }

  /** Logs {@code message} as this instance's: every line starts with its name. */
  private void log(System.Logger.Level level, String message) {
    agent.log().log(level, name() + " " + message);
  }

  private static String trackName(String interfaceName) {
    return "interface " + interfaceName;
  }

  /**
   * The interface vanished (or the agent stops): leave, close the sockets, report FAULT with {@code
   * reason}.
   */
  void detach(FaultReason code, String reason) {
    if (attached()) {
      long now = agent.loop().nowNanos();
      // As a weight-0 track failure: a master sends priority 0 (if it still can) and removes its
      // addresses.
      vrrp.trackChanged(linkTrack, false, now, this);
      removeAddresses();
    }
    closeAttachment();
    detached(code, reason);
  }

  private void detached(FaultReason code, String reason) {
    detachedCode = code;
    if (!reason.equals(detachedReason)) {
      log(System.Logger.Level.WARNING, "FAULT: " + reason);
      detachedSinceNanos = agent.loop().nowNanos();
    }
    detachedReason = reason;
  }

  private void closeAttachment() {
    timer.cancel();
    if (announcements != null) {
      announcements.close();
    }
    if (announcer != null) {
      announcer.close();
    }
    if (sockets != null) {
      agent.leaveSocket(this, sockets);
    }
    vrrp = null;
    encoder = null;
    sockets = null;
    announcer = null;
    announcements = null;
    addRequests = null;
    link = null;
  }

  /**
   * A link changed or vanished: the main interface's state is a weight-0 track, others are weighted
   * tracks.
   */
  void linkChanged(Link changed, boolean removed) {
    if (!attached()) {
      return;
    }
    long now = agent.loop().nowNanos();
    if (changed.index() == link.index()) {
      if (removed) {
        vanished = true;
        detach(FaultReason.INTERFACE_MISSING, "interface " + link.name() + " vanished");
        return;
      }
      vrrp.trackChanged(linkTrack, changed.usable(), now, this);
    }
    for (VipDefinition.InterfaceTrack t : definition.tracks()) {
      if (t.interfaceName().equals(changed.name())) {
        vrrp.trackChanged(trackName(t.interfaceName()), !removed && changed.usable(), now, this);
      }
    }
    rearm();
  }

  /**
   * @param now when the advert arrived ({@link EventLoop#arrivalNanos}): its timers run from then
   */
  void receive(ReceivedAdvertisement advertisement, long now) {
    State before = vrrp.state();
    long masterChanges = vrrp.masterChanges();
    Verdict verdict = vrrp.receive(advertisement, now, this);
    if (vrrp.state() == before
        && vrrp.masterChanges() != masterChanges
        && now - lastMasterChangeReportNanos >= vrrp.masterDownInterval().toNanos()) {
      // No transition, but who is master changed (a backup heard its first or a new master): worth
      // a report. At most once per Master_Down_Interval: a backup between two masters of a split
      // brain flips per advert, and the periodic reports carry the latest anyway.
      lastMasterChangeReportNanos = now;
      agent.transitioned(this, before, before, vrrp.status().lastTransitionReason());
    }
    // A master that yields to a better one sends nothing (RFC 5798 §6.4.3; keepalived neither): the
    // core removed the addresses. A priority-0 advert here would tell every backup that no master
    // is left, and one that hears us but not the winner's next advert within its Skew_Time would
    // take over: a new split brain.
    if (before == State.MASTER && verdict.accepted() && vrrp.state() == State.MASTER) {
      splitBrainEnding(advertisement, now);
    }
    rearm();
  }

  /**
   * Only masters send adverts, so an advert heard while we stay master (a lower one, or one giving
   * up with priority 0) means there were two masters: a split brain that ends now, in our favour
   * (the core answered with our own advert, the other side yields). Hosts and switches may have
   * learned the other master's MAC meanwhile, so announce again; at most once per
   * Master_Down_Interval however long the other side keeps talking.
   */
  private void splitBrainEnding(ReceivedAdvertisement advertisement, long now) {
    if (now - lastReannounceNanos < vrrp.masterDownInterval().toNanos()) {
      return;
    }
    lastReannounceNanos = now;
    log(
        System.Logger.Level.WARNING,
        "MASTER: other master "
            + advertisement.sourceAddress().getHostAddress()
            + " (priority "
            + advertisement.priority()
            + ") heard; we stay master and announce our addresses again");
    announceAddresses();
  }

  private void onTimer() {
    if (attached()) {
      long now = agent.loop().nowNanos();
      long late = now - vrrp.nextDeadlineNanos();
      boolean advertising = vrrp.state() == State.MASTER;
      vrrp.timerFired(now, this);
      if (advertising && late > vrrp.config().advertIntervalCentis() * NANOS_PER_CENTI) {
        // Backups take over after Master_Down_Interval of silence; a stall this long brings them a
        // whole interval closer, and is the likely cause if one of them does.
        log(
            System.Logger.Level.WARNING,
            "MASTER: advertisement sent "
                + late / 1_000_000
                + " ms late (this process"
                + " was stalled: CPU starvation, a GC pause or a suspended VM)");
      }
      rearm();
    }
  }

  private void rearm() {
    if (vrrp == null) {
      timer.cancel();
    } else {
      timer.armAt(vrrp.nextDeadlineNanos());
    }
  }

  /**
   * The operator asks this node not to be master (to end a split brain) until the request is
   * withdrawn. A master removes its addresses at once without a priority-0 advert (see {@link
   * VrrpInstance#stepDown}: the operator keeps another master); a backup follows any master it
   * hears. The core still takes over when it hears no master for a Master_Down_Interval, because
   * the address must stay reachable.
   */
  void stepDown(boolean requested) {
    if (requested == stepDownRequested) {
      return;
    }
    stepDownRequested = requested;
    if (!attached()) {
      return;
    }
    long now = agent.loop().nowNanos();
    if (requested) {
      vrrp.stepDown(STEP_DOWN_HOLD, "step-down requested", now, this);
    } else if (vrrp.state() != State.MASTER) {
      // A zero hold ends the hold at once; only a master would step down again, so masters are left
      // alone.
      vrrp.stepDown(Duration.ZERO, "step-down withdrawn", now, this);
    }
    rearm();
  }

  /**
   * An external track's health, reported by whoever checks it. A report for a track this definition
   * does not have (from a check of the definition it replaced, still in flight) is ignored.
   */
  void externalTrackChanged(String trackName, boolean healthy) {
    for (int i = 0; i < externalHealthy.length; i++) {
      if (definition.externalTracks().get(i).name().equals(trackName)) {
        externalHealthy[i] = healthy;
        if (attached()) {
          vrrp.trackChanged(trackName, healthy, agent.loop().nowNanos(), this);
          rearm();
        }
        return;
      }
    }
  }

  /** SIGTERM: a master sends priority 0 and removes its addresses (the core's Shutdown event). */
  void shutdown() {
    // Our own address removals come back as netlink events; they must not restart a stopped
    // instance.
    stopped = true;
    if (attached()) {
      vrrp.shutdown(agent.loop().nowNanos(), this);
      removeAddresses();
    }
    closeAttachment();
    agent.loop().removeTimer(timer);
    detachedReason = "stopped";
  }

  // ------------------------------------------------------------------ Actions

  @Override
  public void sendAdvertisement(int priority) {
    for (int i = 0; i < encoder.destinationCount(); i++) {
      tx.clear();
      encoder.encode(priority, i, tx);
      tx.flip();
      try {
        sockets.socket().send(tx, encoder.destination(i));
        lastSendError = null;
      } catch (NativeException e) {
        // Logged when the error changes, not per advert: a dead link would otherwise flood the log.
        if (!e.getMessage().equals(lastSendError)) {
          lastSendError = e.getMessage();
          log(System.Logger.Level.WARNING, "cannot send advertisement: " + e.getMessage());
        }
      }
    }
  }

  @Override
  public void addAddresses() {
    for (int i = 0; i < addRequests.length; i++) {
      AddressPrefix p = definition.addresses().get(i);
      try {
        if (agent.netlink().add(addRequests[i])) {
          added.add(p);
        } else {
          log(
              System.Logger.Level.INFO,
              p + " was already on " + link.name() + "; not ours, so it will not be removed");
        }
      } catch (NativeException e) {
        log(
            System.Logger.Level.WARNING,
            "cannot add " + p + " to " + link.name() + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void removeAddresses() {
    if (announcements != null) {
      announcements.cancel();
    }
    for (AddressPrefix p : added) {
      try {
        agent
            .netlink()
            .removeAddress(link == null ? 0 : link.index(), p.address(), p.prefixLength());
      } catch (NativeException e) {
        log(System.Logger.Level.WARNING, "cannot remove " + p + ": " + e.getMessage());
      }
    }
    added.clear();
  }

  @Override
  public void announceAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    for (AddressPrefix p : definition.addresses()) {
      addresses.add(p.address());
    }
    announcements.start(addresses);
  }

  @Override
  public void stateChanged(State from, State to, String reason) {
    log(System.Logger.Level.INFO, from + " -> " + to + ": " + reason);
    transitions.merge(
        new InstanceMetrics.Transition(from.name(), to.name(), vrrp.lastTransitionCause()),
        1L,
        Long::sum);
    if (from == State.MASTER && announcements != null) {
      announcements.cancel();
    }
    agent.transitioned(this, from, to, reason);
  }

  // ------------------------------------------------------------------ status

  /** A snapshot for the metrics endpoint; loop thread. */
  InstanceMetrics metrics() {
    return new InstanceMetrics(
        report(), Map.copyOf(transitions), vrrp == null ? 0 : vrrp.counters().masterDownExpiries());
  }

  /** A snapshot for the control socket; loop thread. */
  InstanceReport report() {
    InstanceStatus status = vrrp == null ? null : vrrp.status();
    return new InstanceReport(
        definition,
        link == null ? definition.interfaceName() : link.name(),
        encoder == null ? null : encoder.config().primaryAddress().getHostAddress(),
        status,
        status == null ? detachedReason : status.lastTransitionReason(),
        announcements == null ? 0 : announcements.sent(),
        status == null ? detachedSinceNanos : status.lastTransitionNanos(),
        agent.loop().nowNanos(),
        status == null ? detachedCode : null);
  }
}
