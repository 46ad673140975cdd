package io.virtualip.operator.dependent;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.Placement;
import io.virtualip.operator.config.OperatorConfig;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The agent DaemonSet of one placement, shared by every VirtualIP with that placement and owned by
 * each of them.
 *
 * <p>The pod template holds nothing about any VirtualIP (agents watch the VirtualIPs themselves),
 * so adding, changing or deleting a VirtualIP never restarts an agent, which would cost a failover.
 * JOSDK's one-dependent-per-primary model does not fit a shared object, hence plain
 * create-or-update with optimistic concurrency: two VirtualIPs reconciled at once conflict (409)
 * and JOSDK retries the loser.
 */
public final class AgentDaemonSet {
  private static final Logger LOG = Logger.getLogger(AgentDaemonSet.class);

  public static final String NAME = "virtualip-agent";
  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_PLACEMENT = "virtualip.io/placement";
  public static final String MANAGED_BY = "virtualip-operator";

  /**
   * Hash of the desired spec: a real API server adds defaults, so the stored spec cannot be
   * compared directly.
   */
  public static final String ANNOTATION_SPEC_HASH = "virtualip.io/spec-hash";

  public static final String SELECTOR =
      LABEL_MANAGED_BY + "=" + MANAGED_BY + "," + LABEL_NAME + "=" + NAME;

  /** Control socket and the ready file the readiness probe reads. */
  public static final String RUN_DIR = "/run/virtualip";

  /** The agent's own placement, as {@link Placement#canonicalJson()}. */
  public static final String ENV_PLACEMENT = "VIRTUALIP_PLACEMENT";

  /**
   * Attempts at writing the DaemonSet's owners before leaving it to JOSDK's retry (slower
   * back-off): a bulk delete of 21 VirtualIPs changes the DaemonSet many times while one reconcile
   * converges.
   */
  private static final int MAX_ATTEMPTS = 10;

  private final KubernetesClient client;
  private final OperatorConfig.Agent config;
  private final String namespace;
  private final int leaseDurationSeconds;

  public AgentDaemonSet(
      KubernetesClient client,
      OperatorConfig.Agent config,
      String namespace,
      int leaseDurationSeconds) {
    this.client = client;
    this.config = config;
    this.namespace = namespace;
    this.leaseDurationSeconds = leaseDurationSeconds;
  }

  public String namespace() {
    return namespace;
  }

  public static String name(Placement placement) {
    return placement.isEmpty() ? NAME : NAME + "-" + placement.hash();
  }

  /** The DaemonSet as it should be for this placement and these owners. */
  public DaemonSet desired(Placement placement, Collection<VirtualIP> owners) {
    Map<String, String> labels =
        Map.of(LABEL_NAME, NAME, LABEL_MANAGED_BY, MANAGED_BY, LABEL_PLACEMENT, placement.hash());
    DaemonSetSpec spec =
        new DaemonSetBuilder()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Map.of(LABEL_NAME, NAME, LABEL_PLACEMENT, placement.hash()))
            .endSelector()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withNewMaxUnavailable(1)
            .endRollingUpdate()
            .endUpdateStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .withAnnotations(scrapeAnnotations())
            .endMetadata()
            .withNewSpec()
            .withHostNetwork(true)
            .withDnsPolicy("ClusterFirstWithHostNet")
            .withServiceAccountName(config.serviceAccount())
            .withPriorityClassName(config.priorityClassName().orElse(null))
            .withTerminationGracePeriodSeconds(config.terminationGracePeriodSeconds())
            .withNodeSelector(placement.nodeSelector().isEmpty() ? null : placement.nodeSelector())
            .withTolerations(placement.tolerations().isEmpty() ? null : placement.tolerations())
            .withNewSecurityContext()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName("agent")
            .withImage(config.image())
            .withArgs(args())
            .withPorts(ports())
            .withEnv(env(placement))
            .withNewSecurityContext()
            // Root, because Kubernetes grants no ambient capabilities to a non-root process: raw
            // VRRP sockets need NET_RAW and address changes need NET_ADMIN. Everything else is
            // dropped.
            .withRunAsUser(0L)
            .withRunAsNonRoot(false)
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withCapabilities(capabilities())
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withNewResources()
            .withRequests(
                Map.of(
                    "cpu",
                    new Quantity(config.resources().requests().cpu()),
                    "memory",
                    new Quantity(config.resources().requests().memory())))
            .withLimits(
                Map.of(
                    "cpu",
                    new Quantity(config.resources().limits().cpu()),
                    "memory",
                    new Quantity(config.resources().limits().memory())))
            .endResources()
            .withNewReadinessProbe()
            // The agent writes this file once its watches have synced and its event loop runs.
            .withNewExec()
            .withCommand("cat", RUN_DIR + "/ready")
            .endExec()
            .withPeriodSeconds(2)
            .withFailureThreshold(3)
            .endReadinessProbe()
            .addNewVolumeMount()
            .withName("run")
            .withMountPath(RUN_DIR)
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("run")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec()
            .buildSpec();
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(name(placement))
        .withNamespace(namespace)
        .withLabels(labels)
        .withAnnotations(Map.of(ANNOTATION_SPEC_HASH, hash(spec)))
        .withOwnerReferences(ownerReferences(owners))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /** {@code kubernetes}, plus the metrics endpoint's address and port unless it is off (port 0). */
  private List<String> args() {
    if (config.metricsPort() == 0) {
      return List.of("kubernetes");
    }
    return List.of(
        "kubernetes",
        "--metrics-address",
        config.metricsAddress(),
        "--metrics-port",
        Integer.toString(config.metricsPort()));
  }

