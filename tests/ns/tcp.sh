#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp.sh - TCP translation: namespace to upstream, and upstream and host
# namespace to namespace through -t (IPv4, IPv6, 1 KiB, 16 and 64 MiB, port
# translation, ranges with exclusions), 64 MiB at MTU 1500 at a sane rate,
# 64 MiB with 1% loss both ways, 200 concurrent connections, half-close,
# reset propagation, refused connections, resets near the descriptor
# limit, gateway to host loopback mapping and --no-map-gw,
# --map-host-loopback (and none), --map-guest-addr both ways.  Every case
# runs with pasta as root and as a user.
#
# Usage: tests/ns/tcp.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-out4 out6 in4 in6 in_host port_delta ranges mtu1500 mtu1500_p4 loss many fd_limit half_close rst refused map_gw map_host_lo map_none map_guest dns_tcp keepalive no_tcp outbound_addr}"
PRIVS="${PRIVS:-root user}"
test_dir tcp "$BIN"
install -m 0755 tests/lib/tcp_peer.py "$T/tcp_peer.py"
PEER="/usr/bin/python3 $T/tcp_peer.py"
TO=60
XOPT=""		# extra pasta options for out_xfer
head -c 1024 /dev/urandom > "$T/s1k"
head -c $((16 << 20)) /dev/urandom > "$T/s16m"
head -c $((64 << 20)) /dev/urandom > "$T/s64m"
chmod 0644 "$T/s1k" "$T/s16m" "$T/s64m"

trap 'topo_cleanup; rm -rf "$T"' EXIT

# up_listening PORT - wait (bounded) for a TCP listener in upstream
up_listening() {
	for _ in $(seq 1 50); do
		in_up ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listening on upstream port $1" >&2
	return 1
}

