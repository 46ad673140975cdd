package io.virtualip.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.operator.config.OperatorConfig;
import io.virtualip.operator.dependent.AgentDaemonSet;
import io.virtualip.testkit.kube.InstalledChart;
import io.virtualip.testkit.kube.KubeApi;
import io.virtualip.testkit.kube.KubeVersions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 11 #4: the interleavings of a bulk delete that left the agent DaemonSet owned by deleted
 * VirtualIPs, played one step at a time against a real API server with the operator's
 * ServiceAccount token. The steps are those the operator's reconcile threads take (a reconcile
 * working from its informer snapshot, another VirtualIP's cleanup), in the order that broke, so the
 * outcome does not depend on timing.
 *
 * <p>A server of its own: no operator runs against it, so nothing else writes the DaemonSet between
 * the steps (on the shared server the operator of the {@code @QuarkusTest}s may still be running).
 */
@ExtendWith(RealApiServer.Available.class)
class AgentDaemonSetRaceTest {
  /** Each test's own placement, so that a failed test leaves nothing in the next one's way. */
  private Map<String, String> selector;

  private Placement placement;
  private String name;

  private static KubeApi api;
  private static KubernetesClient admin;
  private static KubernetesClient operator;

  /** Runs once, on the operator's next DaemonSet write (create or update), before it is sent. */
  private static final AtomicReference<Runnable> beforeNextWrite = new AtomicReference<>();

  @BeforeAll
  static void server() {
    api = KubeApi.start(KubeVersions.selected());
    InstalledChart chart = InstalledChart.on(api);
    admin = api.admin();
    operator =
        new KubernetesClientBuilder()
            .withConfig(api.config(chart.operatorToken(), api.url()))
            .withHttpClientBuilderConsumer(
                b -> b.addOrReplaceInterceptor("before-next-write", new BeforeNextWrite()))
            .build();
  }

  @BeforeEach
  void placement(TestInfo test) {
    selector = Map.of("role", "race-" + Integer.toHexString(test.getDisplayName().hashCode()));
    placement = new Placement(selector, List.of());
    name = AgentDaemonSet.name(placement);
  }

  @AfterEach
  void removeVirtualIPs() {
    beforeNextWrite.set(null);
    for (VirtualIP vip : admin.resources(VirtualIP.class).list().getItems()) {
      delete(vip);
    }
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
  }

  /** The operator's steps, with its ServiceAccount's permissions. */
  private final AgentDaemonSet agents =
      new AgentDaemonSet(operator, new TestAgentConfig(), InstalledChart.NAMESPACE, 4);

  /**
   * The reported failure. A reconcile of {@code a} works from its informer snapshot: {@code c} is
   * being deleted, {@code b} not yet, and the DaemonSet is owned by a, b and c. Before it writes,
   * b's cleanup releases b and b is gone. The reconcile's write is then refused (409, the DaemonSet
   * changed); the old code read the DaemonSet again and re-applied the owners of its snapshot, a
   * and b: the deleted b owned the DaemonSet again, and nothing ever released it.
   */
  @Test
  void aReconcileThatLostARaceDoesNotReapplyTheOwnersOfItsSnapshot() {
    VirtualIP a = create("race-stale-a");
    VirtualIP b = create("race-stale-b");
    VirtualIP c = create("race-stale-c");
    agents.reconcile(placement, List.of(a, b, c), null);
    DaemonSet snapshot = daemonSet();
    assertThat(owners(snapshot)).containsExactly("race-stale-a", "race-stale-b", "race-stale-c");

    markDeleted(c);
    delete(b);
    agents.release(b, name); // b's cleanup, then its finalizer goes
    agents.reconcile(placement, List.of(a, b), snapshot); // a's reconcile, from its snapshot

    assertThat(owners(daemonSet()))
        .as("owners after the stale reconcile")
        .containsExactly("race-stale-a");
    delete(c);
    agents.release(c, name);
    delete(a);
    agents.release(a, name);
    assertThat(daemonSet()).as("the DaemonSet after its last VirtualIP's cleanup").isNull();
  }

  /**
   * A reconcile reads the VirtualIPs (b is live) and, before it writes, b is deleted and its
   * cleanup finds a DaemonSet that b does not own yet, so it writes nothing. Written from that
   * read, the DaemonSet would be owned by the deleted b: the writer must see that its read is out
   * of date.
   */
  @Test
  void aVirtualIPDeletedBetweenAReconcilesReadAndItsWriteDoesNotOwnTheDaemonSet() {
    VirtualIP a = create("race-read-a");
    agents.reconcile(placement, List.of(a), null);
    DaemonSet onlyA = daemonSet();
    VirtualIP b = create("race-read-b");

    beforeNextWrite.set(
        () -> {
          delete(b);
          agents.release(b, name);
        });
    agents.reconcile(placement, List.of(a, b), onlyA); // b's addition

    assertThat(beforeNextWrite.get()).as("the reconcile wrote").isNull();
    assertThat(owners(daemonSet())).containsExactly("race-read-a");
    delete(a);
    agents.release(a, name);
    assertThat(daemonSet()).isNull();
  }

