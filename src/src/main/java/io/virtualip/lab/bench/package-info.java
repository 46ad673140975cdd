/**
 * The failover benchmark ({@link io.virtualip.lab.bench.FailoverBenchmark}, documented in {@code
 * src/BENCHMARK.md}): our agent and keepalived on the same lab, timed from a third namespace by
 * {@link io.virtualip.lab.bench.ArpProber} (an ARP request every 250 µs on a packet socket, plus
 * the VRRP adverts it overhears), with {@link io.virtualip.lab.bench.ProcessUsage} for RSS and CPU
 * from {@code /proc}. Targets are printed as PASS or MISS; nothing here asserts, because timings
 * depend on the machine.
 */
package io.virtualip.lab.bench;