# wait_ready FILE - wait (bounded) for a listener to create FILE
wait_ready() {
	for _ in $(seq 1 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "listener never got ready ($1)" >&2
	return 1
}

# same SRC GOT WHAT - compare a transfer with its source
same() {
	if ! cmp -s "$1" "$2"; then
		echo "$3: $(stat -c %s "$2" 2>/dev/null || echo no) bytes" \
		     "received, $(stat -c %s "$1") sent, or content differs" >&2
		return 1
	fi
}

# socat_addr V ADDR PORT - socat client address for IPv4 or IPv6
socat_addr() {
	if [ "$1" = 6 ]; then echo "TCP6:[$2]:$3"; else echo "TCP4:$2:$3"; fi
}

# out_xfer PRIV V ADDR SRC - upload and download between the namespace and
# a server in the upstream namespace
out_xfer() {
	local priv=$1 v=$2 addr=$3 src=$4 port=10010 pid rc=0
	rm -f "$T/got"
	in_up timeout "$TO" socat -u "TCP$v-LISTEN:$port,reuseaddr" \
		"CREATE:$T/got" &
	pid=$!
	up_listening $port || return 1
	# Wait for the server's EOF: pasta ends with the namespace, and
	# with it what the namespace kernel didn't send yet
	# shellcheck disable=SC2086
	pasta_run "$priv" --config-net $XOPT -- sh -c "timeout $TO socat -t $TO \
		STDIO $(socat_addr "$v" "$addr" $port) <$src >/dev/null" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "upload IPv$v" || return 1
	[ $rc = 0 ] || { echo "upload IPv$v: client or server failed" >&2; return 1; }

	rm -f "$T/got"
	in_up timeout "$TO" socat -u "OPEN:$src" \
		"TCP$v-LISTEN:$port,reuseaddr" &
	pid=$!
	up_listening $port || return 1
	# shellcheck disable=SC2086
	pasta_run "$priv" --config-net $XOPT -- timeout "$TO" socat -u \
		"$(socat_addr "$v" "$addr" $port)" "CREATE:$T/got" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "download IPv$v" || return 1
	[ $rc = 0 ] || { echo "download IPv$v: client or server failed" >&2; return 1; }
}

case_out4() {
	out_xfer "$1" 4 "$REMOTE4" "$T/s1k" &&
		out_xfer "$1" 4 "$REMOTE4" "$T/s16m" &&
		out_xfer "$1" 4 "$REMOTE4" "$T/s64m"
}

case_out6() {
	out_xfer "$1" 6 "$REMOTE6" "$T/s1k" &&
		out_xfer "$1" 6 "$REMOTE6" "$T/s16m" &&
		out_xfer "$1" 6 "$REMOTE6" "$T/s64m"
}

# in_xfer PRIV V ADDR SRC HOSTPORT NSPORT - upload and download from a
# client in upstream to HOSTPORT on the host, forwarded with -t to a
# server on NSPORT in the namespace (-t RANGE_SPEC instead, if set); the
# client runs in upstream, or with CLIENT=in_host in the host namespace
in_xfer() {
	local priv=$1 v=$2 addr=$3 src=$4 hp=$5 np=$6 pid rc=0 spec
	spec=$hp
	[ "$hp" != "$np" ] && spec="$hp:$np"
	spec=${RANGE_SPEC:-$spec}

	rm -f "$T/got" "$T/ready"
	pasta_run "$priv" --config-net -t "$spec" -- sh -c "
		timeout $TO socat -u TCP$v-LISTEN:$np,reuseaddr CREATE:$T/got &
		for i in \$(seq 1 50); do
			ss -Hltn 'sport = :$np' | grep -q . && break
			sleep 0.1
		done
		touch $T/ready
		wait \$!" &
	pid=$!
	wait_ready "$T/ready" || { kill $pid; return 1; }
	${CLIENT:-in_up} timeout "$TO" socat -u "OPEN:$src" \
		"$(socat_addr "$v" "$addr" "$hp")" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "inbound upload IPv$v" || return 1
	[ $rc = 0 ] || { echo "inbound upload IPv$v failed" >&2; return 1; }

	rm -f "$T/got" "$T/ready"
	pasta_run "$priv" --config-net -t "$spec" -- sh -c "
		timeout $TO socat -t $TO TCP$v-LISTEN:$np,reuseaddr STDIO \
			<$src >/dev/null &
		for i in \$(seq 1 50); do
			ss -Hltn 'sport = :$np' | grep -q . && break
			sleep 0.1
		done
		touch $T/ready
		wait \$!" &
	pid=$!
	wait_ready "$T/ready" || { kill $pid; return 1; }
	${CLIENT:-in_up} timeout "$TO" socat -u "$(socat_addr "$v" "$addr" "$hp")" \
		"CREATE:$T/got" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "inbound download IPv$v" || return 1
	[ $rc = 0 ] || { echo "inbound download IPv$v failed" >&2; return 1; }
}

case_in4() {
	in_xfer "$1" 4 "$HOST4" "$T/s1k" 10001 10001 &&
		in_xfer "$1" 4 "$HOST4" "$T/s16m" 10001 10001 &&
		in_xfer "$1" 4 "$HOST4" "$T/s64m" 10001 10001
}

case_in6() {
	in_xfer "$1" 6 "$HOST6" "$T/s1k" 10001 10001 &&
		in_xfer "$1" 6 "$HOST6" "$T/s16m" 10001 10001 &&
		in_xfer "$1" 6 "$HOST6" "$T/s64m" 10001 10001
}

# in_host: from the host namespace itself (a local, non-loopback source:
# the namespace sees the gateway address) through -t
case_in_host() {
	CLIENT=in_host in_xfer "$1" 4 "$HOST4" "$T/s1k" 10002 10002 &&
		CLIENT=in_host in_xfer "$1" 4 "$HOST4" "$T/s64m" 10002 10002 &&
		CLIENT=in_host in_xfer "$1" 6 "$HOST6" "$T/s1k" 10002 10002 &&
		CLIENT=in_host in_xfer "$1" 6 "$HOST6" "$T/s64m" 10002 10002
}

case_port_delta() {
	in_xfer "$1" 4 "$HOST4" "$T/s1k" 10004 10005 &&
		in_xfer "$1" 6 "$HOST6" "$T/s16m" 10004 10005
}

# ranges: -t with an address, a range mapped to another range and an
# excluded port: the excluded port isn't bound, the others carry data
case_ranges() {
	local pid rc=0 spec="$HOST4/10090-10093:10190-10193,~10092" p bound
	rm -f "$T/up"
	pasta_run "$1" --config-net -t "$spec" -- sh -c "touch $T/up; sleep 3" \
		>/dev/null 2>&1 &
	pid=$!
	wait_ready "$T/up" || return 1
	bound=$(in_host ss -Hltn "sport >= :10090 and sport <= :10093" |
		awk '{ print $4 }' | sort | tr '\n' ' ')
	wait $pid
	if [ "$bound" != "$HOST4:10090 $HOST4:10091 $HOST4:10093 " ]; then
		echo "-t $spec: bound '$bound'" >&2
		return 1
	fi
	for p in 10090 10093; do
		RANGE_SPEC=$spec in_xfer "$1" 4 "$HOST4" "$T/s1k" $p \
			$((p + 100)) || return 1
	done
}

# mtu1500: 64 MiB both ways at -m 1500, at no less than 100 Mbit/s
case_mtu1500() {
	local t0 t1 rc=0
	t0=$(date +%s%N)
	XOPT="-m 1500" out_xfer "$1" 4 "$REMOTE4" "$T/s64m" || rc=1
	t1=$(date +%s%N)
	[ $rc = 0 ] || return 1
	# 2 x 64 MiB = 1073.7 Mbit
	awk -v ns=$((t1 - t0)) 'BEGIN {
		r = 1073.741824 / (ns / 1e9)
		printf "mtu1500: 128 MiB in %.2f s, %.0f Mbit/s\n", ns / 1e9, r
		exit r < 100 }' >&2
}

