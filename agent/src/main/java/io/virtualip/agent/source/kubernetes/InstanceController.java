package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.agent.spec.VipDefinition;
import io.virtualip.api.v1.VirtualIP;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Drives the engine from the informers' caches: for every VirtualIP, what should run on this node,
 * and with what configuration, step-down flag and pods-track health. Each informer event only wakes
 * one reconcile pass on this class's own thread; a pass compares with what was last given to the
 * engine and calls it only for differences, so an edit of one VirtualIP never touches another's
 * instance, and an API outage (no events, stale caches) changes nothing at all.
 */
final class InstanceController implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(InstanceController.class.getName());

  /** The inputs: the informers' caches. */
  record Caches(
      Supplier<Collection<VirtualIP>> virtualIps,
      Supplier<Collection<Node>> nodes,
      Function<String, Secret> secrets,
      Supplier<Collection<Pod>> podsOnNode) {}

  /** What the engine was last given for one VirtualIP. */
  private static final class Applied {
    VipDefinition config;
    boolean stepDown;
    final Map<String, Boolean> podsTracks = new HashMap<>();
  }

  private final String node;
  private final InstanceEngine engine;
  private final InstanceResolver resolver;
  private final StatusReporter reporter;
  private final Caches caches;
  private final ExecutorService loop =
      Executors.newSingleThreadExecutor(DaemonThreads.named("virtualip-controller"));
  private final AtomicBoolean queued = new AtomicBoolean();

  /**
   * False until every informer has synced: a pass over half-filled caches would start instances
   * with partial peer lists or report a pods track failing for pods not listed yet, and then
   * correct itself with a needless restart.
   */
  private volatile boolean synced;

  /** Only touched on the controller's thread. */
  private final Map<String, Applied> applied = new HashMap<>();

  private final Map<String, String> waitingReasons = new HashMap<>();

  /**
   * VirtualIPs refused as invalid: the engine reports them in Fault until they change, move away or
   * go.
   */
  private final Set<String> refused = new HashSet<>();

  InstanceController(
      String node,
      InstanceResolver resolver,
      InstanceEngine engine,
      StatusReporter reporter,
      Caches caches) {
    this.node = node;
    this.engine = engine;
    this.resolver = resolver;
    this.reporter = reporter;
    this.caches = caches;
  }

  /** Coalesces: any number of events while a pass is queued make one pass. */
  void trigger() {
    if (synced && queued.compareAndSet(false, true)) {
      try {
        loop.execute(
            () -> {
              queued.set(false);
              reconcile();
            });
      } catch (RejectedExecutionException e) {
        // closed while an informer still delivered an event
      }
    }
  }

  /**
   * Every cache has synced: runs the first pass and waits for it (so that readiness means "the
   * engine has been told"); from now on events trigger passes.
   */
  void cachesSynced() throws Exception {
    synced = true;
    loop.submit((Runnable) this::reconcile).get();
  }

  private void reconcile() {
    Collection<Node> nodes = caches.nodes().get();
    Collection<Pod> pods = caches.podsOnNode().get();
    Set<String> present = new HashSet<>();
    for (VirtualIP vip : caches.virtualIps().get()) {
      String name = vip.getMetadata().getName();
      present.add(name);
      try {
        reconcile(vip, resolver.resolve(vip, nodes, caches.secrets()), pods);
      } catch (RuntimeException e) {
        // One broken resource must not stop the others.
        LOG.log(System.Logger.Level.ERROR, "cannot reconcile VirtualIP " + name, e);
      }
    }
    for (String name : new ArrayList<>(applied.keySet())) {
      if (!present.contains(name)) {
        remove(name, "deleted");
      }
    }
    for (String name : new ArrayList<>(refused)) {
      if (!present.contains(name)) {
        remove(name, "deleted");
      }
    }
    waitingReasons.keySet().retainAll(present);
  }

  private void reconcile(VirtualIP vip, Resolution resolution, Collection<Pod> pods) {
    String name = vip.getMetadata().getName();
    if (resolution instanceof Resolution.NotSelected) {
      waitingReasons.remove(name);
      if (applied.containsKey(name) || refused.contains(name)) {
        remove(name, "its placement no longer selects node " + node);
      }
      return;
    }
    if (resolution instanceof Resolution.Run run) {
      waitingReasons.remove(name);
      refused.remove(name);
      apply(name, generation(vip), run.config());
    } else if (resolution instanceof Resolution.Invalid invalid) {
      if (!invalid.problem().equals(waitingReasons.put(name, invalid.problem()))) {
        LOG.log(
            System.Logger.Level.WARNING, "VirtualIP {0}: refused: {1}", name, invalid.problem());
        reporter.observedGeneration(name, generation(vip));
        applied.remove(name);
        refused.add(name);
        engine.refuse(name, invalid.problem());
      }
      return;
    } else if (resolution instanceof Resolution.Waiting waiting
        && !waiting.reason().equals(waitingReasons.put(name, waiting.reason()))) {
      LOG.log(
          System.Logger.Level.WARNING,
          "VirtualIP {0}: {1}{2}",
          name,
          waiting.reason(),
          applied.containsKey(name)
              ? "; keeps running with its last configuration"
              : "; not started");
    }
    Applied current = applied.get(name);
    if (current != null) {
      followStepDown(name, current, vip);
      reportPodsTracks(name, current, pods);
    }
  }

  private void apply(String name, long generation, VipDefinition config) {
    // Before apply: the engine's first report for a new instance must already count as running
    // here.
    reporter.observedGeneration(name, generation);
    Applied current = applied.get(name);
    if (current != null && current.config.equals(config)) {
      return;
    }
    LOG.log(System.Logger.Level.INFO, "VirtualIP {0}: applying {1}", name, config);
    engine.apply(name, config);
    boolean tracksChanged =
        current == null
            || !current.config.tracks().equals(config.tracks())
            || !current.config.externalTracks().equals(config.externalTracks());
    if (current == null) {
      current = new Applied();
      applied.put(name, current);
    } else if (current.stepDown) {
      engine.stepDown(name, true);
    }
    current.config = config;
    // Equal tracks keep their state in the engine: restarting them would count them failing until
    // the first check, and a weight-0 track would then put the node in Fault on every unrelated
    // configuration change.
    if (tracksChanged) {
      current.podsTracks.clear();
    }
  }

  private void followStepDown(String name, Applied current, VirtualIP vip) {
    boolean stepDown =
        vip.getStatus() != null
            && vip.getStatus().stepDown() != null
            && vip.getStatus().stepDown().contains(node);
    if (stepDown != current.stepDown) {
      LOG.log(
          System.Logger.Level.INFO,
          "VirtualIP {0}: step-down {1}",
          name,
          stepDown ? "requested" : "lifted");
      engine.stepDown(name, stepDown);
      current.stepDown = stepDown;
    }
  }

  private void reportPodsTracks(String name, Applied current, Collection<Pod> pods) {
    for (VipDefinition.ExternalTrack t : current.config.externalTracks()) {
      if (t.pods() != null) {
        boolean healthy = PodsTracks.healthy(t.pods(), node, pods);
        if (!Boolean.valueOf(healthy).equals(current.podsTracks.put(t.name(), healthy))) {
          engine.trackChanged(name, t.name(), healthy);
        }
      }
    }
  }

  private void remove(String name, String why) {
    LOG.log(System.Logger.Level.INFO, "VirtualIP {0}: removing the instance, {1}", name, why);
    applied.remove(name);
    refused.remove(name);
    engine.remove(name);
    reporter.removed(name);
  }

  private static long generation(VirtualIP vip) {
    Long g = vip.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
