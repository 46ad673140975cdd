package io.virtualip.operator.reconciler;

import io.virtualip.api.v1.VirtualIP;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rules of the CRD schema that a lax API server (or a stale CRD) may not enforce, checked again so that a bad
 * resource gets Ready=False/InvalidSpec and an event instead of a crash loop.
 */
@ApplicationScoped
public class SpecValidator {
  private static final Pattern CIDR = Pattern.compile("^([0-9a-fA-F:.]+)/([0-9]{1,3})$");

  public List<String> violations(VirtualIP vip) {
    List<String> problems = new ArrayList<>();
    var spec = vip.getSpec();
    if (spec == null) {
      return List.of("spec is required");
    }
    if (spec.getAddresses() == null || spec.getAddresses().isEmpty()) {
      problems.add("spec.addresses needs at least one address");
      return problems;
    }
    int v4 = 0;
    int v6 = 0;
    for (String address : spec.getAddresses()) {
      var m = address == null ? null : CIDR.matcher(address);
      if (m == null || !m.matches() || !literal(m.group(1))) {
        problems.add("spec.addresses: '" + address + "' is not an IP address with a prefix length");
        continue;
      }
      boolean ipv6 = m.group(1).contains(":");
      int prefix = Integer.parseInt(m.group(2));
      if (prefix > (ipv6 ? 128 : 32)) {
        problems.add("spec.addresses: prefix length of '" + address + "' is too long");
      }
      if (ipv6) {
        v6++;
      } else {
        v4++;
      }
    }
    if (v4 > 0 && v6 > 0) {
      problems.add("spec.addresses must all be IPv4 or all be IPv6");
    }
    if (v6 > 0 && spec.getVersion() != null && spec.getVersion() == 2) {
      problems.add("spec.version 2 carries IPv4 addresses only");
    }
    if (spec.getVirtualRouterId() != null && (spec.getVirtualRouterId() < 1 || spec.getVirtualRouterId() > 255)) {
      problems.add("spec.virtualRouterId must be from 1 to 255");
    }
    if (spec.getAdvertisementInterval() != null && Intervals.parse(spec.getAdvertisementInterval()).isEmpty()) {
      problems.add("spec.advertisementInterval '" + spec.getAdvertisementInterval() + "' is not a duration");
    }
    return problems;
  }

  private static boolean literal(String s) {
    if (!s.contains(":") && !s.matches("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$")) {
      return false;
    }
    try {
      InetAddress.getByName(s); // a literal: never a DNS lookup
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