# mtu1500_p4: four connections at once at MTU 1500 (iperf3 -P 4, 3 s) don't
# collapse: with the tap's default queue of 1000 frames their windows
# overflowed it (63 Mbit/s, thousands of retransmissions); pasta sizes the
# queue for the windows it advertises
case_mtu1500_p4() {
	local pid rc=0 q
	rm -f "$T/qlen" "$T/iperf.json"
	in_up timeout "$TO" iperf3 -s -1 -B "$REMOTE4" -p 10120 \
		>/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	pasta_run "$1" --config-net -m 1500 -- sh -c \
		"ip -o link show | grep -o 'qlen [0-9]*' | tail -n1 > $T/qlen;
		 iperf3 -c $REMOTE4 -p 10120 -t 3 -P 4 -J > $T/iperf.json" ||
		rc=1
	wait $pid || rc=1
	q=$(awk '{ print $2 }' "$T/qlen")
	[ "${q:-0}" -gt 1000 ] || { echo "tap queue: ${q:-?} frames" >&2; rc=1; }
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["end"]
r = d["sum_received"]["bits_per_second"] / 1e6
print("mtu1500_p4: %.0f Mbit/s, %d retransmissions" %
      (r, d["sum_sent"].get("retransmits", 0)), file=sys.stderr)
sys.exit(r < 100)' "$T/iperf.json" || rc=1
	return $rc
}

# loss: 1% of the frames dropped pseudo-randomly (nftables numgen, in the
# netdev ingress and egress hooks of the namespace's tap device) while
# 64 MiB go up and 64 MiB come down; both arrive intact, and the drop
# counters show that frames were really dropped both ways.  (Reordering
# can't be injected: this kernel has no netem, CONFIG_NET_SCH_NETEM is not
# set, and neither gact nor matchall.)  At MTU 65520 and 1500 (thousands of
# drops).  LOSS_OPT: more pasta options, such as "-d -l FILE" to see the
# retransmissions; LOSS_ONLY1500=1 skips the MTU 65520 run.
case_loss() {
	[ -n "${LOSS_ONLY1500:-}" ] || loss_xfer "$1" || return 1
	loss_xfer "$1" -m 1500
}

