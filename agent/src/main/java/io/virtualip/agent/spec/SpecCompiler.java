package io.virtualip.agent.spec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.virtualip.api.v1.AuthenticationType;
import io.virtualip.api.v1.HttpGetTrack;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.SecretKeySelector;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import io.virtualip.api.v1.VirtualIPStatus;
import io.virtualip.api.v1.contract.Printable;
import io.virtualip.api.v1.contract.SpecDefaults;
import io.virtualip.api.v1.contract.SpecDuration;
import io.virtualip.api.v1.validation.CrdValidator;
import io.virtualip.api.v1.validation.Violation;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * VirtualIP + node facts + secrets → what this node runs ({@link Compiled}). Pure apart from the
 * secret lookup: the same inputs give an equal verdict, which is how the Kubernetes glue knows
 * nothing changed.
 *
 * <p>In order: the CRD's validator (schema and CEL rules, exactly what the API server refuses,
 * whichever way the spec came), the CRD's defaults (the API server's own, so no default lives
 * here), then what only a node can judge: the password's bytes, the peers, the VRID's source, and a
 * few checks the schema cannot express. Nothing is repaired: a value the agent cannot run as
 * written is refused with the field and the problem.
 */
public final class SpecCompiler {

  /** RFC 3768 section 5.3.6.1: the simple text password occupies the 8 authentication bytes. */
  public static final int MAX_PASSWORD_BYTES = 8;

  static final String WAITING_FOR_VRID =
      "waiting for the operator's status.virtualRouterId (absent while the "
          + "VirtualIP is invalid or conflicts with another)";

  /**
   * A keepalived-style instance name: what file mode accepts besides a DNS subdomain, bounded
   * alike.
   */
  private static final java.util.regex.Pattern KEEPALIVED_NAME =
      java.util.regex.Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * Strict: after the CRD's validation nothing should fail here; if it does, it is refused, never
   * coerced.
   */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private final CrdValidator validator;

  public SpecCompiler() {
    this(CrdValidator.load());
  }

  SpecCompiler(CrdValidator validator) {
    this.validator = validator;
  }

  /**
   * Compiles a typed VirtualIP (as the informers deliver it). Of its status only virtualRouterId is
   * read, so only that is converted and validated: the agents' entries are the bulk of the object,
   * the API server validated them already, and validating them again on every pass over every
   * VirtualIP made each status write cost every agent of the placement a validation of all its
   * VirtualIPs (issue 14). Nor can another node's report make this node refuse a VirtualIP.
   */
  public Compiled compile(
      VirtualIP vip, NodeFacts node, Secrets secrets, Source source, String origin) {
    List<Object> key =
        Arrays.asList(
            // The spec as text: its lists and maps may be changed in place later.
            SERIALIZATION.asJson(vip.getSpec()),
            vip.getStatus() == null ? null : vip.getStatus().virtualRouterId(),
            source);
    String name = vip.getMetadata().getName();
    Checked c = name == null ? null : checked.get(name);
    if (c == null || !c.key().equals(key)) {
      c = check(SERIALIZATION.convertValue(withoutReports(vip), JsonNode.class), source, key);
      if (name != null) {
        if (checked.size() >= MAX_CHECKED) {
          checked.clear();
        }
        checked.put(name, c);
      }
    }
    return run(c, node, secrets, source, origin);
  }

  /**
   * What the validation of one VirtualIP gave, by the spec and VRID it was for: the Kubernetes glue
   * compiles every VirtualIP of the node on each informer event, and the spec, not the event,
   * decides the schema's and CEL rules' verdict (issue 14: these checks were most of a simulated
   * node's CPU).
   *
   * @param invalid the verdict when the validation refused it, else null
   */
  private record Checked(List<Object> key, Compiled invalid, VirtualIP vip, JsonNode status) {}

  /** Bounds the memo of {@link #checked} against names that come and go. */
  static final int MAX_CHECKED = 4096;

  private final Map<String, Checked> checked = new ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.LongAdder validations =
      new java.util.concurrent.atomic.LongAdder();

  /** How many resources were run through the CRD's validation (for tests). */
  long validations() {
    return validations.sum();
  }

