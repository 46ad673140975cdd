/**
 * What the modules' tests share: {@link io.virtualip.testkit.Requirements} (skip on a developer's
 * machine, fail in CI), {@link io.virtualip.testkit.SeedKeepalived} (the seed report's keepalived
 * instance), in {@code net} packet capture inside a network namespace, and in {@code kube} a real
 * Kubernetes API server.
 */
package io.virtualip.testkit;