# loss_xfer PRIV [PASTA_OPTION...] - one run of the loss case
loss_xfer() {
	local pid1 pid2 rc=0 in out priv=$1
	shift
	command -v nft >/dev/null || { echo "nft missing" >&2; return 1; }
	rm -f "$T/got" "$T/got2" "$T/nft"
	cat >"$T/loss.nft" <<-'END'
	table netdev loss {
		chain in {
			type filter hook ingress device $dev priority 0;
			numgen random mod 100 0 counter drop
		}
		chain out {
			type filter hook egress device $dev priority 0;
			numgen random mod 100 0 counter drop
		}
	}
	END
	chmod 0644 "$T/loss.nft"
	in_up timeout "$TO" socat -u TCP4-LISTEN:10100,reuseaddr \
		"CREATE:$T/got" &
	pid1=$!
	in_up timeout "$TO" socat -u "OPEN:$T/s64m" \
		TCP4-LISTEN:10101,reuseaddr &
	pid2=$!
	up_listening 10100 && up_listening 10101 || return 1
	# shellcheck disable=SC2086
	pasta_run "$priv" --config-net "$@" ${LOSS_OPT:-} -- sh -c "
		dev=\$(ip -o link show | awk -F': ' '\$2 != \"lo\" { print \$2; exit }')
		nft -D dev=\$dev -f $T/loss.nft || exit 1
		timeout $TO socat -t $TO STDIO TCP4:$REMOTE4:10100 \
			<$T/s64m >/dev/null || exit 1
		timeout $TO socat -u TCP4:$REMOTE4:10101 CREATE:$T/got2 ||
			exit 1
		nft list table netdev loss >$T/nft" || rc=1
	wait $pid1 || rc=1
	wait $pid2 || rc=1
	same "$T/s64m" "$T/got" "upload with loss" || rc=1
	same "$T/s64m" "$T/got2" "download with loss" || rc=1
	in=$(sed -n '/chain in/,/}/s/.*packets \([0-9]*\).*/\1/p' "$T/nft")
	out=$(sed -n '/chain out/,/}/s/.*packets \([0-9]*\).*/\1/p' "$T/nft")
	echo "loss (${*:-MTU 65520}): dropped ${in:-?} frames in, ${out:-?} out" >&2
	[ "${in:-0}" -gt 0 ] && [ "${out:-0}" -gt 0 ] || rc=1
	return $rc
}

# many: 200 connections at once, each echoing 1 MiB (SHA-256 checked),
# from the namespace to upstream and from upstream through -t
case_many() {
	local pid rc=0
	rm -f "$T/ready"
	READY="$T/ready" in_up timeout "$TO" $PEER echo-server "$REMOTE4" \
		10110 200 &
	pid=$!
	wait_ready "$T/ready" || return 1
	pasta_run "$1" --config-net -- $PEER many "$REMOTE4" 10110 200 \
		1048576 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "outbound: 200 connections failed" >&2; return 1; }

	rm -f "$T/ready"
	pasta_run "$1" --config-net -t 10111 -- sh -c \
		"READY=$T/ready $PEER echo-server 0.0.0.0 10111 200" &
	pid=$!
	wait_ready "$T/ready" || { kill $pid; return 1; }
	in_up timeout "$TO" $PEER many "$HOST4" 10111 200 1048576 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || echo "inbound: 200 connections failed" >&2
	return $rc
}

