/**
 * A network-namespace lab for tests that need real links, real VRRP and real ARP, without touching
 * the host.
 *
 * <pre>{@code
 * try (Lab lab = Lab.create("vipfx-", 3)) {                    // bridge + nodes n1..n3, 192.0.2.11-13, 2001:db8::11-13
 *     var config = KeepalivedConfig.of(2, 51, 150, "192.0.2.100/24").withAuthPass("secret1");
 *     var k1 = KeepalivedProcess.start(lab, lab.node(1), config);
 *     var k2 = KeepalivedProcess.start(lab, lab.node(2), config.withPriority(100));
 *     k1.awaitState(KeepalivedProcess.State.MASTER, Duration.ofSeconds(10));
 *     lab.dropVrrp(lab.node(2));                                // the seed's firewall: n2 hears no adverts
 *     ArpProbe.whoHas(lab, lab.node(3), "192.0.2.100");         // -> both MACs: split brain
 *     PacketCapture dump = lab.capture(lab.node(3), "vrrp", "ip proto 112");
 *     lab.exec(lab.node(1), "ip", "addr").orThrow().stdout();
 *     BackgroundProcess agent = lab.start(lab.node(1), "agent", "java", "-jar", "...");  // log: target/lab/<id>/agent.log
 *     Tshark.decodeVrrp(dump.stop());                            // checksum / malformed flags per frame
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.virtualip.lab.Lab}: the segment. Node namespaces, exec, background processes
 *       (output in {@code target/lab/<id>/<name>.log}), link down/up, dropping VRRP (IP protocol
 *       112) with nftables.
 *   <li>{@link io.virtualip.lab.KeepalivedProcess} with {@link io.virtualip.lab.KeepalivedConfig}:
 *       a reference VRRP router to interoperate with or to reproduce keepalived's own failures.
 *   <li>{@link io.virtualip.lab.ArpProbe}: which MACs answer ARP for an address, seen from a third
 *       node.
 *   <li>{@link io.virtualip.lab.Lab#capture}: tcpdump into a pcap, ready when started (the test
 *       kit's {@code io.virtualip.testkit.net.PacketCapture}, which the agent's tests use too).
 *   <li>{@link io.virtualip.lab.Tshark}: an independent decoder's verdict on captured VRRP.
 *   <li>{@link io.virtualip.lab.Lab#connectHost()}: lets the nodes reach a server in the root
 *       namespace (the embedded Kubernetes API of {@link io.virtualip.lab.kube}); {@link
 *       io.virtualip.lab.Lab#startOnHost} runs a program there (the operator). {@link
 *       io.virtualip.lab.demo.ClusterLab} builds a whole cluster on it.
 * </ul>
 *
 * <p>Everything needs root plus iproute2, nftables, tcpdump, tshark and keepalived. Tests state
 * what they need with {@code Requirements.root(..)} / {@code Requirements.tools(..)}
 * (io.virtualip.testkit): skipped on a developer's machine that lacks them, failed when {@code
 * VIRTUALIP_REQUIRE_ROOT_TESTS=1} (CI). A lab is removed by {@code close()}, by a JVM shutdown hook
 * if a test forgot, and, after a JVM was killed outright, by the next lab created with the same
 * prefix. Only documentation addresses are used; nothing is created in the root namespace but the
 * host link's veth, which goes with the lab.
 */
package io.virtualip.lab;