  private static VirtualIP withoutReports(VirtualIP vip) {
    if (vip.getStatus() == null) {
      return vip;
    }
    VirtualIP copy = new VirtualIP();
    copy.setApiVersion(vip.getApiVersion());
    copy.setKind(vip.getKind());
    copy.setMetadata(vip.getMetadata());
    copy.setSpec(vip.getSpec());
    copy.setStatus(VirtualIPStatus.EMPTY.withVirtualRouterId(vip.getStatus().virtualRouterId()));
    return copy;
  }

  /**
   * Compiles a VirtualIP as written (a YAML document, an object as stored).
   *
   * @param origin where it comes from, kept in the definition for the runtime's messages
   */
  public Compiled compile(
      JsonNode resource, NodeFacts node, Secrets secrets, Source source, String origin) {
    return run(check(resource, source, null), node, secrets, source, origin);
  }

  private Compiled run(
      Checked checked, NodeFacts node, Secrets secrets, Source source, String origin) {
    if (checked.invalid() != null) {
      return checked.invalid();
    }
    try {
      return new Compilation(checked.vip(), checked.status(), node, secrets, source, origin).run();
    } catch (Refusal r) {
      return r.verdict;
    }
  }

  /** The CRD's validation and defaults: what the API server would store, or why it would not. */
  private Checked check(JsonNode resource, Source source, List<Object> key) {
    validations.increment();
    List<Violation> violations = validator.validate(resource);
    if (source == Source.FILE
        && KEEPALIVED_NAME.matcher(resource.path("metadata").path("name").asText("")).matches()) {
      // Files keep keepalived's instance names (VI_1), which no cluster accepts: the one
      // divergence, and bounded.
      violations = violations.stream().filter(v -> !v.field().equals("metadata.name")).toList();
    }
    if (!violations.isEmpty()) {
      Violation first = violations.get(0);
      return new Checked(
          key, new Compiled.Invalid(first.field(), Printable.of(first.message(), 400)), null, null);
    }
    JsonNode defaulted = validator.withDefaults(resource);
    // status is the operator's (or a file's copy of it); only virtualRouterId matters here, and an
    // old agent must not
    // refuse a newer operator's status fields.
    JsonNode status = defaulted.path("status");
    if (defaulted instanceof ObjectNode o) {
      o.remove("status");
    }
    VirtualIP vip;
    try {
      vip = STRICT.treeToValue(defaulted, VirtualIP.class);
    } catch (Exception e) {
      return new Checked(
          key,
          new Compiled.Invalid(
              "",
              "not a VirtualIP the agent can read: "
                  + Printable.of(
                      String.valueOf(e.getMessage()).lines().findFirst().orElse(""), 200)),
          null,
          null);
    }
    return new Checked(key, null, vip, status);
  }

  /** Ends a compilation with its verdict. */
  private static final class Refusal extends Exception {
    final Compiled verdict;

    Refusal(Compiled verdict) {
      super(null, null, false, false);
      this.verdict = verdict;
    }
  }

  private static final class Compilation {
    private final VirtualIP vip;
    private final VirtualIPSpec spec;
    private final JsonNode status;
    private final NodeFacts node;
    private final Secrets secrets;
    private final Source source;
    private final String origin;

    Compilation(
        VirtualIP vip,
        JsonNode status,
        NodeFacts node,
        Secrets secrets,
        Source source,
        String origin) {
      this.vip = vip;
      this.spec = vip.getSpec();
      this.status = status;
      this.node = node;
      this.secrets = secrets;
      this.source = source;
      this.origin = origin;
    }

    private static Refusal invalid(String field, String problem) {
      return new Refusal(new Compiled.Invalid(field, problem));
    }

    private static Refusal waiting(String reason) {
      return new Refusal(new Compiled.Waiting(reason));
    }

    Compiled run() throws Refusal {
      List<AddressPrefix> addresses = addresses();
      boolean ipv6 = addresses.get(0).ipv6();
      int version = spec.version();
      int interval = intervalCentis(version);
      Duration preemptDelay = duration("spec.preemptDelay", spec.preemptDelay());
      List<VipDefinition.InterfaceTrack> interfaceTracks = new ArrayList<>();
      List<VipDefinition.ExternalTrack> externalTracks = new ArrayList<>();
      tracks(interfaceTracks, externalTracks);
      // Node-dependent inputs last: a spec that is wrong in itself is refused before anything is
      // waited for.
      List<InetAddress> peers = unicastPeers(ipv6);
      byte[] password = password();
      int vrid = vrid();
      return new Compiled.Run(
          new VipDefinition(
              origin,
              vip.getMetadata().getName(),
              spec.interfaceName(),
              addresses,
              vrid,
              version,
              SpecDefaults.priority(spec, node.nodeName()),
              interval,
              spec.preempt(),
              preemptDelay,
              password,
              peers,
              interfaceTracks,
              externalTracks));
    }