# fd_limit: with pasta's RLIMIT_NOFILE lowered (prlimit) to 100, new
# connections get a RST at once while the kept ones keep working, and
# closing some lets new ones in again
case_fd_limit() {
	local pid lim rc=0
	rm -f "$T/ready"
	READY="$T/ready" in_up timeout "$TO" $PEER echo-server "$REMOTE4" \
		10120 0 >/dev/null &
	pid=$!
	wait_ready "$T/ready" || return 1
	# The command's parent is pasta itself.  The limit is set from here,
	# with pasta's own user and group: pasta started by root runs as
	# nobody, and root may lack CAP_SYS_RESOURCE (it does on this
	# machine kind) while root in the command's namespace has no say
	rm -f "$T/pasta.pid" "$T/limited"
	(
		wait_file "$T/pasta.pid" || exit 1
		pp=$(cat "$T/pasta.pid")
		u=$(awk '/^Uid:/ { print $2 }' "/proc/$pp/status")
		g=$(awk '/^Gid:/ { print $2 }' "/proc/$pp/status")
		setpriv --reuid="$u" --regid="$g" --clear-groups -- \
			prlimit --pid "$pp" --nofile=100:100 && touch "$T/limited"
	) &
	lim=$!
	pasta_run "$1" --config-net -- sh -c "
		grep -Eqx 'passt|pasta' /proc/\$PPID/comm ||
			{ echo 'parent is not pasta'; exit 1; }
		echo \$PPID >$T/pasta.pid
		for i in \$(seq 1 100); do
			[ -e $T/limited ] && break
			sleep 0.1
		done
		[ -e $T/limited ] || { echo 'prlimit failed'; exit 1; }
		$PEER fill $REMOTE4 10120 120" || rc=1
	wait $lim
	[ $rc = 0 ] || echo "fd_limit: pasta or its command failed" >&2
	# The server ends once idle
	wait $pid || rc=1
	return $rc
}

# half_close: the client shuts down its write side, then the server sends
# 16 MiB; both directions, outbound and through -t
case_half_close() {
	local pid rc=0
	rm -f "$T/ready"
	READY="$T/ready" in_up timeout "$TO" $PEER halfclose-server \
		"$REMOTE4" 10020 16777216 &
	pid=$!
	wait_ready "$T/ready" || return 1
	pasta_run "$1" --config-net -- $PEER halfclose-client "$REMOTE4" \
		10020 16777216 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "outbound half-close failed" >&2; return 1; }

	rm -f "$T/ready"
	pasta_run "$1" --config-net -t 10021 -- sh -c \
		"READY=$T/ready $PEER halfclose-server 0.0.0.0 10021 16777216" &
	pid=$!
	wait_ready "$T/ready" || { kill $pid; return 1; }
	in_up timeout "$TO" $PEER halfclose-client "$HOST4" 10021 16777216 ||
		rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "inbound half-close failed" >&2; return 1; }
}

# rst: a server closing with SO_LINGER 0 resets its client, both ways
case_rst() {
	local pid rc=0
	rm -f "$T/ready"
	READY="$T/ready" in_up timeout "$TO" $PEER rst-server "$REMOTE4" 10030 &
	pid=$!
	wait_ready "$T/ready" || return 1
	pasta_run "$1" --config-net -- $PEER rst-client "$REMOTE4" 10030 ||
		rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "outbound reset not propagated" >&2; return 1; }

	rm -f "$T/ready"
	pasta_run "$1" --config-net -t 10031 -- sh -c \
		"READY=$T/ready $PEER rst-server 0.0.0.0 10031" &
	pid=$!
	wait_ready "$T/ready" || { kill $pid; return 1; }
	in_up timeout "$TO" $PEER rst-client "$HOST4" 10031 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "inbound reset not propagated" >&2; return 1; }
}

# refused: nothing listens upstream, the client knows within a second
case_refused() {
	pasta_run "$1" --config-net -- sh -c \
		"$PEER refused $REMOTE4 10040 1 && $PEER refused $REMOTE6 10040 1"
}

