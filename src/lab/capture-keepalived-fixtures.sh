#!/usr/bin/env bash
# Captures real keepalived VRRP advertisements as wire fixtures for the agent's interop tests.
#
# Usage (as root):  src/lab/capture-keepalived-fixtures.sh [FIXTURE_NAME...]
#   With no names every fixture is (re)captured. FIXTURE_DIR overrides the output directory
#   (default: agent/src/test/resources/fixtures/keepalived). LAB_PREFIX (default vipfx) prefixes the
#   namespace names, so parallel runs (or other labs on the machine) never collide.
#
# The lab is three network namespaces: $LAB_PREFIX-cap-br holds the bridge $LAB_PREFIX-br0, $LAB_PREFIX-cap-a
# runs keepalived ("speaker"), $LAB_PREFIX-cap-b runs tcpdump ("listener"). Nothing is created in the root
# namespace, only documentation addresses are used, and everything is removed on exit, even on failure.
# Fixed MAC addresses make the IPv6 link-local source (EUI-64) and therefore the pcaps reproducible.
# Needs: keepalived, tcpdump, tshark, jq, iproute2.
set -euo pipefail

readonly REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly OUT_DIR=${FIXTURE_DIR:-$REPO_ROOT/agent/src/test/resources/fixtures/keepalived}
readonly LAB_PREFIX=${LAB_PREFIX:-vipfx}
readonly NS_BRIDGE=$LAB_PREFIX-cap-br NS_SPEAKER=$LAB_PREFIX-cap-a NS_LISTENER=$LAB_PREFIX-cap-b BRIDGE=$LAB_PREFIX-br0
readonly SPEAKER_MAC=02:00:00:00:00:0a LISTENER_MAC=02:00:00:00:00:0b
readonly SPEAKER_V4=192.0.2.10 LISTENER_V4=192.0.2.11 SPEAKER_V6=2001:db8::10 LISTENER_V6=2001:db8::11
readonly CAPTURE_FILTER='ip proto 112 or ip6 proto 112'
readonly TSHARK_FIELDS=(frame.number eth.src eth.dst ip.src ip.dst ip.ttl ip.dsfield ipv6.src ipv6.dst ipv6.hlim ipv6.tclass
  vrrp.version vrrp.type vrrp.virt_rtr_id vrrp.prio vrrp.addr_count vrrp.auth_type vrrp.adver_int
  vrrp.short_adver_int vrrp.checksum vrrp.checksum.status vrrp.ip_addr vrrp.ipv6_addr vrrp.auth_string
  _ws.malformed _ws.expert.message)

WORK=""
PIDS=()

die() { echo "capture: $*" >&2; exit 1; }

remove_lab() {
  local ns
  for ns in "$NS_SPEAKER" "$NS_LISTENER" "$NS_BRIDGE"; do
    ip netns del "$ns" 2>/dev/null || true
  done
}

cleanup() {
  local pid
  # TERM first: keepalived then stops its VRRP child itself; a SIGKILLed parent leaves the child running a while.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do await "pid $pid to exit" 5 exited "$pid" || kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  remove_lab
  [[ -n $WORK ]] && rm -rf "$WORK"
}

build_lab() {
  remove_lab # idempotent: a previous run killed with SIGKILL may have left the namespaces behind
  ip netns add "$NS_BRIDGE"
  ip netns exec "$NS_BRIDGE" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_BRIDGE" link add "$BRIDGE" type bridge mcast_snooping 0
  ip -n "$NS_BRIDGE" link set "$BRIDGE" up
  add_node "$NS_SPEAKER" "$SPEAKER_MAC" "$SPEAKER_V4" "$SPEAKER_V6" a
  add_node "$NS_LISTENER" "$LISTENER_MAC" "$LISTENER_V4" "$LISTENER_V6" b
}

