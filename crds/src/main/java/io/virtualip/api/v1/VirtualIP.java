package io.virtualip.api.v1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.virtualip.api.v1.schema.DeepMergePatch;

/**
 * A virtual IP address kept alive on exactly one healthy node by VRRP.
 *
 * <p>Cluster-scoped on purpose: the address belongs to the node network, not to a namespace, and
 * two namespaced objects could otherwise claim the same address or VRID unseen by each other. It
 * does not implement {@link Namespaced}.
 */
@Group(VirtualIP.GROUP)
@Version(VirtualIP.VERSION)
@Plural("virtualips")
@Singular("virtualip")
@ShortNames("vip")
@AdditionalPrinterColumn(
    name = "ADDRESSES",
    jsonPath = ".spec.addresses",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "VRID",
    jsonPath = ".status.virtualRouterId",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "MASTER",
    jsonPath = ".status.master",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "SPLIT-BRAIN",
    jsonPath = ".status.conditions[?(@.type==\"SplitBrain\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
// A VirtualIP without spec would be accepted and mean nothing; fabric8 has no way to mark the
// inherited spec required.
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
    {"required": ["spec"], "properties": {
      "spec": {"description": "Desired state: the addresses, the VRRP settings, and the nodes that elect the holder."},
      "status": {"description": "Observed state, written by the agents (status.nodes) and the operator (the rest)."}}}
    """)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class VirtualIP extends CustomResource<VirtualIPSpec, VirtualIPStatus> {
  public static final String GROUP = "virtualip.io";
  public static final String VERSION = "v1";
  public static final String CRD_NAME = "virtualips." + GROUP;
}