# map_gw: the gateway address reaches the host's loopback, unless
# --no-map-gw (then the connection goes upstream, where nothing listens)
case_map_gw() {
	local pid pid6 rc=0 port=10051
	[ "$1" = root ] || port=10052
	rm -f "$T/ready" "$T/ready6"
	READY="$T/ready" in_host timeout "$TO" $PEER serve 127.0.0.1 10050 4096 &
	pid=$!
	READY="$T/ready6" in_host timeout "$TO" $PEER serve ::1 10050 4096 &
	pid6=$!
	wait_ready "$T/ready" && wait_ready "$T/ready6" || return 1
	pasta_run "$1" --config-net -- sh -c \
		"$PEER recv $UP4 10050 4096 && $PEER recv $UP6 10050 4096" ||
		rc=1
	wait $pid || rc=1
	wait $pid6 || rc=1
	[ $rc = 0 ] || { echo "gateway to loopback failed" >&2; return 1; }

	rm -f "$T/ready"
	# Nobody connects to this one: it ends with its timeout
	READY="$T/ready" in_host timeout 10 $PEER serve 127.0.0.1 $port 4096 \
		>/dev/null 2>&1 &
	pid=$!
	wait_ready "$T/ready" || return 1
	pasta_run "$1" --config-net --no-map-gw -- \
		$PEER refused "$UP4" $port 5 || rc=1
	wait $pid 2>/dev/null
	[ $rc = 0 ] || { echo "--no-map-gw still mapped" >&2; return 1; }
}

# Unused addresses of the namespace's subnets, for the address mappings
MAP4=192.0.2.99
MAP6=2001:db8:1::99

# peer_is FILE WANT WHAT - the address a "peer" server printed is WANT
peer_is() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0
	echo "$3: server saw peer '$(cat "$1" 2>/dev/null)', not $2" >&2
	return 1
}

# not_mapped PRIV ADDR4 ADDR6 OPTS... - with OPTS, connections to ADDR4 and
# ADDR6 don't reach servers on the host's loopback: they are refused
not_mapped() {
	local priv=$1 a4=$2 a6=$3 port=10083 pid pid6 rc=0
	shift 3
	[ "$priv" = root ] || port=10084
	rm -f "$T/ready" "$T/ready6"
	# Nobody should connect to these: they end with their timeout
	READY="$T/ready" in_host timeout 10 $PEER serve 127.0.0.1 $port 64 \
		>/dev/null 2>&1 &
	pid=$!
	READY="$T/ready6" in_host timeout 10 $PEER serve ::1 $port 64 \
		>/dev/null 2>&1 &
	pid6=$!
	wait_ready "$T/ready" && wait_ready "$T/ready6" || return 1
	pasta_run "$priv" --config-net "$@" -- sh -c \
		"$PEER refused $a4 $port 5 && $PEER refused $a6 $port 5" ||
		rc=1
	wait $pid 2>/dev/null
	wait $pid6 2>/dev/null
	[ $rc = 0 ] || echo "$*: $a4 or $a6 reached the host's loopback" >&2
	return $rc
}

# map_host_lo: --map-host-loopback ADDR (IPv4 and IPv6) reaches servers on
# the host's 127.0.0.1 and ::1, which see a loopback peer; the gateway
# addresses then go upstream (nothing listens there)
case_map_host_lo() {
	local pid pid6 rc=0 port=10080
	[ "$1" = root ] || port=10081
	rm -f "$T/ready" "$T/ready6" "$T/peer" "$T/peer6"
	READY="$T/ready" in_host timeout "$TO" $PEER peer 127.0.0.1 $port \
		>"$T/peer" &
	pid=$!
	READY="$T/ready6" in_host timeout "$TO" $PEER peer ::1 $port \
		>"$T/peer6" &
	pid6=$!
	wait_ready "$T/ready" && wait_ready "$T/ready6" || return 1
	pasta_run "$1" --config-net --map-host-loopback $MAP4 \
		--map-host-loopback $MAP6 -- sh -c \
		"$PEER recv $MAP4 $port 0 && $PEER recv $MAP6 $port 0" || rc=1
	wait $pid || rc=1
	wait $pid6 || rc=1
	[ $rc = 0 ] || { echo "--map-host-loopback: no connection" >&2
			 return 1; }
	peer_is "$T/peer" 127.0.0.1 "--map-host-loopback $MAP4" || rc=1
	peer_is "$T/peer6" ::1 "--map-host-loopback $MAP6" || rc=1
	[ $rc = 0 ] || return 1

	not_mapped "$1" "$UP4" "$UP6" --map-host-loopback $MAP4 \
		--map-host-loopback $MAP6
}

