package io.virtualip.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Toleration;
import io.virtualip.api.v1.contract.SpecDefaults;
import io.virtualip.api.v1.schema.DeepMergePatch;
import java.util.List;
import java.util.Map;

/**
 * Desired state of a virtual IP: the addresses, the VRRP settings of the routers that elect its
 * holder, and where they run.
 *
 * <p>An absent field is null here; the API server fills in the {@code @Default}s ({@link
 * SpecDefaults} applies them to a spec that never met one). Callers name what they set through
 * {@link #builder()} and {@link #toBuilder()} rather than by position.
 */
@ValidationRule(
    value = "self.addresses.all(a, a.contains(':')) || self.addresses.all(a, !a.contains(':'))",
    message =
        "addresses must all be IPv4 or all be IPv6: one VRRP instance carries one address family",
    reason = "FieldValueInvalid",
    fieldPath = ".addresses")
@ValidationRule(
    value = "self.version != 2 || self.addresses.all(a, !a.contains(':'))",
    message = "version 2 (RFC 3768) carries IPv4 addresses only: use version 3 for IPv6",
    reason = "FieldValueInvalid",
    fieldPath = ".version")
@ValidationRule(
    value =
        "self.version != 2 || (self.advertisementInterval.matches('^[0-9]+s$') && duration(self.advertisementInterval) >= duration('1s') && duration(self.advertisementInterval) <= duration('255s'))",
    message = "with version 2 the advertisementInterval must be whole seconds from 1s to 255s",
    messageExpression =
        "'with version 2 the advertisementInterval must be whole seconds from 1s to 255s, not ' + self.advertisementInterval",
    reason = "FieldValueInvalid",
    fieldPath = ".advertisementInterval")
@ValidationRule(
    value =
        "self.version != 3 || ((self.advertisementInterval.matches('^[0-9]*0ms$') || self.advertisementInterval.matches('^[0-9]+([.][0-9]{1,2})?s$')) && duration(self.advertisementInterval) >= duration('10ms') && duration(self.advertisementInterval) <= duration('40950ms'))",
    message =
        "with version 3 the advertisementInterval must be 10ms to 40.95s in steps of 10ms (for example 1s, 100ms, 0.25s)",
    messageExpression =
        "'with version 3 the advertisementInterval must be 10ms to 40.95s in steps of 10ms (for example 1s, 100ms, 0.25s), not ' + self.advertisementInterval",
    reason = "FieldValueInvalid",
    fieldPath = ".advertisementInterval")
@ValidationRule(
    value =
        "!has(self.authentication) || self.authentication.type != 'Password' || self.version == 2",
    message =
        "authentication type Password exists only in version 2 (RFC 3768); VRRPv3 has no authentication",
    reason = "FieldValueForbidden",
    fieldPath = ".authentication")
@ValidationRule(
    value =
        "!has(self.unicastPeers) || self.unicastPeers.all(p, self.addresses.all(a, p.contains(':') == a.contains(':')))",
    message = "unicastPeers must be of the same address family as addresses",
    reason = "FieldValueInvalid",
    fieldPath = ".unicastPeers")
@ValidationRule(
    value = "!has(self.unicastPeers) || self.mode == 'Unicast'",
    message =
        "unicastPeers are used only with mode Unicast; set mode: Unicast or remove unicastPeers",
    reason = "FieldValueForbidden",
    fieldPath = ".unicastPeers")
@ValidationRule(
    value =
        "!self.preemptDelay.matches('^([0-9]+(ms|s)|[0-9]+[.][0-9]+s)$') || duration(self.preemptDelay) <= duration('1000s')",
    message = "preemptDelay must be at most 1000s",
    messageExpression = "'preemptDelay must be at most 1000s, not ' + self.preemptDelay",
    reason = "FieldValueInvalid",
    fieldPath = ".preemptDelay")