# add_node NAMESPACE MAC IPV4 IPV6 PORT_SUFFIX: a namespace whose eth0 is a veth plugged into the bridge.
add_node() {
  local ns=$1 mac=$2 v4=$3 v6=$4 port=port-$5
  ip netns add "$ns"
  # DAD off before the veth exists, so the link-local address keepalived sends from is usable at once.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$NS_BRIDGE" link add "$port" type veth peer name eth0 netns "$ns"
  ip -n "$NS_BRIDGE" link set "$port" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 address "$mac" up
  ip -n "$ns" addr add "$v4/24" dev eth0
  ip -n "$ns" addr add "$v6/64" dev eth0
}

# write_config NAME BODY: a keepalived.conf with one vrrp_instance whose body is BODY.
write_config() {
  local name=$1 body=$2
  cat >"$WORK/$name.conf" <<EOF
global_defs {
    router_id $name
}

vrrp_instance $name {
    interface eth0
$body
}
EOF
}

keepalived_cmd() {
  local name=$1
  echo "ip netns exec $NS_SPEAKER keepalived -n -l -D -G --vrrp -f $WORK/$name.conf" \
    "-p $WORK/$name.pid -r $WORK/$name-vrrp.pid"
}

tcpdump_cmd() {
  local name=$1 count=$2
  echo "ip netns exec $NS_LISTENER tcpdump -n -U -i eth0 -c $count -w $WORK/$name.pcap $CAPTURE_FILTER"
}

# start BACKGROUND_COMMAND LOG: runs it, remembers its pid for cleanup and in LAST_PID.
start() {
  local cmd=$1 log=$2
  # shellcheck disable=SC2086 # the commands are built from fixed words above
  $cmd >"$log" 2>&1 &
  PIDS+=("$!")
  LAST_PID=$!
}

await() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || { echo "capture: timed out after ${seconds}s waiting for $what" >&2; return 1; }
    sleep 0.1
  done
}

# stop_keepalived PID NAME: SIGTERM, so the VIP is removed before the next fixture reuses the namespace.
stop_keepalived() {
  kill -TERM "$1"
  await "keepalived exit ($2)" 10 exited "$1"
}

listening() { grep -qs 'listening on' "$1"; }
exited() { ! kill -0 "$1" 2>/dev/null; }
holds_vip() { ip -n "$NS_SPEAKER" addr show dev eth0 | grep -qF " $1/"; }

# capture NAME COUNT BODY DESCRIPTION [EXPECTED_CHECKSUM]: COUNT advertisements from a keepalived master.
capture() {
  local name=$1 count=$2 body=$3 description=$4 checksum=${5:-good}
  write_config "$name" "$body"
  start "$(tcpdump_cmd "$name" "$count")" "$WORK/$name.tcpdump.log"
  local tcpdump=$LAST_PID
  await "tcpdump ($name)" 10 listening "$WORK/$name.tcpdump.log"
  start "$(keepalived_cmd "$name")" "$WORK/$name.keepalived.log"
  local keepalived=$LAST_PID
  await "$count adverts ($name)" 20 exited "$tcpdump"
  stop_keepalived "$keepalived" "$name"
  finish "$name" "$description" "$checksum" "$(tcpdump_cmd "$name" "$count")" 'all(.[]; .["vrrp.prio"] != "0")'
}

# capture_stop NAME BODY VIP DESCRIPTION: the priority-0 advertisement a master sends on SIGTERM
# (RFC 3768 / RFC 5798 section 6.4.3, "Shutdown"), preceded by the master's last regular advertisement.
capture_stop() {
  local name=$1 body=$2 vip=$3 description=$4
  write_config "$name" "$body"
  start "$(keepalived_cmd "$name")" "$WORK/$name.keepalived.log"
  local keepalived=$LAST_PID
  await "master holding $vip ($name)" 20 holds_vip "$vip"
  # Two frames: the last regular advert, then priority 0; -c stops before anything later sneaks in.
  start "$(tcpdump_cmd "$name" 2)" "$WORK/$name.tcpdump.log"
  local tcpdump=$LAST_PID
  await "tcpdump ($name)" 10 listening "$WORK/$name.tcpdump.log"
  await "one regular advert ($name)" 5 advert_seen "$WORK/$name.pcap"
  stop_keepalived "$keepalived" "$name"
  await "priority-0 advert ($name)" 5 exited "$tcpdump"
  finish "$name" "$description" good "$(tcpdump_cmd "$name" 2); then kill -TERM <keepalived pid> after one advert" \
    '.[0]["vrrp.prio"] != "0" and .[-1]["vrrp.prio"] == "0"'
}

