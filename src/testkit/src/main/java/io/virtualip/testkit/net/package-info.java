/**
 * Looking at the wire from inside a network namespace the test made: {@link
 * io.virtualip.testkit.net.PacketCapture} (tcpdump into a pcap, decoded with tshark). The agent's
 * dataplane tests and the lab both capture through it.
 */
package io.virtualip.testkit.net;
