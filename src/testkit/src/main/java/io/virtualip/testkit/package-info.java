/**
 * What the modules' tests share: {@link io.virtualip.testkit.Requirements} (skip on a developer's
 * machine, fail in CI) and, in {@code kube}, a real Kubernetes API server.
 */
package io.virtualip.testkit;
