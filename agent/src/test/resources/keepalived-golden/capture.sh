#!/bin/sh
# Re-captures the packets in KeepalivedGoldenPacketsTest: keepalived (192.0.2.1, fe80::1) in one network
# namespace, tcpdump (192.0.2.2, fe80::2) in another, joined by a veth pair. Needs root, keepalived,
# tcpdump and tshark. Writes golden.pcap in the current directory and prints one line per distinct advert.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cleanup() {
    [ -f "$work/ka.pid" ] && kill "$(cat "$work/ka.pid")" 2>/dev/null || true
    sleep 2
    ip netns del vipc-ka1 2>/dev/null || true
    ip netns del vipc-ka2 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
ip netns add vipc-ka1
ip netns add vipc-ka2
ip link add vipc-a netns vipc-ka1 type veth peer name vipc-b netns vipc-ka2
ip -n vipc-ka1 link set vipc-a addrgenmode none   # fixed link-local addresses instead of EUI-64 ones
ip -n vipc-ka2 link set vipc-b addrgenmode none
ip -n vipc-ka1 addr add 192.0.2.1/24 dev vipc-a
ip -n vipc-ka1 addr add fe80::1/64 dev vipc-a nodad
ip -n vipc-ka2 addr add 192.0.2.2/24 dev vipc-b
ip -n vipc-ka2 addr add fe80::2/64 dev vipc-b nodad
ip -n vipc-ka1 link set vipc-a up
ip -n vipc-ka2 link set vipc-b up
ip netns exec vipc-ka2 timeout 15 tcpdump -i vipc-b -w "$PWD/golden.pcap" 'ip proto 112 or ip6 proto 112' &
sleep 1
# Own pid files, so a keepalived of the host or another test is never touched.
ip netns exec vipc-ka1 keepalived -n -l -D -P -f "$here/keepalived.conf" -p "$work/ka.pid" -r "$work/vrrp.pid" \
    >"$work/keepalived.log" 2>&1 &
sleep 11
kill "$(cat "$work/ka.pid")"   # shutdown adverts (priority 0) are part of the capture
wait
tshark -r golden.pcap -T fields -e ip.src -e ip.dst -e ipv6.src -e vrrp.virt_rtr_id -e vrrp.prio -e vrrp.checksum \
    | sort -u
