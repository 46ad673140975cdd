package io.virtualip.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.api.v1.contract.SpecDefaults;
import io.virtualip.operator.config.LeaderElection;
import io.virtualip.operator.config.OperatorConfig;
import io.virtualip.operator.dependent.AgentDaemonSet;
import io.virtualip.operator.events.EventPlanner;
import io.virtualip.operator.events.EventRecorder;
import io.virtualip.operator.events.PlannedEvent;
import io.virtualip.operator.metrics.OperatorMetrics;
import io.virtualip.operator.status.Aggregate;
import io.virtualip.operator.status.Facts;
import io.virtualip.operator.status.RejectionHistory;
import io.virtualip.operator.status.StatusAggregator;
import io.virtualip.operator.status.StatusView;
import io.virtualip.operator.vrid.VridAllocator;
import io.virtualip.operator.vrid.VridClaim;
import io.virtualip.operator.vrid.VridDecision;
import io.virtualip.operator.vrid.VridRanges;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps each VirtualIP's agents running and its status true: desired state from the spec, the
 * shared agent DaemonSet, a VRID, then the status derived from what the agents report, and events
 * for what changed.
 *
 * <p>Not generation-aware: the agents' status writes and their Leases are the facts this reconciler
 * aggregates, so every change of them has to trigger it, not only spec changes; but only those
 * ({@link InputsChanged}, {@link LeaseLiveness}): its own status writes and routine Lease renewals
 * reconcile nothing.
 */
@ControllerConfiguration(
    name = "virtualip",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = InputsChanged.class))
public class VirtualIPReconciler implements Reconciler<VirtualIP>, Cleaner<VirtualIP> {
  /**
   * Re-evaluate at least this often while an agent's Lease can expire, so expiry is seen within 2
   * s.
   */
  static final Duration LEASE_RECHECK = Duration.ofSeconds(1);

  /** A reconcile slower than this is logged (DEBUG) with where its time went. */
  static final Duration SLOW = Duration.ofMillis(100);

  private static final Logger LOG = Logger.getLogger(VirtualIPReconciler.class);

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final SpecValidator validator;
  private final AgentDaemonSet agents;
  private final StatusWriter statusWriter;
  private final VridAllocator allocator;
  private final Duration defaultLeaseDuration;
  private final Clock clock;
  private final KubernetesClient client;

  /**
   * VRIDs this process decided, ahead of the informer cache that may not show the status write yet.
   */
  private final Map<String, Integer> vridBook = new HashMap<>();

  /**
   * What each VirtualIP looked like at its previous evaluation, so events mark transitions only.
   */
  private final Map<String, StatusView> lastView = new ConcurrentHashMap<>();

  /** Agents' rejected counters report by report: the split-brain diagnosis looks at what grows. */
  private final Map<String, RejectionHistory> rejections = new ConcurrentHashMap<>();

  /**
   * Since when each VirtualIP has had two or more live masters (a handover until it lasts too
   * long).
   */
  private final Map<String, Instant> multiMasterSince = new ConcurrentHashMap<>();

  /**
   * A replica that lost the leader Lease must not write anything any more, even before it exits.
   */
  @Inject LeaderElection leaderElection;

  public VirtualIPReconciler(
      KubernetesClient client,
      OperatorConfig config,
      EventRecorder events,
      OperatorMetrics metrics,
      SpecValidator validator) {
    this.client = client;
    this.statusWriter = new StatusWriter(client);
    this.events = events;
    this.metrics = metrics;
    this.validator = validator;
    String namespace =
        config
            .agent()
            .namespace()
            .or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")))
            .or(() -> Optional.ofNullable(client.getNamespace()))
            .orElse("default");
    this.agents =
        new AgentDaemonSet(client, config.agent(), namespace, config.lease().durationSeconds());
    this.allocator = new VridAllocator(VridRanges.parse(config.vrid().reserved()));
    this.defaultLeaseDuration = Duration.ofSeconds(config.lease().durationSeconds());
    this.clock = Clock.systemUTC();
  }

