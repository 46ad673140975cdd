package io.virtualip.lab;

import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a network test needs from the machine. Where it is missing the test is skipped (a developer without root), but
 * with {@code VIRTUALIP_REQUIRE_ROOT_TESTS=1}, as CI sets it, the test fails instead: a missing tool must never turn
 * into a skipped check that CI counts as a pass.
 */
public final class Requirements {

    static final String STRICT = "VIRTUALIP_REQUIRE_ROOT_TESTS";

    private Requirements() {
    }

    /** Root, for network namespaces, raw sockets and nftables. */
    public static void root(String why) {
        require(Lab.isRoot(), "needs root: " + why, System.getenv());
    }

    /** Executables on the PATH, e.g. {@code "keepalived", "tshark"}. */
    public static void tools(String... tools) {
        for (String tool : tools) {
            require(Lab.hasTool(tool), "needs " + tool + " on the PATH", System.getenv());
        }
    }

    /** Files another module's tests leave behind (e.g. metrics scraped from a running agent), with how to make them. */
    public static void files(String how, java.nio.file.Path... files) {
        for (java.nio.file.Path file : files) {
            require(java.nio.file.Files.isRegularFile(file), "needs " + file + " (" + how + ")", System.getenv());
        }
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
