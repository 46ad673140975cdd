package io.virtualip.agent.cli.vip;

import io.fabric8.kubernetes.api.model.Condition;
import io.virtualip.api.v1.Conditions;
import io.virtualip.api.v1.NodeState;
import io.virtualip.api.v1.NodeStatus;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.contract.SpecDefaults;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code kubectl vip get}: a wider {@code kubectl get virtualips}, with the backups, the VRRP
 * version and mode, and the nodes that are neither master nor backup. Pure: VirtualIPs and an
 * instant in, text out.
 */
public final class WideList {

  private WideList() {}

  public static String render(List<VirtualIP> vips, Instant now) {
    if (vips.isEmpty()) {
      return "No VirtualIPs found.\n";
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "NAME",
            "ADDRESSES",
            "VRID",
            "VERSION",
            "MODE",
            "MASTER",
            "BACKUPS",
            "OTHERS",
            "READY",
            "SPLIT-BRAIN",
            "DEGRADED",
            "AGE"));
    vips.stream()
        .sorted(Comparator.comparing(v -> v.getMetadata().getName()))
        .forEach(v -> rows.add(row(v, now)));
    return Text.table(rows);
  }

  private static List<String> row(VirtualIP v, Instant now) {
    List<NodeStatus> nodes =
        v.getStatus() == null || v.getStatus().nodes() == null ? List.of() : v.getStatus().nodes();
    List<String> backups =
        nodes.stream()
            .filter(n -> n.state() == NodeState.Backup)
            .map(NodeStatus::name)
            .sorted() // by name, not in the order the agents happened to write their entries
            .toList();
    // Masters too when more than one claims (status.master is then empty): the split brain shows in
    // the row.
    List<String> others =
        nodes.stream()
            .filter(n -> n.state() != NodeState.Backup && !n.name().equals(master(v)))
            .map(n -> n.name() + "(" + n.state() + ")")
            .sorted()
            .toList();
    return List.of(
        v.getMetadata().getName(),
        v.getSpec() == null || v.getSpec().addresses() == null
            ? "-"
            : String.join(",", v.getSpec().addresses()),
        Text.orDash(v.getStatus() == null ? null : v.getStatus().virtualRouterId()),
        v.getSpec() == null ? "-" : "v" + SpecDefaults.version(v.getSpec()),
        v.getSpec() == null ? "-" : SpecDefaults.mode(v.getSpec()).toString(),
        Text.orDash(master(v)),
        backups.isEmpty() ? "-" : String.join(",", backups),
        others.isEmpty() ? "-" : String.join(",", others),
        condition(v, Conditions.READY),
        condition(v, Conditions.SPLIT_BRAIN),
        condition(v, Conditions.DEGRADED),
        Text.age(v.getMetadata().getCreationTimestamp(), now));
  }

  private static String master(VirtualIP v) {
    return v.getStatus() == null ? null : v.getStatus().master();
  }

  private static String condition(VirtualIP v, String type) {
    if (v.getStatus() == null || v.getStatus().conditions() == null) {
      return "-";
    }
    return v.getStatus().conditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .map(Condition::getStatus)
        .map(Text::orDash)
        .orElse("-");
  }
}
