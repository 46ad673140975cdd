package io.virtualip.agent.config;

import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.VirtualIPSpec;
import java.util.Map;

/**
 * The VirtualIP spec's defaults (the CRD's {@code @Default}s) and this node's choices from it, shared by both readers
 * of a spec: the standalone {@link ConfigLoader} and the Kubernetes glue's resolver. Applied by the agent too because
 * a file never meets an API server, and a server without defaulting (the test server) or an object stored before a
 * default existed leaves the fields empty.
 */
public final class SpecDefaults {

    private SpecDefaults() {
    }

    public static int version(VirtualIPSpec spec) {
        return spec.getVersion() == null ? 3 : spec.getVersion();
    }

    public static String advertisementInterval(VirtualIPSpec spec) {
        return spec.getAdvertisementInterval() == null ? "1s" : spec.getAdvertisementInterval();
    }

    public static boolean preempt(VirtualIPSpec spec) {
        return spec.getPreempt() == null || spec.getPreempt();
    }

    public static String preemptDelay(VirtualIPSpec spec) {
        return spec.getPreemptDelay() == null ? "0s" : spec.getPreemptDelay();
    }

    public static Mode mode(VirtualIPSpec spec) {
        return spec.getMode() == null ? Mode.Multicast : spec.getMode();
    }

    /** {@code spec.priorities[node]}, else {@code spec.defaultPriority}, else 100. */
    public static int priority(VirtualIPSpec spec, String node) {
        Map<String, Integer> priorities = spec.getPriorities();
        if (priorities != null && priorities.get(node) != null) {
            return priorities.get(node);
        }
        return spec.getDefaultPriority() == null ? 100 : spec.getDefaultPriority();
    }
}