    private List<AddressPrefix> addresses() throws Refusal {
      List<AddressPrefix> addresses = new ArrayList<>();
      List<String> texts = spec.addresses();
      for (int i = 0; i < texts.size(); i++) {
        AddressPrefix prefix;
        try {
          prefix = AddressPrefix.parse(texts.get(i));
        } catch (IllegalArgumentException e) {
          throw invalid("spec.addresses[" + i + "]", Printable.of(e.getMessage(), 200));
        }
        for (AddressPrefix earlier : addresses) {
          if (earlier.address().equals(prefix.address())) {
            throw invalid("spec.addresses[" + i + "]", "'" + texts.get(i) + "' repeats an address");
          }
        }
        addresses.add(prefix);
      }
      return addresses;
    }

    private int intervalCentis(int version) throws Refusal {
      Duration d = duration("spec.advertisementInterval", spec.advertisementInterval());
      // The CRD's rules bound it per version; the centisecond grid is the advert's unit (RFC 5798
      // section 5.2.7).
      if (d.toNanos() % 10_000_000 != 0) {
        throw invalid(
            "spec.advertisementInterval",
            "'" + spec.advertisementInterval() + "' is not a whole number of centiseconds");
      }
      return (int) (d.toMillis() / 10);
    }

    private Duration duration(String field, String text) throws Refusal {
      try {
        return SpecDuration.parse(text).value();
      } catch (IllegalArgumentException e) {
        throw invalid(field, e.getMessage());
      }
    }

    private void tracks(
        List<VipDefinition.InterfaceTrack> interfaceTracks,
        List<VipDefinition.ExternalTrack> externalTracks)
        throws Refusal {
      List<Track> tracks = spec.tracks() == null ? List.of() : spec.tracks();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < tracks.size(); i++) {
        Track t = tracks.get(i);
        String field = "spec.tracks[" + i + "]";
        String prefix = "tracks[" + i + "] ";
        int weight = SpecDefaults.weight(t);
        if (t.interfaceName() != null) {
          if (!seen.add("interface " + t.interfaceName())) {
            throw invalid(field + ".interface", "'" + t.interfaceName() + "' is tracked twice");
          }
          interfaceTracks.add(new VipDefinition.InterfaceTrack(t.interfaceName(), weight));
        } else if (t.httpGet() != null) {
          HttpGetTrack h = t.httpGet();
          String host = SpecDefaults.host(h);
          String path = SpecDefaults.path(h);
          if (!path.startsWith("/")) {
            throw invalid(field + ".httpGet.path", "must start with '/'");
          }
          String what =
              "httpGet " + (host.contains(":") ? "[" + host + "]" : host) + ":" + h.port() + path;
          if (!seen.add(what)) {
            throw invalid(field + ".httpGet", "'" + Printable.of(what, 200) + "' is tracked twice");
          }
          externalTracks.add(
              new VipDefinition.ExternalTrack(
                  prefix + what,
                  weight,
                  new VipDefinition.HttpGetCheck(
                      host,
                      h.port(),
                      path,
                      SpecDefaults.intervalSeconds(t),
                      SpecDefaults.failureThreshold(t),
                      SpecDefaults.successThreshold(t))));
        } else if (t.pods() != null) {
          if (source == Source.FILE) {
            throw invalid(
                field + ".pods",
                "pods tracks need Kubernetes; the standalone agent supports interface "
                    + "and httpGet tracks");
          }
          String what =
              "pods in "
                  + t.pods().namespace()
                  + " "
                  + (t.pods().selector() == null ? "{}" : t.pods().selector().getMatchLabels());
          externalTracks.add(
              new VipDefinition.ExternalTrack(
                  prefix + what,
                  weight,
                  null,
                  new VipDefinition.PodsCheck(t.pods().namespace(), t.pods().selector())));
        } else {
          throw invalid(field, "a track needs exactly one of interface, httpGet or pods");
        }
      }
    }