  /**
   * The same on creation: the reconcile reads a and b, b is deleted before the DaemonSet exists
   * (its cleanup finds none), then the reconcile creates it.
   */
  @Test
  void aVirtualIPDeletedBeforeTheDaemonSetIsCreatedDoesNotOwnIt() {
    VirtualIP a = create("race-create-a");
    VirtualIP b = create("race-create-b");

    beforeNextWrite.set(
        () -> {
          delete(b);
          agents.release(b, name);
        });
    agents.reconcile(placement, List.of(a, b), null);

    assertThat(beforeNextWrite.get()).as("the reconcile wrote").isNull();
    assertThat(owners(daemonSet())).containsExactly("race-create-a");
    delete(a);
    agents.release(a, name);
    assertThat(daemonSet()).isNull();
  }

  /**
   * {@code kubectl delete vip --all}, many steps at once: 21 VirtualIPs deleted in a shuffled
   * order, each by a thread running its cleanup as the operator's finalizer does, while 3 threads
   * keep reconciling VirtualIPs not deleted yet, each from a view of the DaemonSet and of the
   * VirtualIPs read a round before, as reconciles working from informer caches a few writes behind
   * do. When all are gone, so must the DaemonSet be.
   */
  @Test
  void concurrentCleanupsAndReconcilesFromStaleViewsDeleteTheDaemonSetWithTheLast()
      throws Exception {
    List<VirtualIP> all =
        java.util.stream.IntStream.rangeClosed(1, 21)
            .mapToObj(i -> create("race-bulk-" + i))
            .toList();
    agents.reconcile(placement, all, null);
    assertThat(owners(daemonSet())).hasSize(21);
    List<VirtualIP> order = new java.util.ArrayList<>(all);
    java.util.Collections.shuffle(order, new java.util.Random(11));

    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(10);
    try {
      var start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<?>> reconciles = new java.util.ArrayList<>();
      for (int thread = 0; thread < 3; thread++) {
        reconciles.add(pool.submit(() -> reconcileFromStaleViews(start, stop)));
      }
      List<java.util.concurrent.Future<?>> cleanups = new java.util.ArrayList<>();
      for (VirtualIP vip : order) {
        cleanups.add(pool.submit(() -> cleanUp(vip, start)));
      }
      start.countDown();
      for (var cleanup : cleanups) {
        cleanup.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      stop.set(true);
      int rounds = 0;
      for (var reconcile : reconciles) {
        rounds += (Integer) reconcile.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertThat(rounds).as("reconciles that ran during the delete").isPositive();
      assertThat(liveVirtualIPs()).isEmpty();
      DaemonSet left = daemonSet();
      assertThat(left == null ? List.of() : owners(left))
          .as("owners of the DaemonSet left after all 21 cleanups")
          .isEmpty();
      assertThat(left).as("the DaemonSet after the last cleanup").isNull();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  /**
   * Reconciles a VirtualIP not deleted yet, again and again until {@code stop}, from a view read
   * one round before (an informer a reconcile behind), of the DaemonSet and the VirtualIPs, one of
   * the two read before the other; returns how many reconciles ran.
   */
  private int reconcileFromStaleViews(
      java.util.concurrent.CountDownLatch start, java.util.concurrent.atomic.AtomicBoolean stop)
      throws InterruptedException {
    start.await();
    int rounds = 0;
    DaemonSet cachedDaemonSet = daemonSet();
    List<VirtualIP> cachedOwners = liveVirtualIPs();
    for (int round = 0; !stop.get(); round++) {
      DaemonSet nextDaemonSet = round % 2 == 0 ? daemonSet() : null;
      List<VirtualIP> nextOwners = liveVirtualIPs();
      if (round % 2 == 1) {
        nextDaemonSet = daemonSet();
      }
      if (!cachedOwners.isEmpty()) { // else nothing is left to reconcile: JOSDK runs cleanups only
        try {
          agents.reconcile(placement, cachedOwners, cachedDaemonSet);
          rounds++;
        } catch (RuntimeException e) {
          // a failed reconcile is retried, by JOSDK there and by this loop here
        }
      }
      cachedDaemonSet = nextDaemonSet;
      cachedOwners = nextOwners;
    }
    return rounds;
  }

  /** JOSDK's default retry: a failed cleanup runs again, 5 times in all. */
  private static final int CLEANUP_ATTEMPTS = 5;

  /**
   * What the operator's finalizer does for a deleted VirtualIP, once {@code start} opens: release
   * (retried on failure), then the finalizer goes.
   */
  private Void cleanUp(VirtualIP vip, java.util.concurrent.CountDownLatch start)
      throws InterruptedException {
    start.await();
    markDeleted(vip);
    for (int attempt = 1; ; attempt++) {
      try {
        agents.release(vip, name);
        break;
      } catch (RuntimeException e) {
        if (attempt == CLEANUP_ATTEMPTS) {
          throw e;
        }
      }
    }
    delete(vip);
    return null;
  }

  private VirtualIP create(String vipName) {
    VirtualIP vip = new VirtualIP();
    vip.getMetadata().setName(vipName);
    VirtualIPSpec spec =
        VirtualIPSpec.builder().addresses(List.of("192.0.2.10/24")).nodeSelector(selector).build();
    vip.setSpec(spec);
    return admin.resource(vip).create();
  }

  /** Deletion begins: a finalizer keeps it, as the operator's does until the cleanup has run. */
  private static void markDeleted(VirtualIP vip) {
    admin
        .resources(VirtualIP.class)
        .withName(vip.getMetadata().getName())
        .edit(
            v -> {
              v.getMetadata().setFinalizers(List.of("virtualip.io/test"));
              return v;
            });
    admin.resources(VirtualIP.class).withName(vip.getMetadata().getName()).delete();
  }

  /** Gone for good (its cleanup is the caller's next step, as the finalizer's removal is last). */
  private static void delete(VirtualIP vip) {
    var resource = admin.resources(VirtualIP.class).withName(vip.getMetadata().getName());
    VirtualIP current = resource.get();
    if (current != null && !current.getMetadata().getFinalizers().isEmpty()) {
      resource.edit(
          v -> {
            v.getMetadata().setFinalizers(List.of());
            return v;
          });
    }
    resource.delete();
    assertThat(resource.get()).isNull();
  }

  /** The VirtualIPs of this test's placement not being deleted, as an informer would list them. */
  private List<VirtualIP> liveVirtualIPs() {
    return admin.resources(VirtualIP.class).list().getItems().stream()
        .filter(v -> v.getMetadata().getDeletionTimestamp() == null)
        .filter(v -> selector.equals(v.getSpec().nodeSelector()))
        .toList();
  }

  private DaemonSet daemonSet() {
    return admin.apps().daemonSets().inNamespace(InstalledChart.NAMESPACE).withName(name).get();
  }

  private List<String> owners(DaemonSet ds) {
    assertThat(ds).as("DaemonSet " + name).isNotNull();
    return ds.getMetadata().getOwnerReferences().stream().map(OwnerReference::getName).toList();
  }

  /** Runs {@link #beforeNextWrite} on the caller's thread before a DaemonSet create or update. */
  private static final class BeforeNextWrite implements Interceptor {
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      String method = request.method();
      if ((method.equals("POST") || method.equals("PUT"))
          && request.uri().getPath().contains("/daemonsets")) {
        Runnable step = beforeNextWrite.getAndSet(null);
        if (step != null) {
          step.run();
        }
      }
    }
  }

  /** The chart's defaults, as the operator's configuration has them. */
  private static final class TestAgentConfig implements OperatorConfig.Agent {
    @Override
    public String image() {
      return "virtualip/agent:0.1.0";
    }

    @Override
    public Optional<String> namespace() {
      return Optional.of(InstalledChart.NAMESPACE);
    }

    @Override
    public String serviceAccount() {
      return "virtualip-agent";
    }

    @Override
    public Optional<String> priorityClassName() {
      return Optional.empty();
    }

    @Override
    public long terminationGracePeriodSeconds() {
      return 10;
    }

    @Override
    public OperatorConfig.Resources resources() {
      return new OperatorConfig.Resources() {
        @Override
        public OperatorConfig.Quantities requests() {
          return quantities("50m", "64Mi");
        }

        @Override
        public OperatorConfig.Quantities limits() {
          return quantities("500m", "128Mi");
        }
      };
    }

    private static OperatorConfig.Quantities quantities(String cpu, String memory) {
      return new OperatorConfig.Quantities() {
        @Override
        public String cpu() {
          return cpu;
        }

        @Override
        public String memory() {
          return memory;
        }
      };
    }

    @Override
    public int metricsPort() {
      return 9477;
    }

    @Override
    public String metricsAddress() {
      return "0.0.0.0";
    }
  }
}
