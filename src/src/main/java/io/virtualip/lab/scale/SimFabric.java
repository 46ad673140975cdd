package io.virtualip.lab.scale;

import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.agent.spec.AddressPrefix;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.agent.vrrp.InstanceConfig;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import io.virtualip.agent.vrrp.State;
import io.virtualip.agent.vrrp.sim.SimRouter;
import io.virtualip.agent.vrrp.sim.SimulatedNetwork;
import io.virtualip.api.v1.NodeState;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scale lab's VRRP: one {@link SimulatedNetwork} (a segment on a virtual clock) per VirtualIP,
 * every node's instance a {@link SimRouter} running the real VRRP core, all driven in real time by
 * one thread so that a hundred nodes fit in one JVM. Virtual time is the wall time since the fabric
 * started; the thread runs every segment up to "now" about every millisecond. Each node gets an
 * {@link InstanceEngine} ({@link #node}) for its agent's Kubernetes glue; engine calls and lab
 * commands are queued to the thread, so the segments are only ever touched by it.
 */
final class SimFabric implements AutoCloseable {

  /** A router of {@code node} for VirtualIP {@code vip} changed state at {@code wallMillis}. */
  record Transition(String vip, String node, State from, State to, long wallMillis) {}

  private record Key(String vip, SimNode node) {}

  private static final Duration SNAPSHOT_REFRESH = Duration.ofMillis(500);

  private final long startNanos = System.nanoTime();
  private final long startWallMillis = System.currentTimeMillis();
  private final Map<String, SimulatedNetwork> networks = new HashMap<>();
  private final Map<SimRouter, Key> keys = new HashMap<>();
  private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private final List<Consumer<Transition>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, SimNode> nodes = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long seed = 1;

  SimFabric() {
    thread = new Thread(this::loop, "sim-fabric");
    thread.setDaemon(true);
    thread.start();
  }

  void onTransition(Consumer<Transition> listener) {
    listeners.add(listener);
  }

  /** The engine of node {@code name}, whose address on every segment is {@code address}. */
  InstanceEngine node(String name, String address) {
    return nodes.computeIfAbsent(name, n -> new SimNode(n, address));
  }

  /** The node dies: its routers stop at once, without a priority-0 advert (a SIGKILL). */
  void crash(String node) {
    call(
        () -> {
          SimNode n = nodes.get(node);
          n.dead = true;
          n.routers.values().forEach(SimRouter::crash);
          n.snapshots.clear();
          return null;
        });
  }

  /** Drops every advert between {@code a} and {@code b}, both ways, on every segment they share. */
  void cut(String a, String b) {
    call(
        () -> {
          SimNode na = nodes.get(a);
          SimNode nb = nodes.get(b);
          for (var e : na.routers.entrySet()) {
            SimRouter other = nb.routers.get(e.getKey());
            if (other != null) {
              networks.get(e.getKey()).block(e.getValue(), other);
              networks.get(e.getKey()).block(other, e.getValue());
            }
          }
          return null;
        });
  }

  void heal() {
    call(
        () -> {
          networks.values().forEach(SimulatedNetwork::heal);
          return null;
        });
  }

  /** For each VirtualIP, the nodes whose router is Master now. */
  Map<String, List<String>> masters() {
    return call(
        () -> {
          Map<String, List<String>> out = new HashMap<>();
          for (var e : keys.entrySet()) {
            if (!e.getValue().node().dead && e.getKey().state() == State.MASTER) {
              out.computeIfAbsent(e.getValue().vip(), v -> new ArrayList<>())
                  .add(e.getValue().node().name);
            }
          }
          return out;
        });
  }

  /** For each node, the VirtualIPs it runs. */
  Map<String, List<String>> instances() {
    return call(
        () -> {
          Map<String, List<String>> out = new HashMap<>();
          nodes.values().forEach(n -> out.put(n.name, new ArrayList<>(n.routers.keySet())));
          return out;
        });
  }

  private <T> T call(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    commands.add(
        () -> {
          try {
            result.complete(action.get());
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("simulated network did not answer: " + e, e);
    }
  }

  private long virtualNow() {
    return System.nanoTime() - startNanos;
  }

  private void loop() {
    long lastRefresh = 0;
    while (running) {
      long now = virtualNow();
      for (SimulatedNetwork network : networks.values()) {
        network.runUntil(now);
      }
      Runnable command;
      while ((command = commands.poll()) != null) {
        try {
          command.run();
        } catch (RuntimeException e) {
          System.err.println("scale: simulated network command failed: " + e);
        }
      }
      if (now - lastRefresh >= SNAPSHOT_REFRESH.toNanos()) {
        lastRefresh = now;
        for (var e : keys.entrySet()) {
          if (!e.getValue().node().dead) {
            e.getValue().node().refresh(e.getValue().vip(), e.getKey(), false);
          }
        }
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private SimulatedNetwork network(String vip) {
    return networks.computeIfAbsent(
        vip,
        v -> {
          SimulatedNetwork network = new SimulatedNetwork(seed++);
          network.onTransition(
              t -> {
                Key key = keys.get(t.router());
                if (key == null || key.node().dead) {
                  return;
                }
                key.node().refresh(key.vip(), t.router(), true);
                Transition out =
                    new Transition(
                        key.vip(),
                        key.node().name,
                        t.from(),
                        t.to(),
                        startWallMillis + t.atNanos() / 1_000_000);
                listeners.forEach(l -> l.accept(out));
              });
          return network;
        });
  }

  private Instant wall(long virtualNanos) {
    return Instant.ofEpochMilli(startWallMillis).plusNanos(virtualNanos);
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One node's engine: its routers, one per VirtualIP it runs. Routers are only touched on the
   * fabric's thread.
   */
  private final class SimNode implements InstanceEngine {
    private final String name;
    private final InetAddress address;
    private final Map<String, SimRouter> routers = new HashMap<>();
    private final Map<String, InstanceSnapshot> snapshots = new ConcurrentHashMap<>();
    private final Map<String, Instant> since = new HashMap<>();
    private final List<Listener> engineListeners = new CopyOnWriteArrayList<>();
    private volatile boolean dead;

    SimNode(String name, String address) {
      this.name = name;
      try {
        this.address = InetAddress.getByName(address);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(address, e);
      }
    }

    @Override
    public void apply(String vip, VipDefinition config) {
      commands.add(
          () -> {
            if (dead || routers.containsKey(vip)) {
              return; // the lab never changes a VirtualIP once created
            }
            SimulatedNetwork network = network(vip);
            network.runUntil(virtualNow());
            InetAddress[] addresses =
                config.addresses().stream().map(AddressPrefix::address).toArray(InetAddress[]::new);
            InstanceConfig c =
                InstanceConfig.builder(config.vrid(), address, addresses)
                    .priority(config.priority())
                    .advertIntervalCentis(config.advertIntervalCentis())
                    .preempt(config.preempt())
                    .build();
            SimRouter router = network.addRouter(c);
            keys.put(router, new Key(vip, this));
            routers.put(vip, router);
            router.startup();
            refresh(vip, router, true);
          });
    }

    @Override
    public void remove(String vip) {
      commands.add(
          () -> {
            SimRouter router = routers.remove(vip);
            if (router != null && !dead) {
              router.shutdown();
              keys.remove(router);
              snapshots.remove(vip);
            }
          });
    }

    @Override
    public void stepDown(String vip, boolean stepDown) {
      if (stepDown) {
        commands.add(
            () -> {
              SimRouter router = routers.get(vip);
              if (router != null && !dead) {
                router.stepDown(Duration.ofDays(1), "told to step down by the operator");
              }
            });
      }
    }

    @Override
    public void trackChanged(String vip, String trackName, boolean healthy) {
      // the lab's VirtualIPs have no tracks
    }

    @Override
    public void refuse(String vip, String problem) {
      remove(
          vip); // the lab's VirtualIPs are valid; a refusal stops the instance as the real engine
      // does
    }

    @Override
    public Optional<InstanceSnapshot> snapshot(String vip) {
      return Optional.ofNullable(snapshots.get(vip));
    }

    @Override
    public void addListener(Listener listener) {
      engineListeners.add(listener);
    }

    /**
     * On the fabric's thread: a fresh snapshot; told to the glue on a transition, as the real
     * engine does.
     */
    void refresh(String vip, SimRouter router, boolean transition) {
      InstanceStatus s = router.instance().status();
      long now = virtualNow();
      if (transition || !since.containsKey(vip)) {
        since.put(vip, wall(s.lastTransitionNanos() == 0 ? now : s.lastTransitionNanos()));
      }
      List<InstanceSnapshot.Peer> peers = new ArrayList<>();
      for (PeerTable.PeerStatus p : s.peers()) {
        if (p.lastPriority() >= 0) {
          peers.add(
              new InstanceSnapshot.Peer(
                  p.address().getHostAddress(), p.lastPriority(), wall(p.lastHeardNanos())));
        }
      }
      InstanceSnapshot snapshot =
          new InstanceSnapshot(
              state(s.state()),
              s.configuredPriority(),
              s.effectivePriority(),
              s.masterAddress() == null ? null : s.masterAddress().getHostAddress(),
              address.getHostAddress(),
              since.get(vip),
              s.lastTransitionReason(),
              s.counters().advertsSent(),
              s.counters().advertsReceived(),
              s.counters().rejected(),
              peers,
              null);
      snapshots.put(vip, snapshot);
      if (transition) {
        engineListeners.forEach(l -> l.updated(vip, snapshot));
      }
    }
  }

  private static NodeState state(State state) {
    return switch (state) {
      case INITIALIZE -> NodeState.Init;
      case BACKUP -> NodeState.Backup;
      case MASTER -> NodeState.Master;
      case FAULT -> NodeState.Fault;
    };
  }
}