# map_none: --map-host-loopback none maps nothing, like --no-map-gw
case_map_none() {
	not_mapped "$1" "$UP4" "$UP6" --map-host-loopback none &&
		not_mapped "$1" "$UP4" "$UP6" --map-host-loopback 192.0.2.98 \
			--map-host-loopback none
}

# map_guest: --map-guest-addr ADDR reaches a server on the host namespace's
# own address (HOST4, HOST6), which sees that address, not loopback, as its
# peer; ADDR doesn't reach the host's loopback.  The other way, connections
# from the host's own address to a -t port come from ADDR in the namespace.
# -a picks HOST6: the host has a second address (for -o), and pasta would
# give the namespace that one.
case_map_guest() {
	local pid pid6 pp rc=0 port=10085 v a m any
	[ "$1" = root ] || port=10086
	rm -f "$T/ready" "$T/ready6" "$T/peer" "$T/peer6"
	READY="$T/ready" in_host timeout "$TO" $PEER peer "$HOST4" $port \
		>"$T/peer" &
	pid=$!
	READY="$T/ready6" in_host timeout "$TO" $PEER peer "$HOST6" $port \
		>"$T/peer6" &
	pid6=$!
	wait_ready "$T/ready" && wait_ready "$T/ready6" || return 1
	pasta_run "$1" --config-net -a "$HOST4" -a "$HOST6" \
		--map-guest-addr $MAP4 --map-guest-addr $MAP6 -- sh -c \
		"$PEER recv $MAP4 $port 0 && $PEER recv $MAP6 $port 0" || rc=1
	wait $pid || rc=1
	wait $pid6 || rc=1
	[ $rc = 0 ] || { echo "--map-guest-addr: no connection" >&2
			 return 1; }
	peer_is "$T/peer" "$HOST4" "--map-guest-addr $MAP4" || rc=1
	peer_is "$T/peer6" "$HOST6" "--map-guest-addr $MAP6" || rc=1
	[ $rc = 0 ] || return 1

	not_mapped "$1" "$MAP4" "$MAP6" -a "$HOST4" -a "$HOST6" \
		--map-guest-addr $MAP4 --map-guest-addr $MAP6 || return 1

	for v in 4 6; do
		if [ $v = 4 ]; then a=$HOST4; m=$MAP4; any=0.0.0.0
		else a=$HOST6; m=$MAP6; any=::; fi
		rm -f "$T/ready" "$T/peer"
		pasta_run "$1" --config-net -a "$HOST4" -a "$HOST6" \
			--map-guest-addr $MAP4 --map-guest-addr $MAP6 \
			-t $port -- sh -c \
			"READY=$T/ready $PEER peer $any $port >$T/peer" &
		pp=$!
		wait_ready "$T/ready" || { kill $pp; return 1; }
		in_host timeout "$TO" $PEER recv "$a" $port 0 || rc=1
		wait $pp || rc=1
		peer_is "$T/peer" "$m" "inbound from $a" || rc=1
		[ $rc = 0 ] || return 1
	done
}

# no_tcp: --no-tcp drops the guest's segments (no reset: the connection
# times out) and binds nothing for -t
# keepalive: a namespace connection idle for 6 s while its kernel sends a
# keepalive probe every second (two unanswered ones kill it) still echoes:
# pasta answers the probes and doesn't take them for data
case_keepalive() {
	local pid rc=0
	rm -f "$T/ready"
	READY="$T/ready" in_up timeout "$TO" $PEER echo-server "$REMOTE4" \
		10130 1 >/dev/null &
	pid=$!
	wait_ready "$T/ready" || return 1
	pasta_run "$1" --config-net -- $PEER keepalive "$REMOTE4" 10130 6 ||
		rc=1
	wait $pid || rc=1
	return $rc
}

