package io.virtualip.agent.dataplane;

import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for the agent's tests that need root (network namespaces, raw sockets, netlink changes): skipped
 * without root, as on a developer's machine, but failed with {@code VIRTUALIP_REQUIRE_ROOT_TESTS=1}, as CI sets it,
 * so that a lost privilege never turns into skipped checks counted as a pass. The same rule as the system harness's
 * {@code io.virtualip.lab.Requirements}.
 */
public final class Requirements {

    static final String STRICT = "VIRTUALIP_REQUIRE_ROOT_TESTS";

    private Requirements() {
    }

    /** @param why what the test needs root for, e.g. "network namespaces and raw sockets" */
    public static void root(String why) {
        require(NetnsPair.isRoot(), "needs root: " + why, System.getenv());
    }

    static void require(boolean met, String message, Map<String, String> environment) {
        if (met) {
            return;
        }
        if ("1".equals(environment.get(STRICT))) {
            Assertions.fail(message + " (" + STRICT + "=1: required here, not skipped)");
        }
        Assumptions.abort(message);
    }
}
