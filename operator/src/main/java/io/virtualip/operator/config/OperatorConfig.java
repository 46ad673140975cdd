package io.virtualip.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The operator's settings (application.properties; each key can be overridden by its environment
 * variable, for example {@code VIRTUALIP_AGENT_IMAGE} for {@code virtualip.agent.image}). The Helm
 * chart sets the environment.
 */
@ConfigMapping(prefix = "virtualip")
public interface OperatorConfig {

  Agent agent();

  Vrid vrid();

  Lease lease();

  LeaderElection leaderElection();

  interface Agent {
    @WithDefault("virtualip/agent:0.1.0")
    String image();

    /**
     * Namespace of the agent DaemonSets and Leases; default: the operator's own (POD_NAMESPACE).
     */
    Optional<String> namespace();

    @WithDefault("virtualip-agent")
    String serviceAccount();

    Optional<String> priorityClassName();

    /**
     * Long enough for the agent to send its priority-0 advertisement and remove the address (RFC
     * 5798 6.4.3).
     */
    @WithDefault("10")
    long terminationGracePeriodSeconds();

    Resources resources();

    /**
     * Port of the agents' Prometheus endpoint ({@code --metrics-port}); 0 turns it off. The agents
     * use the host network, so this is a port on every node: 9477 is not one of the usual node
     * ports (node exporter 9100, kubelet 10250, kube-proxy 10249/10256, MetalLB 7472, kube-vip
     * 2112, keepalived exporter 9165).
     */
    @WithDefault("9477")
    int metricsPort();

    /**
     * Address the agents' metrics endpoint binds to ({@code --metrics-address}); all node addresses
     * by default.
     */
    @WithDefault("0.0.0.0")
    String metricsAddress();
  }

  interface Resources {
    Quantities requests();

    Quantities limits();
  }

  interface Quantities {
    String cpu();

    String memory();
  }

  interface Vrid {
    /** VRIDs used by other VRRP routers on the network, never allocated: "1-10,51". */
    Optional<String> reserved();
  }

  interface LeaderElection {
    /**
     * Whether a replica that loses the leader Lease exits, so that its restart rejoins the election
     * with fresh informers; tests turn it off because they stop the API server before the
     * application.
     */
    @WithDefault("true")
    boolean exitOnStopLeading();
  }

  interface Lease {
    /** How long an agent's Lease stays valid without renewal; agents renew every second. */
    @WithDefault("4")
    int durationSeconds();
  }
}
