package io.virtualip.agent.vrrp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * One virtual router: the state machine of RFC 5798 §6.4 (which also covers RFC 3768 §6.4), plus
 * keepalived's FAULT state, track weights and preempt delay, and an operator "step down" request.
 *
 * <p>The instance is passive and single-threaded: the caller feeds it events with the current time
 * of a monotonic clock ({@code nowNanos}, e.g. {@link System#nanoTime()} or a simulator's virtual
 * clock) and an {@link Actions} sink that receives what to do. It never reads a clock, sleeps or
 * does I/O. Between events the caller sleeps until {@link #nextDeadlineNanos()} and then calls
 * {@link #timerFired}.
 *
 * <p>Steady state allocates nothing: a master's periodic {@link #timerFired} and a backup's {@link
 * #receive} of the master's advert only do arithmetic, counting and {@link
 * Actions#sendAdvertisement}. Strings are built only for state changes.
 */
public final class VrrpInstance {
  static final long NANOS_PER_CENTI = 10_000_000L;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long NEVER = Long.MAX_VALUE;
  private static final long UNSET = Long.MIN_VALUE;

  /** Replaced by {@link #reconfigure}, which keeps everything that identifies the router. */
  private InstanceConfig config;

  private AdvertisementValidator validator;
  private final Counters counters = new Counters();
  private final PeerTable peers;
  private final byte[] primary;
  private final int addressLength;
  private boolean[] trackHealthy;

  private State state = State.INITIALIZE;
  private int effectivePriority;
  private int masterAdverIntervalCentis;

  /** RFC 5798 §6.2 Adver_Timer, as an absolute deadline; NEVER when not running. */
  private long adverTimer = NEVER;

  /** RFC 5798 §6.2 Master_Down_Timer, as an absolute deadline; NEVER when not running. */
  private long masterDownTimer = NEVER;

  private final byte[] masterAddress = new byte[16];
  private long masterChanges;
  private boolean masterKnown;
  private int masterPriority = -1;
  private long masterLastHeard = UNSET;

  /**
   * Since when a backup has been accepting a lower-priority master only because of preempt delay.
   */
  private long preemptPendingSince = UNSET;

  /**
   * The master we follow has lower priority and we are discarding its adverts to take over
   * (§6.4.2).
   */
  private boolean preemptingMaster;

  /** Until when an operator step-down suspends preemption. */
  private long stepDownUntil = UNSET;

  /**
   * When a master last answered another router's advert at once (see {@link #answerAtOnce}); UNSET
   * for never.
   */
  private long lastAnswerNanos = UNSET;

  private String lastTransitionReason = "";
  private TransitionCause lastTransitionCause;
  private long lastTransitionNanos = UNSET;

  public VrrpInstance(InstanceConfig config) {
    this.config = config;
    this.validator = new AdvertisementValidator(config);
    this.peers = new PeerTable(config.family());
    this.primary = config.primaryAddress().getAddress();
    this.addressLength = primary.length;
    this.trackHealthy = new boolean[config.tracks().size()];
    Arrays.fill(trackHealthy, true);
    this.effectivePriority = computeEffectivePriority();
    this.masterAdverIntervalCentis = config.advertIntervalCentis();
  }

  // ---------------------------------------------------------------- timers (RFC 5798 §6.1)

  /**
   * Skew_Time: v3 {@code ((256 - Priority) * Master_Adver_Interval) / 256} (RFC 5798 §6.1), v2
   * {@code (256 - Priority) / 256} seconds (RFC 3768 §6.1). Priority is our effective priority, so
   * higher-priority backups time out first.
   */
  public Duration skewTime() {
    return Duration.ofNanos(skewNanos());
  }

  /** Master_Down_Interval: {@code 3 * Master_Adver_Interval + Skew_Time} (RFC 5798 §6.1). */
  public Duration masterDownInterval() {
    return Duration.ofNanos(masterDownNanos());
  }

  private long skewNanos() {
    long headroom = 256 - effectivePriority;
    if (config.version() == VrrpVersion.V2) {
      return headroom * NANOS_PER_SECOND / 256;
    }
    return headroom * masterAdverIntervalCentis * NANOS_PER_CENTI / 256;
  }

  private long masterDownNanos() {
    return 3 * masterAdverIntervalCentis * NANOS_PER_CENTI + skewNanos();
  }

  private long advertisementIntervalNanos() {
    return config.advertIntervalCentis() * NANOS_PER_CENTI;
  }

  /** When {@link #timerFired} must next be called; {@link Long#MAX_VALUE} when no timer runs. */
  public long nextDeadlineNanos() {
    switch (state) {
      case MASTER:
        return adverTimer;
      case BACKUP:
        return masterDownTimer;
      default:
        return NEVER;
    }
  }

  // ---------------------------------------------------------------- events

  /** RFC 5798 §6.4.1: the Startup event. Ignored unless in INITIALIZE. */
  public void startup(long nowNanos, Actions actions) {
    if (state != State.INITIALIZE) {
      return;
    }
    String failing = failingFaultTrack();
    if (failing != null) {
      transition(
          State.FAULT,
          "track " + failing + " is failing (weight 0)",
          TransitionCause.TRACK,
          nowNanos,
          actions);
      return;
    }
    leaveInitialize("startup", TransitionCause.STARTUP, nowNanos, actions);
  }

  /** RFC 5798 §6.4.1 after Startup, also used when FAULT clears. */
  private void leaveInitialize(String why, TransitionCause cause, long nowNanos, Actions actions) {
    if (effectivePriority == InstanceConfig.OWNER_PRIORITY) {
      State from = takeOver(nowNanos, actions);
      becameMaster(from, why + " as address owner (priority 255)", cause, nowNanos, actions);
    } else {
      masterAdverIntervalCentis = config.advertIntervalCentis();
      masterDownTimer = nowNanos + masterDownNanos();
      transition(State.BACKUP, why, cause, nowNanos, actions);
    }
  }

  /**
   * A received packet, wrapped in {@code adv}: validated, counted, recorded in the peer table, and,
   * when accepted, applied per RFC 5798 §6.4.2 (Backup) or §6.4.3 (Master).
   *
   * @return the verdict, so the data plane can log rejections it finds interesting
   */
  public Verdict receive(ReceivedAdvertisement adv, long nowNanos, Actions actions) {
    Verdict verdict = validator.check(adv);
    counters.increment(verdict);
    if (verdict.fromPeer()) {
      peers.record(
          adv.sourceShared(),
          verdict,
          verdict.accepted() ? adv.priority() : -1,
          verdict.accepted() ? adv.intervalCentis() : 0,
          nowNanos);
    }
    if (!verdict.accepted()) {
      return verdict;
    }
    int priority = adv.priority();
    if (priority == 0) {
      counters.priorityZeroReceived();
    }
    if (state == State.BACKUP) {
      receiveAsBackup(adv, priority, nowNanos);
    } else if (state == State.MASTER) {
      receiveAsMaster(adv, priority, nowNanos, actions);
    }
    return verdict;
  }

  private void receiveAsBackup(ReceivedAdvertisement adv, int priority, long nowNanos) {
    if (priority == 0) {
      // RFC 5798 §6.4.2: the master is leaving; take over after Skew_Time rather than
      // Master_Down_Interval.
      masterDownTimer = nowNanos + skewNanos();
      rememberMaster(adv.sourceShared(), 0, nowNanos);
      return;
    }
    boolean lowerPriority = priority < effectivePriority;
    if (!lowerPriority) {
      preemptPendingSince = UNSET;
    } else if (preempting(nowNanos)) {
      if (preemptPendingSince == UNSET) {
        preemptPendingSince = nowNanos;
      }
      // keepalived's preempt_delay: keep following the lower master until the delay has passed.
      if (nowNanos - preemptPendingSince >= config.preemptDelay().toNanos()) {
        // RFC 5798 §6.4.2: discard, so the Master_Down_Timer runs out and we take over.
        preemptingMaster = true;
        rememberMaster(adv.sourceShared(), priority, nowNanos);
        return;
      }
    }
    preemptingMaster = false;
    if (config.version() == VrrpVersion.V3) {
      masterAdverIntervalCentis =
          adv.intervalCentis(); // RFC 5798 §6.4.2: learn the master's interval.
    }
    masterDownTimer = nowNanos + masterDownNanos();
    rememberMaster(adv.sourceShared(), priority, nowNanos);
  }

  private boolean preempting(long nowNanos) {
    return config.preempt() && nowNanos >= stepDownUntil;
  }

  private void receiveAsMaster(
      ReceivedAdvertisement adv, int priority, long nowNanos, Actions actions) {
    byte[] source = adv.sourceShared();
    if (priority == 0) {
      // RFC 5798 §6.4.3: another master is leaving; assert ourselves at once.
      answerAtOnce(nowNanos, actions);
      return;
    }
    boolean higherAddress =
        Arrays.compareUnsigned(source, 0, addressLength, primary, 0, addressLength) > 0;
    if (priority > effectivePriority || (priority == effectivePriority && higherAddress)) {
      if (config.version() == VrrpVersion.V3) {
        masterAdverIntervalCentis = adv.intervalCentis();
      }
      rememberMaster(source, priority, nowNanos);
      String why =
          priority > effectivePriority
              ? "higher priority master "
                  + format(source)
                  + " (priority "
                  + priority
                  + " > our "
                  + effectivePriority
                  + ")"
              : "master "
                  + format(source)
                  + " has equal priority "
                  + priority
                  + " and a higher address";
      becomeBackup(
          why, TransitionCause.BETTER_MASTER, nowNanos, nowNanos + masterDownNanos(), actions);
      return;
    }
    // RFC 5798 says discard. Like keepalived we answer at once, so a lower master (e.g. the other
    // side of a healed partition) yields now instead of one interval later.
    answerAtOnce(nowNanos, actions);
  }

  /**
   * A master's immediate answer to another router's advert (priority 0 or lower than ours), at most
   * one per Advertisement_Interval: otherwise every packet, forged ones included, would be
   * multiplied into one of ours. A suppressed answer costs at most one interval, after which the
   * periodic advert goes out anyway.
   */
  private void answerAtOnce(long nowNanos, Actions actions) {
    if (lastAnswerNanos != UNSET && nowNanos - lastAnswerNanos < advertisementIntervalNanos()) {
      return;
    }
    lastAnswerNanos = nowNanos;
    sendAdvertisement(effectivePriority, nowNanos, actions);
  }

  /** Expired timers: a master advertises (RFC 5798 §6.4.3), a backup takes over (§6.4.2). */
  public void timerFired(long nowNanos, Actions actions) {
    if (state == State.MASTER && nowNanos >= adverTimer) {
      sendAdvertisement(effectivePriority, nowNanos, actions);
    } else if (state == State.BACKUP && nowNanos >= masterDownTimer) {
      counters.masterDownExpired();
      if (nowNanos < stepDownUntil) {
        masterDownTimer = stepDownUntil; // see stepDown: silence does not end a hold
        return;
      }
      TransitionCause cause = masterDownCause();
      State from = takeOver(nowNanos, actions);
      becameMaster(from, masterDownReason(nowNanos), cause, nowNanos, actions);
    }
  }

  private TransitionCause masterDownCause() {
    if (masterKnown && masterPriority == 0) {
      return TransitionCause.MASTER_GAVE_UP;
    }
    return masterKnown && preemptingMaster ? TransitionCause.PREEMPT : TransitionCause.MASTER_DOWN;
  }

  private String masterDownReason(long nowNanos) {
    if (!masterKnown) {
      return "master down interval expired (no advert heard for "
          + seconds(nowNanos - lastTransitionNanos)
          + ")";
    }
    if (masterPriority == 0) {
      return "master " + format(masterAddress) + " gave up (priority 0), skew time expired";
    }
    if (preemptingMaster) {
      return "preempting lower priority master "
          + format(masterAddress)
          + " (priority "
          + masterPriority
          + " < our "
          + effectivePriority
          + ")";
    }
    return "master down interval expired (no advert from "
        + format(masterAddress)
        + " for "
        + seconds(nowNanos - masterLastHeard)
        + ")";
  }

  /**
   * A track's health changed. Recomputes the effective priority (a master re-advertises at once so
   * backups see the change) and enters or leaves FAULT for weight-0 tracks.
   *
   * @throws IllegalArgumentException for a name that is not in the configuration
   */
  public void trackChanged(String name, boolean healthy, long nowNanos, Actions actions) {
    int index = trackIndex(name);
    if (trackHealthy[index] == healthy) {
      return;
    }
    trackHealthy[index] = healthy;
    int before = effectivePriority;
    effectivePriority = computeEffectivePriority();
    String failing = failingFaultTrack();
    String what = "track " + name + (healthy ? " recovered" : " failed");
    if (failing != null && state != State.FAULT && state != State.INITIALIZE) {
      if (state == State.MASTER) {
        sendAdvertisement(0, nowNanos, actions);
        actions.removeAddresses();
      }
      stopTimers();
      transition(State.FAULT, what + " (weight 0)", TransitionCause.TRACK, nowNanos, actions);
    } else if (failing == null && state == State.FAULT) {
      leaveInitialize(what, TransitionCause.TRACK, nowNanos, actions);
    } else if (state == State.MASTER && before != effectivePriority) {
      sendAdvertisement(effectivePriority, nowNanos, actions);
    }
  }

  /**
   * Applies a changed configuration in place: priority, preempt, preempt delay, tracks (weights,
   * added, removed), advertisement interval and authentication. No state change of its own, no
   * address touched: the router keeps its state, timers and what it knows of the master, so a
   * VirtualIP edited while running does not leave the address unheld (a restart would go through
   * INITIALIZE, priority 0 and a new election).
   *
   * <p>What RFC 5798 makes of the new values: a priority (or interval) change reaches the other
   * routers with the next advert, so a master advertises at once when its effective priority or
   * interval changed (as for a track change); a backup compares the new priority with the master's
   * at its next advert (so a backup raised above the master preempts it, and a master lowered below
   * a preempting backup is preempted, in Master_Down_Interval). A v3 backup keeps the interval it
   * learned from the master (§6.4.2); the running Master_Down_Timer keeps its deadline and the next
   * advert re-arms it with the new Skew_Time. Tracks keep their health by name; a new track starts
   * with {@code newTrackHealthy} of its name. A weight-0 track that now fails faults the instance
   * as a track change would, and one that no longer fails brings it back.
   *
   * @throws IllegalArgumentException when {@code next} differs in what identifies the router (VRID,
   *     version, family, virtual addresses, primary address, unicast peers, checksum variant):
   *     those need a new instance
   */
  public void reconfigure(
      InstanceConfig next,
      java.util.function.Predicate<String> newTrackHealthy,
      long nowNanos,
      Actions actions) {
    if (!sameRouter(config, next)) {
      throw new IllegalArgumentException(
          "vrid "
              + config.vrid()
              + ": only priority, preempt, preempt delay,"
              + " tracks, advertisement interval and authentication change in place");
    }
    boolean[] health = new boolean[next.tracks().size()];
    for (int i = 0; i < health.length; i++) {
      String name = next.tracks().get(i).name();
      int old = trackIndexOrMinusOne(name);
      health[i] = old >= 0 ? trackHealthy[old] : newTrackHealthy.test(name);
    }
    int beforePriority = effectivePriority;
    int beforeInterval = config.advertIntervalCentis();
    config = next;
    validator = new AdvertisementValidator(next);
    trackHealthy = health;
    effectivePriority = computeEffectivePriority();
    if (next.version() == VrrpVersion.V2 || state != State.BACKUP || !masterKnown) {
      // v2 has no learned interval; a master's is its own; a backup that heard no one uses its own.
      masterAdverIntervalCentis = next.advertIntervalCentis();
    }
    String failing = failingFaultTrack();
    if (failing != null && state != State.FAULT && state != State.INITIALIZE) {
      if (state == State.MASTER) {
        sendAdvertisement(0, nowNanos, actions);
        actions.removeAddresses();
      }
      stopTimers();
      transition(
          State.FAULT,
          "reconfigured: track " + failing + " is failing (weight 0)",
          TransitionCause.TRACK,
          nowNanos,
          actions);
    } else if (failing == null && state == State.FAULT) {
      leaveInitialize("reconfigured", TransitionCause.TRACK, nowNanos, actions);
    } else if (state == State.MASTER) {
      masterPriority = effectivePriority; // we are the master we know of
      if (beforePriority != effectivePriority || beforeInterval != next.advertIntervalCentis()) {
        sendAdvertisement(effectivePriority, nowNanos, actions);
      }
    }
  }

  /**
   * Whether {@code a} and {@code b} describe the same virtual router, so one can replace the other
   * in place.
   */
  public static boolean sameRouter(InstanceConfig a, InstanceConfig b) {
    return a.vrid() == b.vrid()
        && a.version() == b.version()
        && a.family() == b.family()
        && a.virtualAddresses().equals(b.virtualAddresses())
        && a.primaryAddress().equals(b.primaryAddress())
        && a.unicastPeers().equals(b.unicastPeers())
        && a.oldUnicastChecksum() == b.oldUnicastChecksum();
  }

  /**
   * RFC 5798 §6.4.2/§6.4.3 Shutdown: a master sends priority 0 first so backups take over within
   * Skew_Time.
   */
  public void shutdown(long nowNanos, Actions actions) {
    if (state == State.INITIALIZE) {
      return;
    }
    if (state == State.MASTER) {
      sendAdvertisement(0, nowNanos, actions);
      actions.removeAddresses();
    }
    stopTimers();
    transition(State.INITIALIZE, "shutdown", TransitionCause.SHUTDOWN, nowNanos, actions);
  }

  /**
   * The operator asks us to stay out of MASTER for {@code hold}, to end a split brain it has seen
   * in the agents' reports. A master removes its addresses at once and becomes a backup, but sends
   * no priority-0 advert: this is a yield to a master the operator knows is there (the one VRRP
   * would elect), the transition for which RFC 5798 §6.4.3 sends nothing. Priority 0 means "no
   * master left, take over within Skew_Time" (shutdown): a backup that hears us but not that
   * master, which is what a split brain is made of, would take over and move the split brain
   * instead of ending it. Backups that hear the other master keep following it; those that hear no
   * one take over after Master_Down_Interval, as they would without us. During the hold we preempt
   * no one, so we follow whichever master we hear even if its priority is lower, and an expired
   * Master_Down_Timer does not make us master: hearing no one is exactly what a partitioned node
   * sees. The timer is deferred to the end of the hold, so if still no master is heard then, we
   * take over. The operator renews the hold while the split brain lasts, or ends it early with
   * {@link #cancelStepDown} (for example when the other master is gone).
   */
  public void stepDown(Duration hold, String reason, long nowNanos, Actions actions) {
    stepDownUntil = nowNanos + hold.toNanos();
    preemptPendingSince = UNSET;
    preemptingMaster = false;
    if (state == State.MASTER) {
      masterKnown = false; // we were our own master; nothing is known about the others yet
      becomeBackup(
          "step down requested: " + reason,
          TransitionCause.STEP_DOWN,
          nowNanos,
          nowNanos + masterDownNanos(),
          actions);
    }
  }

  /**
   * Ends a step-down hold now; a Master_Down_Timer deferred by it runs at most one more interval.
   */
  public void cancelStepDown(long nowNanos, Actions actions) {
    if (stepDownUntil == UNSET || nowNanos >= stepDownUntil) {
      return;
    }
    stepDownUntil = UNSET;
    if (state == State.BACKUP) {
      masterDownTimer = Math.min(masterDownTimer, nowNanos + masterDownNanos());
    }
  }

  /** Whether a step-down hold is in force at {@code nowNanos}. */
  public boolean steppedDown(long nowNanos) {
    return nowNanos < stepDownUntil;
  }

  // ---------------------------------------------------------------- transitions

  /**
   * Becoming master, in two steps. The failover lasts until the address answers, so the address is
   * added, advertised and announced first ({@link #takeOver}); the bookkeeping, the reason (string
   * formatting), the log line and the listeners (status snapshots, reports) come after ({@link
   * #becameMaster}). RFC 5798 §6.4.2 lists the transition to Master last, too. Between the steps
   * the instance still knows the master it gave up on, which the reason names.
   *
   * @return the state left
   */
  private State takeOver(long nowNanos, Actions actions) {
    State from = state;
    state = State.MASTER; // so that sendAdvertisement starts the Adver_Timer
    masterDownTimer = NEVER;
    actions.addAddresses();
    sendAdvertisement(effectivePriority, nowNanos, actions);
    actions.announceAddresses();
    return from;
  }

  private void becameMaster(
      State from, String why, TransitionCause cause, long nowNanos, Actions actions) {
    counters.becameMaster();
    preemptPendingSince = UNSET;
    preemptingMaster = false;
    // Before stateChanged: a status snapshot taken there must already name us as master.
    rememberMaster(primary, effectivePriority, nowNanos);
    enter(State.MASTER, why, cause, nowNanos);
    actions.stateChanged(from, State.MASTER, why);
  }

  private void becomeBackup(
      String why, TransitionCause cause, long nowNanos, long masterDownDeadline, Actions actions) {
    boolean wasMaster = state == State.MASTER;
    transition(State.BACKUP, why, cause, nowNanos, actions);
    adverTimer = NEVER;
    masterDownTimer = masterDownDeadline;
    if (wasMaster) {
      actions.removeAddresses();
    }
  }

  private void transition(
      State to, String why, TransitionCause cause, long nowNanos, Actions actions) {
    actions.stateChanged(enter(to, why, cause, nowNanos), to, why);
  }

  /** Records the new state without telling the data plane yet; returns the state left. */
  private State enter(State to, String why, TransitionCause cause, long nowNanos) {
    State from = state;
    state = to;
    lastTransitionReason = why;
    lastTransitionCause = cause;
    lastTransitionNanos = nowNanos;
    return from;
  }

  private void sendAdvertisement(int priority, long nowNanos, Actions actions) {
    actions.sendAdvertisement(priority);
    counters.advertSent(priority);
    if (state == State.MASTER) {
      adverTimer = nowNanos + advertisementIntervalNanos();
    }
  }

  /**
   * Leaving BACKUP/MASTER for FAULT or INITIALIZE: what we knew about timers and the master is
   * stale.
   */
  private void stopTimers() {
    adverTimer = NEVER;
    masterDownTimer = NEVER;
    preemptPendingSince = UNSET;
    preemptingMaster = false;
    masterKnown = false;
  }

  private void rememberMaster(byte[] address, int priority, long nowNanos) {
    if (!masterKnown
        || !Arrays.equals(masterAddress, 0, addressLength, address, 0, addressLength)) {
      masterChanges++;
    }
    System.arraycopy(address, 0, masterAddress, 0, addressLength);
    masterKnown = true;
    masterPriority = priority;
    masterLastHeard = nowNanos;
  }

  // ---------------------------------------------------------------- tracks

  /**
   * keepalived semantics: base priority plus healthy positive weights, minus failing negative
   * weights, clamped to 1..254 so tracking can neither claim ownership nor stop advertising. An
   * address owner (255) keeps 255: it owns the addresses whatever its tracks say (weight-0 tracks
   * still fault it).
   */
  private int computeEffectivePriority() {
    if (config.isAddressOwner()) {
      return InstanceConfig.OWNER_PRIORITY;
    }
    int p = config.priority();
    for (int i = 0; i < trackHealthy.length; i++) {
      p += config.tracks().get(i).priorityDelta(trackHealthy[i]);
    }
    return Math.max(1, Math.min(254, p));
  }

  private String failingFaultTrack() {
    for (int i = 0; i < trackHealthy.length; i++) {
      Track t = config.tracks().get(i);
      if (!trackHealthy[i] && t.faultsWhenFailing()) {
        return t.name();
      }
    }
    return null;
  }

  private int trackIndex(String name) {
    int i = trackIndexOrMinusOne(name);
    if (i < 0) {
      throw new IllegalArgumentException("unknown track " + name + " on vrid " + config.vrid());
    }
    return i;
  }

  private int trackIndexOrMinusOne(String name) {
    for (int i = 0; i < trackHealthy.length; i++) {
      if (config.tracks().get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- observation

  public InstanceConfig config() {
    return config;
  }

  public State state() {
    return state;
  }

  public int effectivePriority() {
    return effectivePriority;
  }

  /** Master_Adver_Interval in centiseconds (v3: learned from the current master). */
  public int masterAdverIntervalCentis() {
    return masterAdverIntervalCentis;
  }

  /** Who we believe is master; ourselves when MASTER; null before anyone was heard. Allocates. */
  public InetAddress masterAddress() {
    return masterKnown ? ReceivedAdvertisement.toInet(masterAddress, config.family()) : null;
  }

  /**
   * How often the master this instance knows of has changed (learned, replaced by another address,
   * or ourselves), so that a caller can report a backup that starts following a new master without
   * a state change.
   */
  public long masterChanges() {
    return masterChanges;
  }

  /**
   * Why the last state change happened, as a code; null before the first. Already set when {@link
   * Actions#stateChanged} is called.
   */
  public TransitionCause lastTransitionCause() {
    return lastTransitionCause;
  }

  public Counters counters() {
    return counters;
  }

  public PeerTable peers() {
    return peers;
  }

  /** A snapshot for status; call on the thread that drives the instance. */
  public InstanceStatus status() {
    return new InstanceStatus(
        config.vrid(),
        state,
        config.priority(),
        effectivePriority,
        masterAddress(),
        masterKnown ? masterPriority : -1,
        masterAdverIntervalCentis,
        lastTransitionReason,
        lastTransitionNanos,
        counters.snapshot(),
        peers.snapshot());
  }

  private String format(byte[] address) {
    return ReceivedAdvertisement.toInet(address, config.family()).getHostAddress();
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
  }

  @Override
  public String toString() {
    return "VrrpInstance[vrid="
        + config.vrid()
        + ", "
        + state
        + ", priority "
        + effectivePriority
        + "]";
  }
}
