/**
 * A real kube-apiserver + etcd for tests, the demo and the benchmarks: {@link
 * io.virtualip.testkit.kube.KubeApi} over fabric8's kube-api-test, the pinned versions in {@link
 * io.virtualip.testkit.kube.KubeVersions}.
 */
package io.virtualip.testkit.kube;
