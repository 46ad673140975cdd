package io.virtualip.agent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.virtualip.agent.vrrp.InstanceStatus;
import io.virtualip.agent.vrrp.PeerTable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control socket's answer, one JSON object:
 *
 * <pre>{@code
 * {"node":"node-a","instances":[{"name":"VI_1","vrid":51,"interface":"eth0","state":"MASTER","priority":151,
 *   "effectivePriority":151,"masterAddress":"192.0.2.11","advertsSent":42,"advertsReceived":0,
 *   "rejected":{"AUTH_MISMATCH":3},"peers":[{"address":"192.0.2.12","priority":100,"lastHeardMillisAgo":950,
 *   "packetsRejected":0,"lastVerdict":"ACCEPTED"}],"reason":"master down interval expired (...)",
 *   "announcementsSent":10}]}
 * }</pre>
 *
 * {@code state} is the core's state name (INITIALIZE, BACKUP, MASTER, FAULT); an instance that
 * cannot run (its interface is missing) is FAULT with the reason. {@code lastHeardMillisAgo} is
 * null for a peer whose adverts were all rejected.
 */
final class StatusJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusJson() {}

  static String render(String node, List<InstanceReport> reports) {
    ObjectNode root = JSON.createObjectNode();
    root.put("node", node);
    ArrayNode instances = root.putArray("instances");
    for (InstanceReport report : reports) {
      instances.add(instance(report));
    }
    return root.toString();
  }

  private static ObjectNode instance(InstanceReport report) {
    ObjectNode o = JSON.createObjectNode();
    InstanceStatus s = report.status();
    o.put("name", report.definition().name());
    o.put("vrid", report.definition().vrid());
    o.put("interface", report.interfaceName());
    o.put("state", s == null ? "FAULT" : s.state().name());
    o.put("priority", report.definition().priority());
    o.put("effectivePriority", s == null ? 0 : s.effectivePriority());
    o.put(
        "masterAddress",
        s == null || s.masterAddress() == null ? null : s.masterAddress().getHostAddress());
    o.put("advertsSent", s == null ? 0 : s.counters().advertsSent());
    o.put("advertsReceived", s == null ? 0 : s.counters().advertsReceived());
    ObjectNode rejected = o.putObject("rejected");
    if (s != null) {
      for (Map.Entry<String, Long> e : new TreeMap<>(s.counters().rejected()).entrySet()) {
        rejected.put(e.getKey(), e.getValue());
      }
    }
    ArrayNode peers = o.putArray("peers");
    if (s != null) {
      for (PeerTable.PeerStatus p : s.peers()) {
        ObjectNode peer = peers.addObject();
        peer.put("address", p.address().getHostAddress());
        peer.put("priority", p.lastPriority());
        if (p.lastPriority() < 0) {
          peer.putNull("lastHeardMillisAgo");
        } else {
          peer.put("lastHeardMillisAgo", (report.nowNanos() - p.lastHeardNanos()) / 1_000_000);
        }
        peer.put("packetsRejected", p.packetsRejected());
        peer.put("lastVerdict", p.lastVerdict() == null ? null : p.lastVerdict().name());
      }
    }
    o.put("reason", report.reason());
    o.put("announcementsSent", report.announcementsSent());
    return o;
  }
}