advert_seen() { [[ -s $1 ]] && (($(stat -c %s "$1") > 24)); }

# finish NAME DESCRIPTION EXPECTED_CHECKSUM TCPDUMP_COMMAND PRIORITY_CHECK: checks the capture with tshark,
# then writes pcap and sidecar. PRIORITY_CHECK is a jq condition on the frames (see fields_json).
finish() {
  local name=$1 description=$2 checksum=$3 tcpdump=$4 priorities=$5
  local pcap=$WORK/$name.pcap
  local fields_args=() field
  for field in "${TSHARK_FIELDS[@]}"; do fields_args+=(-e "$field"); done
  tshark -r "$pcap" -n -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, "${fields_args[@]}" \
    >"$WORK/$name.fields.tsv" 2>/dev/null
  verify "$name" "$checksum" "$priorities"
  cp "$pcap" "$OUT_DIR/$name.pcap"
  sidecar "$name" "$description" "$checksum" "$tcpdump" >"$OUT_DIR/$name.json"
  echo "captured $name: $(($(wc -l <"$WORK/$name.fields.tsv") - 1)) frame(s)"
}

# verify NAME EXPECTED_CHECKSUM PRIORITY_CHECK: every frame is VRRP, none malformed, tshark's checksum verdict
# matches, and the priorities are as expected.
verify() {
  local name=$1 expected=$2 priorities=$3
  local want=1 # wireshark's PROTO_CHECKSUM_E_GOOD; 0 is E_BAD
  [[ $expected == bad ]] && want=0
  jq -e --argjson want "$want" "length > 0 and all(.[];
      .[\"vrrp.version\"] != \"\" and .[\"_ws.malformed\"] == \"\" and .[\"vrrp.checksum.status\"] == (\$want | tostring))
      and ($priorities)" <(fields_json "$name") >/dev/null ||
    die "$name: tshark does not decode every frame as well-formed VRRP with a $expected checksum and the expected" \
      "priorities: $(cat "$WORK/$name.fields.tsv")"
}

# fields_json NAME: the tshark field table as a JSON array of objects keyed by field name.
fields_json() {
  jq -R -s 'split("\n") | map(select(length > 0) | split("\t")) | .[0] as $h | .[1:] | map([$h, .] | transpose | map({(.[0]): .[1]}) | add)' \
    "$WORK/$1.fields.tsv"
}

# vrrp_payload_hex PCAP FRAME: the bytes after the IP header, i.e. the VRRP packet exactly as on the wire.
vrrp_payload_hex() {
  tshark -r "$1" -n -Y "frame.number == $2" -T json -x 2>/dev/null | jq -r '.[0]._source.layers.vrrp_raw[0]'
}

sidecar() {
  local name=$1 description=$2 checksum=$3 tcpdump=$4
  local pcap=$WORK/$name.pcap frames payloads=() n
  frames=$(fields_json "$name")
  for n in $(jq -r '.[]["frame.number"]' <<<"$frames"); do payloads+=("$(vrrp_payload_hex "$pcap" "$n")"); done
  jq -n \
    --arg name "$name" \
    --arg description "$description" \
    --arg keepalived "$(keepalived --version 2>&1 | head -n1)" \
    --arg tshark "$(tshark --version 2>/dev/null | head -n1)" \
    --arg config "$(sed "s|$WORK/||g" "$WORK/$name.conf")" \
    --arg regenerate "src/lab/capture-keepalived-fixtures.sh $name" \
    --arg keepalivedCommand "$(keepalived_cmd "$name" | sed "s|$WORK/||g")" \
    --arg tcpdumpCommand "$(sed "s|$WORK/||g" <<<"$tcpdump")" \
    --arg expectedChecksum "$checksum" \
    --arg decode "$(tshark -r "$pcap" -n -V -O vrrp 2>/dev/null)" \
    --argjson frames "$frames" \
    --argjson payloads "$(printf '%s\n' "${payloads[@]}" | jq -R . | jq -s .)" \
    '{
      name: $name,
      description: $description,
      keepalivedVersion: $keepalived,
      keepalivedConfig: $config,
      regenerate: $regenerate,
      keepalivedCommand: $keepalivedCommand,
      tcpdumpCommand: $tcpdumpCommand,
      tsharkVersion: $tshark,
      tsharkChecksumVerdict: $expectedChecksum,
      packets: [range(0; $frames | length) as $i | $frames[$i] as $f | {
        frame: ($f["frame.number"] | tonumber),
        ethSrc: $f["eth.src"],
        ethDst: $f["eth.dst"],
        ipVersion: (if $f["ip.src"] != "" then 4 else 6 end),
        src: (if $f["ip.src"] != "" then $f["ip.src"] else $f["ipv6.src"] end),
        dst: (if $f["ip.src"] != "" then $f["ip.dst"] else $f["ipv6.dst"] end),
        ttlOrHopLimit: ((if $f["ip.src"] != "" then $f["ip.ttl"] else $f["ipv6.hlim"] end) | tonumber),
        trafficClass: (if $f["ip.src"] != "" then $f["ip.dsfield"] else $f["ipv6.tclass"] end),
        vrrpHex: $payloads[$i],
        tshark: ($f | with_entries(select(.key | startswith("vrrp.") or startswith("_ws."))))
      }],
      tsharkDecode: $decode
    }'
}