// What fabric8 7.5.2 cannot say with annotations: list types, and bounds on list items and map
// values. The API server needs maxLength on the strings that rules read, or it refuses the rules as
// too costly.
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
    {"properties": {
      "addresses": {"x-kubernetes-list-type": "set", "items": {"maxLength": 49, "x-kubernetes-validations": [{
        "rule": "!self.matches('"""
            + AddressPatterns.NOT_UNICAST
            + "')\","
            + """

        "messageExpression": "self + ' is not an address a node can hold: unspecified, loopback, link-local, multicast, broadcast or reserved addresses are refused'",
        "message": "not an address a node can hold: unspecified, loopback, link-local, multicast, broadcast or reserved addresses are refused",
        "reason": "FieldValueInvalid"}]}},
      "unicastPeers": {"x-kubernetes-list-type": "set", "items": {"maxLength": 45}},
      "priorities": {"additionalProperties": {"minimum": 1, "maximum": 254}},
      "tolerations": {"items": {"properties": {
        "key": {"description": "Taint key to tolerate; empty with operator Exists tolerates every taint."},
        "operator": {"description": "Exists or Equal (default): whether the taint's value must equal value."},
        "value": {"description": "Taint value to match when operator is Equal."},
        "effect": {"description": "Taint effect to tolerate: NoSchedule, PreferNoSchedule or NoExecute; empty for all."},
        "tolerationSeconds": {"description": "For NoExecute: how long the agent pod stays after the taint appears."}}}}}}
    """)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "addresses",
  "interface",
  "virtualRouterId",
  "version",
  "advertisementInterval",
  "defaultPriority",
  "priorities",
  "preempt",
  "preemptDelay",
  "mode",
  "unicastPeers",
  "authentication",
  "nodeSelector",
  "tolerations",
  "tracks",
  "splitBrainPolicy"
})
public record VirtualIPSpec(
    @JsonPropertyDescription(
            "Virtual addresses with prefix length (192.0.2.100/24 or 2001:db8::100/64), all of one family; 1 to 16.")
        @Required
        @Size(min = 1, max = 16)
        @ValidationRule(
            value =
                "self.all(a, a.contains(':') ? a.matches('"
                    + AddressPatterns.IPV6_WITH_PREFIX
                    + "') : a.matches('"
                    + AddressPatterns.IPV4_WITH_PREFIX
                    + "'))",
            message =
                "each address must be an IP address with a prefix length, for example 192.0.2.100/24 or 2001:db8::100/64",
            reason = "FieldValueInvalid")
        List<String> addresses,
    @JsonProperty("interface")
        @JsonPropertyDescription(
            "Node interface that holds the addresses; default: the interface whose connected subnet contains the first address.")
        @Size(min = 1, max = 15)
        @Pattern("^[^/: \\t\\n]+$")
        String interfaceName,
    @JsonPropertyDescription(
            "VRRP virtual router ID (VRID), 1 to 255; when absent the operator allocates one and records it in status.virtualRouterId.")
        @Min(1)
        @Max(255)
        Integer virtualRouterId,
    @JsonPropertyDescription(
            "VRRP version: 3 (RFC 5798, IPv4 and IPv6, default) or 2 (RFC 3768, IPv4 only).")
        @Default(SpecDefaults.VERSION)
        @Min(2)
        @Max(3)
        Integer version,
    @JsonPropertyDescription(
            "Interval between advertisements of the master: version 3 accepts 10ms to 40.95s in 10ms steps, version 2 whole seconds 1s to 255s.")
        @Default(SpecDefaults.ADVERTISEMENT_INTERVAL)
        @Size(max = 16)
        @Pattern("^([0-9]+(ms|s)|[0-9]+[.][0-9]+s)$")
        String advertisementInterval,
    @JsonPropertyDescription(
            "VRRP priority of nodes not listed in priorities, 1 to 254; the highest priority becomes master.")
        @Default(SpecDefaults.DEFAULT_PRIORITY)
        @Min(1)
        @Max(254)
        Integer defaultPriority,
    @JsonPropertyDescription(
            "VRRP priority by node name, 1 to 254 (255 belongs to the address owner, 0 means the master is leaving).")
        @Size(max = 256)
        Map<String, Integer> priorities,
    @JsonPropertyDescription(
            "Whether a higher-priority node takes the address back from a lower-priority master (default true).")
        @Default(SpecDefaults.PREEMPT)
        Boolean preempt,
    @JsonPropertyDescription(
            "How long a higher-priority node waits before preempting after it starts (like keepalived's preempt_delay), at most 1000s.")
        @Default(SpecDefaults.PREEMPT_DELAY)
        @Size(max = 16)
        @Pattern("^([0-9]+(ms|s)|[0-9]+[.][0-9]+s)$")
        String preemptDelay,
    @JsonPropertyDescription(
            "Multicast (default): advertisements go to 224.0.0.18 or ff02::12. Unicast: advertisements go to each peer, for networks that drop multicast or IP protocol 112 to it.")
        @Default(SpecDefaults.MODE)
        Mode mode,
    @JsonPropertyDescription(
            "Peer addresses for mode Unicast; in Kubernetes the default is the InternalIPs of the other selected nodes.")
        @Size(max = 64)
        @ValidationRule(
            value = "self.all(p, p.matches('" + AddressPatterns.IP + "'))",
            message = "each unicast peer must be a plain IP address without prefix length",
            reason = "FieldValueInvalid")
        List<String> unicastPeers,
    @JsonPropertyDescription("VRRPv2 authentication; Password only with version 2.")
        Authentication authentication,
    @JsonPropertyDescription(
            "Nodes that run the election for this address (a label selector in map form); default: all nodes.")
        @Size(max = 64)
        Map<String, String> nodeSelector,
    @JsonPropertyDescription("Tolerations for the agent pods that run the election.")
        @Size(max = 32)
        List<Toleration> tolerations,
    @JsonPropertyDescription("Health inputs that move this node's priority or put it in Fault.")
        @Size(max = 32)
        List<Track> tracks,
    @JsonPropertyDescription(
            "Report (default): a split brain is reported in conditions and events. Resolve: the operator also tells every master but the highest-priority one to step down.")
        @Default(SpecDefaults.SPLIT_BRAIN_POLICY)
        SplitBrainPolicy splitBrainPolicy) {

  // fabric8 7.5.2 reads a field's @ValidationRule from both the field and its accessor, and a
  // record component puts it on both: declared here, without the annotation, the two accessors
  // below keep each of their rules in the CRD once.
  @Override
  public List<String> addresses() {
    return addresses;
  }

  @Override
  public List<String> unicastPeers() {
    return unicastPeers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values, to make a copy with a few of them changed. */
  public Builder toBuilder() {
    return new Builder()
        .addresses(addresses)
        .interfaceName(interfaceName)
        .virtualRouterId(virtualRouterId)
        .version(version)
        .advertisementInterval(advertisementInterval)
        .defaultPriority(defaultPriority)
        .priorities(priorities)
        .preempt(preempt)
        .preemptDelay(preemptDelay)
        .mode(mode)
        .unicastPeers(unicastPeers)
        .authentication(authentication)
        .nodeSelector(nodeSelector)
        .tolerations(tolerations)
        .tracks(tracks)
        .splitBrainPolicy(splitBrainPolicy);
  }

  /** Fields by name; unset ones stay null (absent in JSON, so the CRD's defaults apply). */
  public static final class Builder {
    private List<String> addresses;
    private String interfaceName;
    private Integer virtualRouterId;
    private Integer version;
    private String advertisementInterval;
    private Integer defaultPriority;
    private Map<String, Integer> priorities;
    private Boolean preempt;
    private String preemptDelay;
    private Mode mode;
    private List<String> unicastPeers;
    private Authentication authentication;
    private Map<String, String> nodeSelector;
    private List<Toleration> tolerations;
    private List<Track> tracks;
    private SplitBrainPolicy splitBrainPolicy;

    private Builder() {}

    public Builder addresses(List<String> v) {
      addresses = v;
      return this;
    }

    public Builder interfaceName(String v) {
      interfaceName = v;
      return this;
    }

    public Builder virtualRouterId(Integer v) {
      virtualRouterId = v;
      return this;
    }

    public Builder version(Integer v) {
      version = v;
      return this;
    }

    public Builder advertisementInterval(String v) {
      advertisementInterval = v;
      return this;
    }

    public Builder defaultPriority(Integer v) {
      defaultPriority = v;
      return this;
    }

    public Builder priorities(Map<String, Integer> v) {
      priorities = v;
      return this;
    }

    public Builder preempt(Boolean v) {
      preempt = v;
      return this;
    }

    public Builder preemptDelay(String v) {
      preemptDelay = v;
      return this;
    }

    public Builder mode(Mode v) {
      mode = v;
      return this;
    }

    public Builder unicastPeers(List<String> v) {
      unicastPeers = v;
      return this;
    }

    public Builder authentication(Authentication v) {
      authentication = v;
      return this;
    }

    public Builder nodeSelector(Map<String, String> v) {
      nodeSelector = v;
      return this;
    }

    public Builder tolerations(List<Toleration> v) {
      tolerations = v;
      return this;
    }

    public Builder tracks(List<Track> v) {
      tracks = v;
      return this;
    }

    public Builder splitBrainPolicy(SplitBrainPolicy v) {
      splitBrainPolicy = v;
      return this;
    }

    public VirtualIPSpec build() {
      return new VirtualIPSpec(
          addresses,
          interfaceName,
          virtualRouterId,
          version,
          advertisementInterval,
          defaultPriority,
          priorities,
          preempt,
          preemptDelay,
          mode,
          unicastPeers,
          authentication,
          nodeSelector,
          tolerations,
          tracks,
          splitBrainPolicy);
    }
  }
}