# dns_tcp: with --dns-forward, TCP port 53 to the forward address reaches
# the first resolver (the topology's resolv.conf names UP4 and UP6), and
# the answer comes from the forward address
case_dns_tcp() {
	local pid pid6 rc=0
	rm -f "$T/ready" "$T/ready6"
	READY="$T/ready" in_up timeout "$TO" $PEER serve "$UP4" 53 4096 &
	pid=$!
	READY="$T/ready6" in_up timeout "$TO" $PEER serve "$UP6" 53 4096 &
	pid6=$!
	wait_ready "$T/ready" && wait_ready "$T/ready6" || return 1
	pasta_run "$1" --config-net --dns-forward 198.51.100.53 \
		--dns-forward 2001:db8:2::53 -- sh -c \
		"$PEER recv 198.51.100.53 53 4096 &&
		 $PEER recv 2001:db8:2::53 53 4096" || rc=1
	wait $pid || rc=1
	wait $pid6 || rc=1
	[ $rc = 0 ] || { echo "DNS over TCP not forwarded" >&2; return 1; }
}

case_no_tcp() {
	local out rc=0
	# Nothing listens there: with TCP, that's a quick "refused"
	out=$(pasta_run "$1" --config-net --no-tcp -t 10061 -- sh -c "
		/usr/bin/python3 -c '
import socket, sys
try:
    socket.create_connection((\"$REMOTE4\", 10060), timeout=2)
except socket.timeout:
    print(\"timed out\")
    sys.exit(0)
except OSError as e:
    print(e)
print(\"connected\")
sys.exit(1)' && ss -Hltn >/dev/null" 2>&1) || rc=1
	grep -q "timed out" <<<"$out" || rc=1
	[ $rc = 0 ] || { echo "--no-tcp: $out" >&2; return 1; }

	# Nothing bound on the host for -t (and, as a control, bound without)
	bound_while_running "$1" --no-tcp && rc=1
	bound_while_running "$1" || rc=1
	[ $rc = 0 ] || echo "--no-tcp: wrong listening state on port 10061" >&2
	return $rc
}

# bound_while_running PRIV [ARG] - is port 10061 bound on the host while
# pasta -t 10061 [ARG] runs?
bound_while_running() {
	local pid rc=1
	rm -f "$T/up"
	pasta_run "$1" ${2:+"$2"} -t 10061 -- sh -c "touch $T/up; sleep 2" \
		>/dev/null 2>&1 &
	pid=$!
	wait_ready "$T/up" || return 2
	in_host ss -Hltn "sport = :10061" | grep -q . && rc=0
	wait $pid
	return $rc
}

# outbound_addr: -o picks the source address of outbound connections
case_outbound_addr() {
	local pid rc=0 v a src
	for v in 4 6; do
		if [ $v = 4 ]; then a=$REMOTE4; src=192.0.2.3
		else a=$REMOTE6; src=2001:db8:1::3; fi
		rm -f "$T/ready" "$T/peer"
		READY="$T/ready" in_up timeout "$TO" $PEER peer "$a" 10070 \
			>"$T/peer" &
		pid=$!
		wait_ready "$T/ready" || return 1
		pasta_run "$1" --config-net -o "$src" -- \
			$PEER recv "$a" 10070 0 || rc=1
		wait $pid || rc=1
		[ "$(cat "$T/peer")" = "$src" ] || rc=1
		[ $rc = 0 ] || { echo "-o $src: server saw" \
			"'$(cat "$T/peer")'" >&2; return 1; }
	done
}

tun_usable
topo_setup || { result fail topology; exit 1; }
# A second host address, for -o
in_host ip addr add 192.0.2.3/24 dev eth0
in_host ip -6 addr add 2001:db8:1::3/64 dev eth0 nodad
for priv in $PRIVS; do
	for c in $CASES; do
		if "case_$c" "$priv"; then
			result pass "tcp/$c/$priv"
		else
			result fail "tcp/$c/$priv"
		fi
	done
done
