package io.virtualip.lab.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.virtualip.api.v1.VirtualIP;

/**
 * The seed's VirtualIP ({@code deploy/examples/seed-keepalived-v2.yaml}: keepalived's VI_1 as a
 * resource) with the lab's node names: {@code n1} and {@code n2} have the seed's priorities 151 and
 * 100; {@code n3}, which the seed does not have, gets 90 so that every election has one winner
 * (equal priorities are legal, but then the higher address wins only after both nodes were master
 * for a moment). VRRPv2 with the password from a Secret, and the {@code chk_http_port} track
 * (nothing listens on port 80 in the lab, so it never adds its weight).
 */
public final class SeedVirtualIp {

  public static final String NAME = "seed-vi-1";
  public static final String ADDRESS = "192.0.2.100";
  public static final String SECRET = "seed-vi-1-vrrp";
  public static final int VRID = 51;

  private static final String YAML =
      """
            apiVersion: virtualip.io/v1
            kind: VirtualIP
            metadata:
              name: seed-vi-1
            spec:
              addresses:
                - 192.0.2.100/24
              virtualRouterId: 51
              version: 2
              advertisementInterval: 1s
              defaultPriority: 100
              priorities:
                n1: 151
                n2: 100
                n3: 90
              authentication:
                type: Password
                secretRef:
                  name: seed-vi-1-vrrp
                  key: password
              tracks:
                - httpGet:
                    port: 80
                    path: /
                  weight: 2
                  intervalSeconds: 2
            """;

  private SeedVirtualIp() {}

  /**
   * Stores the password Secret and the VirtualIP, as {@code kubectl apply -f
   * deploy/examples/seed-*.yaml} would.
   */
  public static VirtualIP apply(ClusterLab cluster) {
    cluster.createSecret(SECRET, "password", "1111");
    KubernetesClient client = cluster.client();
    return client
        .resource(client.getKubernetesSerialization().unmarshal(YAML, VirtualIP.class))
        .create();
  }
}