    private List<InetAddress> unicastPeers(boolean ipv6) throws Refusal {
      if (spec.mode() != Mode.Unicast) {
        return List.of();
      }
      List<String> texts = spec.unicastPeers();
      String field = "spec.unicastPeers";
      if (texts == null || texts.isEmpty()) {
        if (source == Source.FILE) {
          throw invalid(
              field,
              "required with mode Unicast by the standalone agent (it knows no other nodes)");
        }
        texts = node.defaultPeers().stream().filter(p -> p.contains(":") == ipv6).toList();
        if (texts.isEmpty()) {
          throw waiting(
              "mode Unicast without unicastPeers: no other selected node has an InternalIP of the "
                  + "addresses' family yet");
        }
        field = "unicast peer (a node's InternalIP)";
      }
      List<InetAddress> peers = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        try {
          InetAddress peer = AddressPrefix.parseAddress(texts.get(i));
          if ((peer.getAddress().length == 16) != ipv6) {
            throw invalid(field + "[" + i + "]", "must be of the same address family as addresses");
          }
          if (!peers.contains(peer)) {
            peers.add(peer);
          }
        } catch (IllegalArgumentException e) {
          throw invalid(field + "[" + i + "]", Printable.of(e.getMessage(), 200));
        }
      }
      return peers;
    }

    private byte[] password() throws Refusal {
      if (spec.authentication() == null
          || spec.authentication().type() != AuthenticationType.Password) {
        return null;
      }
      String field = "spec.authentication.secretRef";
      SecretKeySelector ref = spec.authentication().secretRef();
      if (ref == null || ref.name() == null || ref.key() == null) {
        throw invalid(field, "required with type Password: {name, key}");
      }
      Optional<byte[]> value;
      try {
        value = secrets.read(ref.name(), ref.key());
      } catch (IllegalArgumentException e) {
        throw invalid(field, e.getMessage());
      }
      String what =
          "Secret " + Printable.of(ref.name(), 253) + " key " + Printable.of(ref.key(), 253);
      if (value.isEmpty()) {
        if (source == Source.FILE) {
          throw invalid(field, "cannot read " + what + ": no such file");
        }
        throw waiting(what + " not found");
      }
      byte[] password = value.get();
      // A trailing newline is what `echo secret > file` (and kubectl create secret --from-file)
      // leaves; it is never
      // part of a VRRP password.
      int length = password.length;
      if (length > 0 && password[length - 1] == '\n') {
        length--;
      }
      if (length == 0 || length > MAX_PASSWORD_BYTES) {
        // Never cut: the peers would send other bytes than the user wrote, and keepalived's cut is
        // not a contract.
        throw invalid(
            field, what + " must hold 1 to 8 bytes (VRRPv2 simple text password), has " + length);
      }
      return Arrays.copyOf(password, length);
    }

    private int vrid() throws Refusal {
      JsonNode recorded = status.path("virtualRouterId");
      Integer fromStatus =
          recorded.canConvertToInt() && recorded.isIntegralNumber() ? recorded.intValue() : null;
      if (source == Source.CLUSTER) {
        // Only the operator's VRID: it leaves status.virtualRouterId absent while the VirtualIP
        // conflicts with another (or is invalid), so that the newer of two conflicting VirtualIPs
        // never disturbs the older one's election. spec.virtualRouterId is the operator's input,
        // never run directly.
        if (fromStatus == null) {
          throw waiting(WAITING_FOR_VRID);
        }
        if (fromStatus < 1 || fromStatus > 255) {
          throw invalid("status.virtualRouterId", "must be 1 to 255, was " + fromStatus);
        }
        return fromStatus;
      }
      Integer vrid = spec.virtualRouterId() != null ? spec.virtualRouterId() : fromStatus;
      if (vrid == null) {
        throw invalid(
            "spec.virtualRouterId", "required by the standalone agent (no operator allocates one)");
      }
      if (vrid < 1 || vrid > 255) {
        throw invalid("spec.virtualRouterId", "must be 1 to 255, was " + vrid);
      }
      return vrid;
    }
  }
}