# instance_body VERSION VRID PRIORITY ADVERT_INT EXTRA VIP...: a vrrp_instance body for write_config. VERSION 2 leaves
# the version line out (keepalived's default); EXTRA (PASS_AUTH, UNICAST, or empty) goes before the VIP list.
instance_body() {
  local version=$1 vrid=$2 priority=$3 interval=$4 extra=$5 vip
  shift 5
  [[ $version == 2 ]] || echo "    version $version"
  echo "    state BACKUP
    virtual_router_id $vrid
    priority $priority
    advert_int $interval"
  [[ -z $extra ]] || echo "$extra"
  echo "    virtual_ipaddress {"
  for vip; do echo "        $vip"; done
  echo "    }"
}

readonly PASS_AUTH="    authentication {
        auth_type PASS
        auth_pass secret1
    }"
readonly UNICAST="    unicast_src_ip $SPEAKER_V4
    unicast_peer {
        $LISTENER_V4
    }"

[[ $EUID -eq 0 ]] || die "must run as root (creates network namespaces)"
for tool in keepalived tcpdump tshark jq ip; do command -v "$tool" >/dev/null || die "missing $tool"; done
trap cleanup EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d /tmp/vipfx-capture.XXXXXX)
mkdir -p "$OUT_DIR"

readonly FIXTURES=(v2-ipv4-multicast-pass v2-ipv4-multicast-noauth v2-ipv4-multicast-two-vips v3-ipv4-multicast
  v3-ipv4-multicast-100ms v3-ipv4-multicast-three-vips v3-ipv6-multicast v3-ipv6-multicast-500ms v3-ipv4-unicast
  v3-ipv4-unicast-old-checksum v2-ipv4-priority0 v3-ipv4-priority0 v3-ipv6-priority0 v3-ipv4-unicast-priority0)
SELECTED=("$@")
for name in "${SELECTED[@]}"; do
  [[ " ${FIXTURES[*]} " == *" $name "* ]] || die "unknown fixture $name; known: ${FIXTURES[*]}"
