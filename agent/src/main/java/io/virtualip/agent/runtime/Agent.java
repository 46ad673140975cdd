package io.virtualip.agent.runtime;

import io.virtualip.agent.control.ControlServer;
import io.virtualip.agent.dataplane.EventLoop;
import io.virtualip.agent.dataplane.InterfaceAddress;
import io.virtualip.agent.dataplane.Link;
import io.virtualip.agent.dataplane.LinkMonitor;
import io.virtualip.agent.dataplane.NativeException;
import io.virtualip.agent.dataplane.Rtnetlink;
import io.virtualip.agent.dataplane.VrrpSocket;
import io.virtualip.agent.spec.ConfigException;
import io.virtualip.agent.spec.VipDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The standalone agent: every configured virtual IP as an {@link InstanceRunner} on one {@link
 * EventLoop}, with rtnetlink for addresses, a {@link LinkMonitor} for interface changes and a
 * {@link ControlServer} for status.
 *
 * <p>Lifecycle: {@link #start} checks that every virtual IP has its interface and opens the control
 * socket, then starts the instances, each of which first removes what a crashed predecessor left of
 * its own addresses (marked as the agent's; another agent's addresses on the same node are never
 * touched); {@link #stop} is the SIGTERM path (priority 0 from every master, addresses removed).
 * All sockets are opened in the network namespace of the thread that calls {@link #start}, which is
 * also the namespace the loop thread inherits.
 *
 * <p>Besides the file given at start, instances can be added, replaced and removed while running
 * ({@link #apply}, {@link #remove}), told to step down ({@link #stepDown}) and fed external track
 * health ({@link #trackChanged}): the seam a Kubernetes front end drives. Those calls (valid after
 * {@link #start}) return at once and run on the loop; changing one instance never touches another.
 */
public final class Agent {

  /**
   * Told on the loop thread after every state change, and when the master an instance follows
   * changes without one (then {@code from} equals {@code to}); must not block.
   */
  @FunctionalInterface
  public interface TransitionListener {
    void transitioned(String name, String from, String to, String reason, InstanceReport report);
  }

  private static final long STOP_BUDGET_MILLIS = 700;

  private final String node;
  private final List<VipDefinition> definitions;
  private final Path controlSocket;
  private final System.Logger log;
  private final Map<String, VrrpSocketGroup> sockets = new HashMap<>();
  private final Map<String, InstanceRunner> runners = new LinkedHashMap<>();
  private final List<TransitionListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * {@link #stop}'s work on the loop, built here: evaluating a lambda the first time links it (a
   * generated class), milliseconds in a JVM that has not run it yet, which would delay the
   * priority-0 adverts after SIGTERM.
   */
  private final java.util.concurrent.Callable<Void> shutdownRunners =
      () -> {
        for (InstanceRunner r : runners.values()) {
          r.shutdown();
        }
        return null;
      };

  /**
   * Null before {@link #start} and after {@link #stop}: calls then do nothing (a front end may
   * still call).
   */
  private volatile EventLoop loop;

  private Rtnetlink netlink;
  private LinkMonitor monitor;
  private ControlServer control;
  private HttpGetChecks httpChecks;

  /**
   * @param controlSocket path of the status socket, or null for none
   */
  public Agent(
      String node, List<VipDefinition> definitions, Path controlSocket, System.Logger log) {
    this.node = node;
    this.definitions = List.copyOf(definitions);
    this.controlSocket = controlSocket;
    this.log = log;
  }

  /**
   * @throws ConfigException when a virtual IP's interface does not exist (exit code 2 territory:
   *     the configuration does not fit this node)
   */
  public void start() throws ConfigException, IOException {
    loop = new EventLoop();
    try {
      startOnNewLoop();
    } catch (ConfigException | IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startOnNewLoop() throws ConfigException, IOException {
    netlink = new Rtnetlink();
    List<Link> links = netlink.links();
    List<InterfaceAddress> addresses = netlink.addresses();
    for (VipDefinition d : definitions) {
      if (InterfaceResolver.resolve(d, links, addresses).isEmpty()) {
        throw new ConfigException(
            d.interfaceName() != null
                ? d.origin()
                    + ": spec.interface: no interface named "
                    + d.interfaceName()
                    + " on this node"
                : d.origin()
                    + ": spec.interface: not set, and no interface has a subnet containing "
                    + d.addresses().get(0).address().getHostAddress());
      }
    }
    // Everything that can fail comes before the first address is touched: a start that fails (a bad
    // control socket, a netlink error) exits without having removed anything, live or left over.
    if (controlSocket != null) {
      try {
        control = new ControlServer(controlSocket, this::status);
      } catch (IOException e) {
        throw new ConfigException("--control-socket " + controlSocket + ": " + e.getMessage());
      }
    }
    httpChecks = new HttpGetChecks(this::trackChanged);
    monitor = new LinkMonitor(new LinkEvents());
    loop.register(monitor.fd(), monitor::drain);
    // Each runner removes what a crashed run left of its own addresses when it attaches
    // (removeLeftovers).
    for (VipDefinition d : definitions) {
      InstanceRunner runner = new InstanceRunner(d, this);
      runners.put(d.name(), runner);
      runner.tryAttach(links, addresses);
    }
    loop.start("vrrp-loop");
    // One hand-over now, so that stop (SIGTERM) finds EventLoop.submit's lambda linked and its
    // classes loaded: first done there, that work would delay the priority-0 adverts.
    onLoop(() -> null);
    for (VipDefinition d : definitions) {
      httpChecks.apply(d);
    }
  }

  /**
   * Removes the addresses of {@code definition} that a crashed run left on this node (they carry
   * the agent's mark), before its instance starts. Only its own: another agent on this node (a
   * second placement that selects it) runs other virtual IPs, and its addresses are live.
   */
  void removeLeftovers(VipDefinition definition) throws NativeException {
    List<InetAddress> ours = new ArrayList<>();
    for (io.virtualip.agent.spec.AddressPrefix p : definition.addresses()) {
      ours.add(p.address());
    }
    for (InterfaceAddress stale : netlink.removeOwnedAddresses(ours)) {
      log.log(
          System.Logger.Level.INFO,
          "removed "
              + stale.address().getHostAddress()
              + "/"
              + stale.prefixLength()
              + " left behind by a previous run");
    }
  }

  /** The status JSON (see {@link StatusJson}), read on the loop thread. */
  public String status() {
    return onLoop(
        () -> {
          List<InstanceReport> reports = new ArrayList<>();
          for (InstanceRunner r : runners.values()) {
            reports.add(r.report());
          }
          return StatusJson.render(node, reports);
        });
  }

  /**
   * What the metrics endpoint reads, per instance, taken on the loop thread; empty when not
   * running.
   */
  public List<InstanceMetrics> metrics() {
    if (loop == null) {
      return List.of();
    }
    return onLoop(
        () -> {
          List<InstanceMetrics> out = new ArrayList<>();
          for (InstanceRunner r : runners.values()) {
            out.add(r.metrics());
          }
          return out;
        });
  }

  /** This agent's node name. */
  public String node() {
    return node;
  }

  /** One instance's report, taken on the loop thread; empty if no instance has that name. */
  public Optional<InstanceReport> snapshot(String name) {
    if (loop == null) {
      return Optional.empty();
    }
    return onLoop(
        () -> {
          InstanceRunner r = runners.get(name);
          return Optional.ofNullable(r == null ? null : r.report());
        });
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> work) {
    EventLoop l = loop;
    if (l == null) {
      throw new IllegalStateException("agent is not running");
    }
    try {
      return l.submit(work).get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("event loop did not answer: " + e);
    }
  }

  public void addListener(TransitionListener listener) {
    listeners.add(listener);
  }

  /**
   * Starts {@code definition}'s instance, or changes the running one of that name when the
   * definition differs (equal definitions are left alone). A change of priority, preempt, preempt
   * delay, advertisement interval, password or tracks is applied in place ({@link
   * InstanceRunner#reconfigure}): the instance keeps its state and the address stays held. Any
   * other change (interface, addresses, VRID, version, unicast peers) replaces the instance: a
   * master hands over with priority 0 first. A replacement keeps the step-down request and, where
   * the external tracks are the same, their reported health.
   */
  public void apply(VipDefinition definition) {
    post(
        () -> {
          InstanceRunner previous = runners.get(definition.name());
          if (previous != null && previous.definition().equals(definition)) {
            return;
          }
          if (previous != null && previous.reconfigure(definition)) {
            httpChecks.apply(definition);
            return;
          }
          InstanceRunner runner = new InstanceRunner(definition, this);
          if (previous != null) {
            runner.inherit(previous);
            previous.shutdown();
          }
          runners.put(definition.name(), runner);
          try {
            runner.tryAttach(netlink.links(), netlink.addresses());
          } catch (NativeException e) {
            log.log(
                System.Logger.Level.WARNING,
                definition.name() + " cannot read interfaces: " + e.getMessage());
          }
          httpChecks.apply(definition);
        });
  }

  /** Stops an instance (a master sends priority 0 and removes its addresses first). */
  public void remove(String name) {
    post(
        () -> {
          InstanceRunner runner = runners.remove(name);
          httpChecks.stop(name);
          if (runner != null) {
            runner.shutdown();
          }
        });
  }

  /** While {@code requested}, the instance must not be master (the operator ends a split brain). */
  public void stepDown(String name, boolean requested) {
    post(
        () -> {
          InstanceRunner runner = runners.get(name);
          if (runner != null) {
            runner.stepDown(requested);
          }
        });
  }

  /** The health of the instance's external track {@code trackName} changed. */
  public void trackChanged(String name, String trackName, boolean healthy) {
    post(
        () -> {
          InstanceRunner runner = runners.get(name);
          if (runner != null) {
            runner.externalTrackChanged(trackName, healthy);
          }
        });
  }

  /**
   * Runs {@code work} on the loop; dropped when the agent is not running (stopped, or not started
   * yet).
   */
  private void post(Runnable work) {
    EventLoop l = loop;
    if (l != null) {
      l.execute(work);
    }
  }

  void transitioned(
      InstanceRunner runner,
      io.virtualip.agent.vrrp.State from,
      io.virtualip.agent.vrrp.State to,
      String reason) {
    if (listeners.isEmpty()) {
      return;
    }
    InstanceReport report = runner.report();
    for (TransitionListener l : listeners) {
      try {
        l.transitioned(runner.name(), from.name(), to.name(), reason, report);
      } catch (RuntimeException e) {
        log.log(System.Logger.Level.ERROR, "transition listener failed: " + e);
      }
    }
  }

  /** The loop thread, e.g. to measure its allocations. */
  public Thread loopThread() {
    return loop.thread();
  }

  /**
   * SIGTERM: masters send priority 0 and remove their addresses; then everything is closed.
   * Idempotent.
   */
  public synchronized void stop() {
    if (loop == null) {
      return;
    }
    try {
      loop.submit(shutdownRunners).get(STOP_BUDGET_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.log(System.Logger.Level.WARNING, "shutdown incomplete: " + e);
    }
    close();
  }

  private void close() {
    if (loop == null) {
      return;
    }
    if (control != null) {
      control.close();
    }
    if (httpChecks != null) {
      httpChecks.close();
    }
    loop.close();
    for (VrrpSocketGroup group : sockets.values()) {
      group.close();
    }
    sockets.clear();
    if (monitor != null) {
      monitor.close();
    }
    if (netlink != null) {
      netlink.close();
    }
    loop = null;
  }

  // ---------------------------------------------------------------- for the runners (loop thread)

  EventLoop loop() {
    return loop;
  }

  Rtnetlink netlink() {
    return netlink;
  }

  System.Logger log() {
    return log;
  }

  /** The shared socket for this interface, family and source address, opened on first use. */
  VrrpSocketGroup joinSocket(
      InstanceRunner runner, String interfaceName, boolean ipv6, InetAddress source)
      throws NativeException {
    String key = interfaceName + "/" + source.getHostAddress();
    VrrpSocketGroup group = sockets.get(key);
    if (group == null) {
      group = new VrrpSocketGroup(VrrpSocket.open(interfaceName, ipv6, source), loop);
      sockets.put(key, group);
      loop.register(group.socket().fd(), group::onReadable);
    }
    group.add(runner);
    return group;
  }

  void leaveSocket(InstanceRunner runner, VrrpSocketGroup group) {
    if (group.remove(runner)) {
      loop.unregister(group.socket().fd());
      sockets.values().remove(group);
      group.close();
    }
  }

  /** Kernel link/address events, on the loop thread. */
  private final class LinkEvents implements LinkMonitor.Listener {

    @Override
    public void linkChanged(Link link, boolean removed) {
      for (InstanceRunner r : runners.values()) {
        r.linkChanged(link, removed);
      }
      attachDetached();
    }

    @Override
    public void addressChanged(InterfaceAddress address, boolean removed) {
      attachDetached();
    }

    @Override
    public void eventsLost() {
      log.log(System.Logger.Level.WARNING, "netlink events were lost; re-reading links");
      try {
        for (Link link : netlink.links()) {
          for (InstanceRunner r : runners.values()) {
            r.linkChanged(link, false);
          }
        }
      } catch (NativeException e) {
        log.log(System.Logger.Level.WARNING, "cannot re-read links: " + e.getMessage());
      }
      attachDetached();
    }

    /**
     * An interface (or its address) may have come back: retry every instance that is not running.
     */
    private void attachDetached() {
      boolean anyDetached = false;
      for (InstanceRunner r : runners.values()) {
        anyDetached |= !r.attached();
      }
      if (!anyDetached) {
        return;
      }
      try {
        List<Link> links = netlink.links();
        List<InterfaceAddress> addresses = netlink.addresses();
        for (InstanceRunner r : runners.values()) {
          r.tryAttach(links, addresses);
        }
      } catch (NativeException e) {
        log.log(System.Logger.Level.WARNING, "cannot read interfaces: " + e.getMessage());
      }
    }
  }
}