  @Override
  public List<EventSource<?, VirtualIP>> prepareEventSources(
      EventSourceContext<VirtualIP> context) {
    var daemonSets =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(DaemonSet.class, VirtualIP.class)
                .withName("agent-daemonsets")
                .withNamespaces(agents.namespace())
                .withLabelSelector(AgentDaemonSet.SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(VirtualIP.class, true))
                .build(),
            context);
    var leases =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Lease.class, VirtualIP.class)
                .withName("agent-leases")
                .withNamespaces(agents.namespace())
                .withLabelSelector(AgentDaemonSet.LABEL_NAME + "=" + AgentDaemonSet.NAME)
                .withSecondaryToPrimaryMapper((Lease lease) -> reportingOn(context, lease))
                // A renewal changes nothing by itself: LeaseLiveness reconciles when a node falls
                // silent, expires or comes back. Only a new holder or duration is news here (adds
                // and deletes always are).
                .withOnUpdateFilter(
                    (Lease now, Lease before) ->
                        now.getSpec() == null
                            || before.getSpec() == null
                            || !Objects.equals(
                                now.getSpec().getHolderIdentity(),
                                before.getSpec().getHolderIdentity())
                            || !Objects.equals(
                                now.getSpec().getLeaseDurationSeconds(),
                                before.getSpec().getLeaseDurationSeconds()))
                .build(),
            context);
    var liveness =
        new LeaseLiveness(
            () -> leases.list().toList(),
            () -> context.getPrimaryCache().list().toList(),
            defaultLeaseDuration,
            clock);
    var nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, VirtualIP.class)
                .withName("nodes")
                // Node status heartbeats are frequent and irrelevant; which nodes exist, their
                // labels and taints are not.
                .withOnUpdateFilter(
                    (Node now, Node before) ->
                        !Objects.equals(
                                now.getMetadata().getLabels(), before.getMetadata().getLabels())
                            || !Objects.equals(
                                now.getSpec() == null ? null : now.getSpec().getTaints(),
                                before.getSpec() == null ? null : before.getSpec().getTaints()))
                .withSecondaryToPrimaryMapper((Node node) -> all(context))
                .build(),
            context);
    return List.of(daemonSets, leases, nodes, liveness);
  }

  @Override
  public UpdateControl<VirtualIP> reconcile(VirtualIP vip, Context<VirtualIP> context) {
    if (leaderElection != null && leaderElection.stoppedLeading()) {
      return UpdateControl.noUpdate();
    }
    boolean success = false;
    long started = System.nanoTime();
    // When each step ended, for the slow-reconcile line: caches, agents, aggregate, status, events.
    long[] at = new long[5];
    try {
      Cluster cluster = cluster(context);
      Instant now = clock.instant();
      List<String> violations = validator.violations(vip);
      at[0] = System.nanoTime();
      if (violations.isEmpty()) {
        runAgents(vip, cluster);
        labelPlacement(vip);
      }
      at[1] = System.nanoTime();
      VridDecision vrid =
          violations.isEmpty() ? allocateVrid(vip, cluster) : VridDecision.NOT_DECIDED;
      RejectionHistory history = rejections.computeIfAbsent(uid(vip), u -> new RejectionHistory());
      Aggregate aggregate =
          StatusAggregator.aggregate(
              facts(
                  vip,
                  cluster,
                  violations,
                  vrid,
                  now,
                  history.baseline(StatusWriter.entries(vip))));
      at[2] = System.nanoTime();
      statusWriter.write(vip, aggregate);
      at[3] = System.nanoTime();
      announce(vip, aggregate, vrid);
      at[4] = System.nanoTime();
      remember(vip, aggregate);
      success = true;
      return next(aggregate, now);
    } finally {
      long ended = System.nanoTime();
      metrics.reconciled(success, Duration.ofNanos(ended - started));
      if (ended - started > SLOW.toNanos() && at[4] != 0 && LOG.isDebugEnabled()) {
        LOG.debugf(
            "slow reconcile of %s: %d ms (caches %d, agents %d, vrid+aggregate %d, status %d,"
                + " events %d, metrics %d)",
            vip.getMetadata().getName(),
            (ended - started) / 1_000_000,
            (at[0] - started) / 1_000_000,
            (at[1] - at[0]) / 1_000_000,
            (at[2] - at[1]) / 1_000_000,
            (at[3] - at[2]) / 1_000_000,
            (at[4] - at[3]) / 1_000_000,
            (ended - at[4]) / 1_000_000);
      }
    }
  }

  @Override
  public DeleteControl cleanup(VirtualIP vip, Context<VirtualIP> context) {
    if (leaderElection != null && leaderElection.stoppedLeading()) {
      return DeleteControl.noFinalizerRemoval(); // the next leader cleans up
    }
    // Its own placement's DaemonSet always, read afresh: the cache may not show it, or not show
    // this VirtualIP among its owners yet (issue 11). Others where the cache says it owns them.
    String own = AgentDaemonSet.name(Placement.of(vip));
    agents.release(vip, own);
    for (DaemonSet ds : cluster(context).daemonSets()) {
      if (!ds.getMetadata().getName().equals(own) && owns(vip, ds)) {
        agents.release(vip, ds.getMetadata().getName());
      }
    }
    synchronized (vridBook) {
      vridBook.remove(vip.getMetadata().getName());
    }
    lastView.remove(uid(vip));
    statusWriter.forget(vip);
    rejections.remove(uid(vip));
    multiMasterSince.remove(uid(vip));
    events.forget(vip);
    metrics.forget(vip.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  /**
   * Every VirtualIP with this VirtualIP's placement owns the placement's DaemonSet; other
   * DaemonSets let go of it.
   */
  private void runAgents(VirtualIP vip, Cluster cluster) {
    Placement placement = Placement.of(vip);
    String name = AgentDaemonSet.name(placement);
    List<VirtualIP> owners =
        cluster.liveVirtualIPs().stream()
            .filter(v -> Placement.of(v).equals(placement))
            .collect(Collectors.toList());
    if (owners.stream().noneMatch(v -> uid(v).equals(uid(vip)))) {
      owners.add(vip);
    }
    DaemonSet current =
        cluster.daemonSets().stream()
            .filter(ds -> ds.getMetadata().getName().equals(name))
            .findFirst()
            .orElse(null);
    agents.reconcile(placement, owners, current);
    for (DaemonSet other : cluster.daemonSets()) {
      if (!other.getMetadata().getName().equals(name) && owns(vip, other)) {
        agents.release(vip, other.getMetadata().getName()); // its placement changed
      }
    }
  }

  private static boolean owns(VirtualIP vip, DaemonSet ds) {
    return ds.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Objects.equals(o.getUid(), uid(vip)));
  }

  /**
   * Labels the VirtualIP with its placement's key, so that each agent lists and watches only the
   * VirtualIPs of its own DaemonSet (a status write then reaches those agents only, not every agent
   * of the cluster).
   */
  private void labelPlacement(VirtualIP vip) {
    String key = Placement.of(vip).hash();
    Map<String, String> labels = vip.getMetadata().getLabels();
    if (labels != null && key.equals(labels.get(Placement.LABEL))) {
      return;
    }
    client
        .resources(VirtualIP.class)
        .withName(vip.getMetadata().getName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + Placement.LABEL + "\":\"" + key + "\"}}}");
  }

  private VridDecision allocateVrid(VirtualIP vip, Cluster cluster) {
    // One at a time: two VirtualIPs reconciled in parallel must not both take the lowest free VRID.
    synchronized (vridBook) {
      List<VridClaim> claims =
          cluster.liveVirtualIPs().stream().map(v -> claim(v, cluster)).toList();
      VridDecision decision = allocator.decide(claim(vip, cluster), claims);
      if (decision.usable()) {
        vridBook.put(vip.getMetadata().getName(), decision.vrid());
      } else {
        vridBook.remove(vip.getMetadata().getName());
      }
      return decision;
    }
  }

  private VridClaim claim(VirtualIP v, Cluster cluster) {
    var spec = v.getSpec();
    Integer recorded =
        vridBook.containsKey(v.getMetadata().getName())
            ? vridBook.get(v.getMetadata().getName())
            : v.getStatus() == null ? null : v.getStatus().virtualRouterId();
    boolean ipv6 =
        spec.addresses() != null && spec.addresses().stream().anyMatch(a -> a.contains(":"));
    return new VridClaim(
        v.getMetadata().getName(),
        Cluster.created(v),
        ipv6,
        spec.interfaceName() == null ? VridClaim.DEFAULT_INTERFACE : spec.interfaceName(),
        cluster.selectedNodes(v),
        spec.virtualRouterId(),
        recorded);
  }

  private Facts facts(
      VirtualIP vip,
      Cluster cluster,
      List<String> violations,
      VridDecision vrid,
      Instant now,
      Map<String, Map<String, Long>> rejected) {
    var spec = vip.getSpec();
    var status = vip.getStatus();
    return new Facts(
        Optional.ofNullable(vip.getMetadata().getGeneration()).orElse(0L),
        spec == null || spec.addresses() == null ? List.of() : spec.addresses(),
        violations,
        vrid,
        cluster.selectedNodes(vip),
        StatusWriter.entries(vip),
        cluster.agentLeases(defaultLeaseDuration),
        now,
        SpecDefaults.splitBrainPolicy(spec),
        SpecDefaults.advertisementInterval(spec),
        SpecDefaults.mode(spec),
        status == null ? null : status.conditions(),
        status == null ? null : status.stepDown(),
        rejected,
        status == null ? null : status.master(),
        multiMasterSince.get(uid(vip)));
  }

  private void announce(VirtualIP vip, Aggregate aggregate, VridDecision vrid) {
    StatusView before = lastView.getOrDefault(uid(vip), StatusView.stored(vip.getStatus()));
    for (PlannedEvent event :
        EventPlanner.plan(before, aggregate, vrid, StatusWriter.entries(vip))) {
      events.record(vip, event);
    }
  }

  private void remember(VirtualIP vip, Aggregate aggregate) {
    lastView.put(uid(vip), StatusView.of(aggregate));
    rejections
        .computeIfAbsent(uid(vip), u -> new RejectionHistory())
        .record(StatusWriter.entries(vip));
    aggregate
        .multiMasterSince()
        .ifPresentOrElse(
            t -> multiMasterSince.put(uid(vip), t), () -> multiMasterSince.remove(uid(vip)));
    Map<String, NodeState> nodes = new TreeMap<>();
    for (NodeStatus entry : StatusWriter.entries(vip)) {
      if (entry.name() != null && entry.state() != null) {
        nodes.put(
            entry.name(),
            aggregate.agentDown().contains(entry.name()) ? NodeState.Unknown : entry.state());
      }
    }
    metrics.observed(
        vip.getMetadata().getName(),
        new OperatorMetrics.Observation(
            aggregate.master(), aggregate.conditions(), nodes, aggregate.agentDown()),
        aggregate.splitBrain().isPresent());
  }

  /**
   * While time alone can change the facts (a reporting agent's Lease expires, a Master claim goes
   * unrenewed, a handover grace ends), look again just after that moment, and at least every
   * second.
   */
  private static UpdateControl<VirtualIP> next(Aggregate aggregate, Instant now) {
    UpdateControl<VirtualIP> control = UpdateControl.noUpdate();
    return aggregate
        .recheckAt()
        .map(
            at -> {
              Duration until = Duration.between(now, at).plusMillis(50);
              return control.rescheduleAfter(
                  until.compareTo(LEASE_RECHECK) < 0 ? until : LEASE_RECHECK);
            })
        .orElse(control);
  }

  private static Cluster cluster(Context<VirtualIP> context) {
    var retriever = context.eventSourceRetriever();
    return new Cluster(
        context.getPrimaryCache().list().toList(),
        list(retriever.getEventSourceFor(Node.class, "nodes")),
        list(retriever.getEventSourceFor(Lease.class, "agent-leases")),
        list(retriever.getEventSourceFor(DaemonSet.class, "agent-daemonsets")));
  }

  @SuppressWarnings("unchecked")
  private static <R extends HasMetadata> List<R> list(EventSource<R, VirtualIP> source) {
    return ((InformerEventSource<R, VirtualIP>) (InformerEventSource<?, VirtualIP>) source)
        .list()
        .toList();
  }

  /** A Lease concerns the VirtualIPs its node reports on. */
  private static Set<ResourceID> reportingOn(EventSourceContext<VirtualIP> context, Lease lease) {
    String node = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return context
        .getPrimaryCache()
        .list()
        .filter(
            v ->
                v.getStatus() != null
                    && v.getStatus().nodes() != null
                    && v.getStatus().nodes().stream().anyMatch(e -> Objects.equals(e.name(), node)))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static Set<ResourceID> all(EventSourceContext<VirtualIP> context) {
    return context
        .getPrimaryCache()
        .list()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static String uid(VirtualIP vip) {
    return vip.getMetadata().getUid();
  }
}
