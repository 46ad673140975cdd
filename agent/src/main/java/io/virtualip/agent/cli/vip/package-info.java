/**
 * {@code kubectl vip}: a VirtualIP explained from its status alone. {@link
 * io.virtualip.agent.cli.vip.WhyReport} and {@link io.virtualip.agent.cli.vip.WideList} render
 * (pure: a VirtualIP and an instant in, text out); {@link io.virtualip.agent.cli.vip.VipCommand}
 * reads the cluster. The diagnosis is the operator's own (the conditions it wrote) and the words
 * for codes come from the crds contract ({@code RejectReason}, {@code FaultReason}), so the plugin
 * never explains differently from the operator.
 */
package io.virtualip.agent.cli.vip;