done
wanted() { ((${#SELECTED[@]} == 0)) || [[ " ${SELECTED[*]} " == *" $1 "* ]]; }
# fixture ARGS... / fixture_stop ARGS...: capture / capture_stop with ARGS, if their NAME (the first) was asked for.
fixture() { wanted "$1" || return 0; capture "$@"; }
fixture_stop() { wanted "$1" || return 0; capture_stop "$@"; }

build_lab

fixture v2-ipv4-multicast-pass 3 "$(instance_body 2 51 151 1 "$PASS_AUTH" 192.0.2.100/24)" \
  "VRRPv2 over IPv4 multicast with simple-password authentication: the seed split-brain scenario (VRID 51, priority 151)."

fixture v2-ipv4-multicast-noauth 3 "$(instance_body 2 50 100 1 "" 192.0.2.100/24)" \
  "VRRPv2 over IPv4 multicast without authentication (auth type 0; the 8 authentication bytes are still sent, as zeros)."

fixture v2-ipv4-multicast-two-vips 3 "$(instance_body 2 56 150 1 "$PASS_AUTH" 192.0.2.100/24 192.0.2.101/24)" \
  "VRRPv2 over IPv4 multicast with simple-password authentication and two VIPs: the auth trailer follows the whole address list."

fixture v3-ipv4-multicast 3 "$(instance_body 3 52 120 1 "" 192.0.2.102/24)" \
  "VRRPv3 over IPv4 multicast, 1 s interval (100 centiseconds), checksum over the IPv4 pseudo-header."

fixture v3-ipv4-multicast-100ms 5 "$(instance_body 3 52 120 0.1 "" 192.0.2.102/24)" \
  "VRRPv3 over IPv4 multicast with a sub-second interval: advert_int 0.1 is 10 centiseconds on the wire."

fixture v3-ipv4-multicast-three-vips 2 "$(instance_body 3 55 100 1 "" 192.0.2.153/24 192.0.2.151/24 192.0.2.152/24)" \
  "VRRPv3 over IPv4 multicast with three VIPs configured out of numeric order, to show the order keepalived puts on the wire."

fixture v3-ipv6-multicast 3 "$(instance_body 3 53 110 1 "" 2001:db8::100/64)" \
  "VRRPv3 over IPv6 multicast (ff02::12) from the interface's link-local address; the kernel fills in the checksum (IPV6_CHECKSUM)."

fixture v3-ipv6-multicast-500ms 3 "$(instance_body 3 53 110 0.5 "" 2001:db8::100/64)" \
  "VRRPv3 over IPv6 multicast with a sub-second interval: advert_int 0.5 is 50 centiseconds on the wire."

fixture v3-ipv4-unicast 3 "$(instance_body 3 54 100 1 "$UNICAST" 192.0.2.104/24)" \
  "VRRPv3 over IPv4 unicast to one peer: the checksum's pseudo-header uses the real (unicast) destination, as RFC 5798 says."

fixture v3-ipv4-unicast-old-checksum 3 "$(instance_body 3 54 100 1 "$UNICAST
    old_unicast_checksum" 192.0.2.104/24)" \
  "VRRPv3 over IPv4 unicast with keepalived's old_unicast_checksum: the pseudo-header uses 224.0.0.18 instead of the real destination, so a strict receiver (and tshark) calls the checksum bad." bad

fixture_stop v2-ipv4-priority0 "$(instance_body 2 51 151 1 "$PASS_AUTH" 192.0.2.100/24)" 192.0.2.100 \
  "The seed instance (VRRPv2, VRID 51) as master, stopped with SIGTERM: one regular advert, then the priority-0 advert."

fixture_stop v3-ipv4-priority0 "$(instance_body 3 52 120 1 "" 192.0.2.102/24)" 192.0.2.102 \
  "VRRPv3 IPv4 master (VRID 52) stopped with SIGTERM: one regular advert, then the priority-0 advert."

fixture_stop v3-ipv6-priority0 "$(instance_body 3 53 110 1 "" 2001:db8::100/64)" 2001:db8::100 \
  "VRRPv3 IPv6 master (VRID 53) stopped with SIGTERM: one regular advert, then the priority-0 advert."

fixture_stop v3-ipv4-unicast-priority0 "$(instance_body 3 54 100 1 "$UNICAST" 192.0.2.104/24)" 192.0.2.104 \
  "VRRPv3 IPv4 unicast master (VRID 54) stopped with SIGTERM: one regular advert, then the priority-0 advert to the peer."
