package io.virtualip.agent.source.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.Placement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The agent in Kubernetes mode: watches the VirtualIPs, Nodes, Secrets and this node's pods, drives
 * an {@link InstanceEngine}, and reports through status.nodes, a Lease and Events. The CLI's {@code
 * kubernetes} subcommand is {@link #start(InstanceEngine, Map)}.
 *
 * <p>Watches: fabric8's informers re-list and re-watch by themselves after a dropped watch, with
 * exponential backoff from the client's watchReconnectInterval doubling five times (the client's
 * default 1 s would reach 32 s; the agent sets 250 ms, so at most 8 s). By default an informer
 * whose very first list fails gives up; the exception handler here makes every informer retry
 * forever, so an agent started during an API outage comes up when the API does. While watches are
 * down the caches keep their last content and nothing reaches the engine.
 */
public final class KubernetesAgent implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(KubernetesAgent.class.getName());
  static final int WATCH_RECONNECT_INTERVAL_MS = 250;

  private final AgentConfig config;
  private final StatusReporter reporter;
  private final LeaseHeartbeat lease;
  private final InstanceController controller;
  private final SharedIndexInformer<VirtualIP> virtualIps;
  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<Secret> secrets;
  private final SharedIndexInformer<Pod> pods;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /**
   * VirtualIP events received by the watch: the fan-out cost of other writers (the scale lab reads
   * it).
   */
  private final java.util.concurrent.atomic.LongAdder virtualIpEvents =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * The client {@link #start(InstanceEngine, Map)} made, closed with the agent; null when the
   * caller owns it.
   */
  private KubernetesClient ownedClient;

  public KubernetesAgent(KubernetesClient client, InstanceEngine engine, AgentConfig config) {
    this(client, engine, config, Clock.systemUTC());
  }

  KubernetesAgent(KubernetesClient client, InstanceEngine engine, AgentConfig config, Clock clock) {
    this.config = config;
    long resync = config.resyncPeriod().toMillis();
    // Only this agent's share: the operator labels each VirtualIP with its placement's key. Without
    // a placement (an agent started by hand) every VirtualIP.
    virtualIps =
        config.placement() == null
            ? client.resources(VirtualIP.class).runnableInformer(resync)
            : client
                .resources(VirtualIP.class)
                .withLabel(Placement.LABEL, config.placement().hash())
                .runnableInformer(resync);
    nodes = client.nodes().runnableInformer(resync);
    secrets = client.secrets().inNamespace(config.namespace()).runnableInformer(resync);
    pods =
        client
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", config.nodeName())
            .runnableInformer(resync);
    NodeStatusWriter patch = new JsonPatchNodeStatusWriter(client, config.nodeName());
    NodeStatusWriter writer =
        switch (config.statusWrite()) {
          case JSON_PATCH -> patch;
          case APPLY -> new ServerSideApplyNodeStatusWriter(client, config.nodeName());
          case AUTO ->
              ServerSideApplyNodeStatusWriter.withFallback(
                  new ServerSideApplyNodeStatusWriter(client, config.nodeName()), patch);
        };
    reporter =
        new StatusReporter(
            config.nodeName(),
            writer,
            new TransitionEvents(client, config.nodeName(), config.eventNamespace()),
            name -> virtualIps.getStore().getByKey(name),
            engine,
            clock,
            config.masterRenewInterval(),
            config.otherRenewInterval());
    lease =
        new LeaseHeartbeat(
            client,
            config.namespace(),
            config.nodeName(),
            config.leaseDuration(),
            config.leaseRenewInterval(),
            clock);
    controller =
        new InstanceController(
            config.nodeName(),
            new InstanceResolver(config.nodeName(), config.placement()),
            engine,
            reporter,
            new InstanceController.Caches(
                () -> virtualIps.getStore().list(),
                () -> nodes.getStore().list(),
                name -> secrets.getStore().getByKey(config.namespace() + "/" + name),
                () -> pods.getStore().list()));
    engine.addListener(reporter);
  }

  /**
   * Starts watching and reporting; returns at once. {@link #ready()} completes once every informer
   * has synced and the engine has been given the first configuration; the ready file is written
   * then.
   */
  public KubernetesAgent start() {
    lease.start();
    reporter.start();
    List<CompletableFuture<Void>> synced = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : informers()) {
      informer.exceptionHandler(
          (started, t) -> {
            LOG.log(
                System.Logger.Level.WARNING,
                "watch of "
                    + informer.getApiTypeClass().getSimpleName()
                    + " failed (retrying with backoff): "
                    + t.getMessage());
            return true;
          });
      informer.addEventHandler(wake());
      if (informer == virtualIps) {
        virtualIps.addEventHandler(count(virtualIpEvents));
      }
      synced.add(informer.start().toCompletableFuture());
    }
    CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
        .thenRunAsync(
            () -> {
              try {
                controller.cachesSynced();
                writeReadyFile(config.readyFile());
                ready.complete(null);
                LOG.log(
                    System.Logger.Level.INFO, "watches synced; node {0} ready", config.nodeName());
              } catch (Exception e) {
                ready.completeExceptionally(e);
              }
            });
    return this;
  }

  private List<SharedIndexInformer<? extends HasMetadata>> informers() {
    return List.of(virtualIps, nodes, secrets, pods);
  }

  public CompletableFuture<Void> ready() {
    return ready;
  }

  private <T> ResourceEventHandler<T> wake() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        controller.trigger();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        controller.trigger();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        controller.trigger();
      }
    };
  }

  /** VirtualIP watch events received so far (adds, updates, deletes, including resyncs). */
  public long virtualIpWatchEvents() {
    return virtualIpEvents.sum();
  }

  /**
   * Counts what arrived from the API: a resync offers the cached object again with the same
   * resourceVersion.
   */
  private static ResourceEventHandler<VirtualIP> count(
      java.util.concurrent.atomic.LongAdder counter) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(VirtualIP obj) {
        counter.increment();
      }

      @Override
      public void onUpdate(VirtualIP oldObj, VirtualIP newObj) {
        if (!java.util.Objects.equals(
            oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
          counter.increment();
        }
      }

      @Override
      public void onDelete(VirtualIP obj, boolean deletedFinalStateUnknown) {
        counter.increment();
      }
    };
  }

  /** Atomically, so that the readiness probe never reads half a file. */
  static void writeReadyFile(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".ready", ".tmp");
      Files.writeString(tmp, "ready\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write ready file " + file, e);
    }
  }

  /**
   * Stops watching and reporting (status writes get a short grace to land). Does not stop the
   * engine's instances: the caller shuts the engine down, which hands over with priority 0, and
   * should do that before closing this so the handover reaches status.
   */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(config.readyFile());
    } catch (IOException e) {
      // the pod is going away anyway
    }
    informers().forEach(SharedIndexInformer::stop);
    controller.close();
    reporter.close();
    lease.close();
    if (ownedClient != null) {
      ownedClient.close();
    }
  }

  /**
   * Stops at once, as a SIGKILL would: the Lease first, then every write and watch, without a last
   * status write. For the scale lab, whose simulated nodes crash inside one JVM.
   */
  public void halt() {
    lease.close();
    reporter.halt();
    informers().forEach(SharedIndexInformer::stop);
    controller.close();
  }

  /**
   * Client settings for the agent: short timeouts and no hidden request retries, because every
   * caller here has its own retry loop (with "latest snapshot only" coalescing) and must not sit
   * inside the client's backoff for minutes while the API is away.
   */
  public static Config agentClientConfig(Config base) {
    return new ConfigBuilder(base)
        .withConnectionTimeout(3_000)
        .withRequestTimeout(5_000)
        .withRequestRetryBackoffLimit(0)
        .withWatchReconnectInterval(WATCH_RECONNECT_INTERVAL_MS)
        .build();
  }

  /**
   * The DaemonSet's {@code java -jar virtualip-agent.jar kubernetes}: in-cluster config, NODE_NAME
   * and POD_NAMESPACE (and the optional settings of {@link AgentConfig#fromEnvironment}) from the
   * environment; started, not yet ready. The caller owns the engine. On SIGTERM it stops the engine
   * first (the priority-0 handover then still reaches status.nodes through this agent) and closes
   * this agent after, which also closes the client made here.
   */
  public static KubernetesAgent start(InstanceEngine engine, Map<String, String> env) {
    AgentConfig config = AgentConfig.fromEnvironment(env);
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(agentClientConfig(Config.autoConfigure(null)))
            .build();
    KubernetesAgent agent = new KubernetesAgent(client, engine, config, Clock.systemUTC());
    agent.ownedClient = client;
    return agent.start();
  }

  /** For tests: waits for {@link #ready()}. */
  void awaitReady(Duration timeout) throws Exception {
    ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