  /**
   * The metrics port, named so that a PodMonitor can select it; on the host network it is a node
   * port.
   */
  private List<io.fabric8.kubernetes.api.model.ContainerPort> ports() {
    if (config.metricsPort() == 0) {
      return null;
    }
    return List.of(
        new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
            .withName("metrics")
            .withContainerPort(config.metricsPort())
            .withProtocol("TCP")
            .build());
  }

  /** prometheus.io/* annotations for annotation-based scraping, as the operator's own pods have. */
  private Map<String, String> scrapeAnnotations() {
    if (config.metricsPort() == 0) {
      return null;
    }
    return Map.of(
        "prometheus.io/scrape",
        "true",
        "prometheus.io/port",
        Integer.toString(config.metricsPort()),
        "prometheus.io/path",
        "/metrics");
  }

  /**
   * VIRTUALIP_PLACEMENT tells the agent which VirtualIPs are its own: a node selected by two
   * placements runs two agents, and each must run only the VirtualIPs of its DaemonSet, or both
   * would run the same election there. It is the same for every VirtualIP of the DaemonSet, so the
   * template still never changes when one is added.
   */
  private List<EnvVar> env(Placement placement) {
    return List.of(
        new EnvVarBuilder()
            .withName("NODE_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("POD_NAMESPACE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("VIRTUALIP_LEASE_DURATION_SECONDS")
            .withValue(Integer.toString(leaseDurationSeconds))
            .build(),
        new EnvVarBuilder().withName(ENV_PLACEMENT).withValue(placement.canonicalJson()).build());
  }

  private static Capabilities capabilities() {
    return new CapabilitiesBuilder().withDrop("ALL").withAdd("NET_ADMIN", "NET_RAW").build();
  }

  /** Owner references sorted by name so that the same owners always give the same object. */
  static List<OwnerReference> ownerReferences(Collection<VirtualIP> owners) {
    return owners.stream()
        .sorted(Comparator.comparing(v -> v.getMetadata().getName()))
        .map(
            v ->
                new OwnerReferenceBuilder()
                    .withApiVersion(v.getApiVersion())
                    .withKind(v.getKind())
                    .withName(v.getMetadata().getName())
                    .withUid(v.getMetadata().getUid())
                    .build())
        .toList();
  }

  /**
   * Creates or updates the placement's DaemonSet so that it is owned by exactly the live VirtualIPs
   * of that placement; deletes it when there are none (a real cluster's garbage collector would
   * too, but not before the last owner is gone for good). {@code cachedOwners} and {@code current}
   * (from the informer cache) only decide whether anything needs writing: what is written comes
   * from a fresh read, since a cache a write behind re-applied owners that had just been deleted
   * (issue 11: a bulk delete left the DaemonSet owned by deleted VirtualIPs).
   */
  public void reconcile(
      Placement placement, Collection<VirtualIP> cachedOwners, DaemonSet current) {
    if (current != null
        && !cachedOwners.isEmpty()
        && upToDate(current, desired(placement, cachedOwners))) {
      return;
    }
    converge(name(placement), placement.hash(), current, true);
  }

  /**
   * Lets {@code vip} (deleted, or moved to another placement) go from the DaemonSet {@code name}:
   * its owners become the live VirtualIPs of its placement, and it is deleted when there are none.
   * The DaemonSet is read afresh: a cache that does not show {@code vip} among its owners yet would
   * find nothing to release, and {@code vip} would be gone for good still owning it.
   */
  public void release(VirtualIP vip, String name) {
    DaemonSet current = client.apps().daemonSets().inNamespace(namespace).withName(name).get();
    if (current == null || current.getMetadata().getLabels() == null) {
      return;
    }
    LOG.debugf(
        "releasing agent DaemonSet %s/%s from %s", namespace, name, vip.getMetadata().getName());
    converge(name, current.getMetadata().getLabels().get(LABEL_PLACEMENT), current, false);
  }

  /**
   * Writes the DaemonSet's owners from the live VirtualIPs of its placement read after the
   * DaemonSet, guarded by the DaemonSet's version: whoever changed it after that read makes the
   * write fail (409, or 404 if it was deleted), and the next attempt reads again. A VirtualIP read
   * as live may still be deleted before the write lands, its cleanup finding a DaemonSet it does
   * not own yet and writing nothing: so after each write the VirtualIPs are read again, and a
   * difference is written again (guarded by the version just written). Whatever write comes last, a
   * VirtualIP it names was either still live after it (its own cleanup, reading the DaemonSet
   * afresh, releases it) or is seen deleted by its writer. {@code mayCreate}: false when releasing,
   * a placement whose DaemonSet is gone is not for the releaser to bring back.
   */
  private void converge(String name, String placementHash, DaemonSet seen, boolean mayCreate) {
    for (int attempt = 1; ; attempt++) {
      try {
        if (seen == null && !mayCreate) {
          return;
        }
        DaemonSet written = apply(liveOwners(placementHash), seen);
        if (written == null
            || ownerReferences(liveOwners(placementHash))
                .equals(written.getMetadata().getOwnerReferences())) {
          return;
        }
        if (attempt == MAX_ATTEMPTS) {
          throw new IllegalStateException(
              "the VirtualIPs of agent DaemonSet " + name + " keep changing; retried later");
        }
        seen = written;
      } catch (KubernetesClientException e) {
        boolean lostRace =
            e.getCode() == HttpURLConnection.HTTP_CONFLICT
                || (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && seen != null);
        if (!lostRace || attempt == MAX_ATTEMPTS) {
          throw e;
        }
        seen = client.apps().daemonSets().inNamespace(namespace).withName(name).get();
      }
    }
  }

  /** The VirtualIPs of the placement not being deleted, read from the API server. */
  private List<VirtualIP> liveOwners(String placementHash) {
    return client.resources(VirtualIP.class).list().getItems().stream()
        .filter(v -> v.getMetadata().getDeletionTimestamp() == null)
        .filter(v -> Objects.equals(Placement.of(v).hash(), placementHash))
        .toList();
  }

  /**
   * Makes {@code current} owned by {@code owners} (all of one placement), deleting it when there
   * are none; returns the DaemonSet as written, or null when nothing was created or updated.
   */
  private DaemonSet apply(List<VirtualIP> owners, DaemonSet current) {
    if (owners.isEmpty()) {
      if (current != null) {
        LOG.infof(
            "deleting agent DaemonSet %s/%s: no VirtualIP uses its placement any more",
            namespace, current.getMetadata().getName());
        delete(current);
      }
      return null;
    }
    Placement placement = Placement.of(owners.get(0));
    DaemonSet desired = desired(placement, owners);
    if (current == null) {
      LOG.infof(
          "creating agent DaemonSet %s/%s for placement %s",
          namespace, desired.getMetadata().getName(), placement.canonicalJson());
      return client.resource(desired).create();
    }
    if (upToDate(current, desired)) {
      return null;
    }
    DaemonSet update =
        new DaemonSetBuilder(current)
            .editMetadata()
            .withLabels(desired.getMetadata().getLabels())
            .addToAnnotations(desired.getMetadata().getAnnotations())
            .withOwnerReferences(desired.getMetadata().getOwnerReferences())
            .endMetadata()
            .withSpec(sameSpec(current, desired) ? current.getSpec() : desired.getSpec())
            .build();
    return client.resource(update).update();
  }

  /**
   * Deletes the DaemonSet as read: if someone changed it since (a new owner), 409 and the caller
   * reads again.
   */
  private void delete(DaemonSet current) {
    client
        .apps()
        .daemonSets()
        .inNamespace(namespace)
        .withName(current.getMetadata().getName())
        .lockResourceVersion(current.getMetadata().getResourceVersion())
        .delete();
  }

  private static boolean upToDate(DaemonSet current, DaemonSet desired) {
    return sameSpec(current, desired)
        && Objects.equals(current.getMetadata().getLabels(), desired.getMetadata().getLabels())
        && Objects.equals(
            current.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences());
  }

  private static boolean sameSpec(DaemonSet current, DaemonSet desired) {
    Map<String, String> annotations = current.getMetadata().getAnnotations();
    return annotations != null
        && desired
            .getMetadata()
            .getAnnotations()
            .get(ANNOTATION_SPEC_HASH)
            .equals(annotations.get(ANNOTATION_SPEC_HASH));
  }

  private String hash(DaemonSetSpec spec) {
    try {
      byte[] json =
          client.getKubernetesSerialization().asJson(spec).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(json))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
