#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fastpath.sh - the eBPF sockmap fast path (loader/fastpath.c,
# user/tcp_fastpath.c) against real sockets, through tests/lib/fp_proxy: a
# client in the host namespace connects to the proxy on 127.0.0.1, which
# connects to a server on 127.0.0.1 of the upstream namespace, as pasta's
# local bypass does.  Every stream is checked by SHA-256 (fp_peer.py) and
# the verdict counters say which path carried it.
#
# root: the fast path loads; the counters must show redirected bytes.
# user: loading fails with EPERM, pairs stay on splice, same checks pass;
#       pasta --bpf exits 1 naming the missing capabilities.
# attach_pid: pasta --bpf itself, attached by PID to a namespace, carries
#       a 64 MiB transfer in the fast path.
#
# Usage: tests/ns/fastpath.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
PROXY="$(dirname "$BIN")/tests/fp_proxy"
CASES="${*:-load big4 sndbuf big6 small4 small6 half_close rst conc200 switch \
	stall no_bpf user_fallback user_bpf_option attach_pid udp udp_stall}"
test_dir fastpath "$BIN"
install -m 0755 "$PROXY" "$T/fp_proxy"
install -m 0755 "$(dirname "$BIN")/tests/fp_udp" "$T/fp_udp"
install -m 0644 tests/lib/fp_peer.py "$T/fp_peer.py"
PEER="/usr/bin/python3 $T/fp_peer.py"
TO=120
MIB=$((1 << 20))
trap 'topo_cleanup; rm -rf "$T"' EXIT

# wait_long FILE - wait_file, but up to 60 s: peers generate their data
# before listening, which takes a while on a loaded machine
wait_long() {
	for _ in $(seq 1 600); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# run_xfer NAME PROXY_OPTS -- PEER_OPTS... - server in upstream, proxy and
# client in the host namespace (as root), both on loopback; leaves the
# proxy's counters in $T/NAME.out; fails if any stream differs
run_xfer() {
	local name=$1 popts=() v=4 lo=127.0.0.1 pp sp rc=0
	shift
	while [ "$1" != -- ]; do popts+=("$1"); shift; done
	shift
	case " ${popts[*]} " in *" -6 "*) v=6; lo=::1 ;; esac
	popts=("${popts[@]/-6/}")
	rm -f "$T/sready" "$T/pready"
	READY="$T/sready" in_up timeout "$TO" $PEER server $lo 7000 "$@" \
		>"$T/$name.server" 2>&1 &
	sp=$!
	record_pid $sp
	wait_long "$T/sready" || { echo "$name: server not ready" >&2; return 1; }
	if [ $v = 6 ]; then la="[::1]:6000"; ca="[::1]:7000"
	else la=127.0.0.1:6000; ca=127.0.0.1:7000; fi
	in_host timeout "$TO" "$T/fp_proxy" --listen "$la" --connect "$ca" \
		--connect-ns "/run/netns/$UP_NS" --ready "$T/pready" -d \
		${popts[@]+"${popts[@]}"} >"$T/$name.out" 2>"$T/$name.err" &
	pp=$!
	record_pid $pp
	wait_file "$T/pready" || { echo "$name: proxy not ready" >&2; return 1; }
	in_host timeout "$TO" $PEER client $lo 6000 "$@" || rc=1
	wait $sp || rc=1
	wait $pp || rc=1
	[ $rc = 0 ] || { echo "$name: transfer failed" >&2;
		cat "$T/$name.server" >&2; grep -v "^libbpf" "$T/$name.err" >&2; }
	return $rc
}

# val NAME KEY - one counter from a proxy run
val() { sed -n "s/^$2=//p" "$T/$1.out"; }

# expect NAME KEY OP VALUE - compare a counter, explain on failure
expect() {
	local v
	v=$(val "$1" "$2")
	if [ -z "$v" ] || ! [ "$v" "$3" "$4" ]; then
		echo "$1: $2=$v, expected $3 $4" >&2
		tr '\n' ' ' < "$T/$1.out" >&2
		echo >&2
		return 1
	fi
}

# fast_carried NAME BYTES - the fast path took the pairs and carried bytes:
# redirected by the kernel plus passed (moved by us) covers every byte
fast_carried() {
	expect "$1" fastpath = on &&
	expect "$1" pairs_refused -eq 0 &&
	expect "$1" resets -eq 0 &&
	expect "$1" redirected_bytes -gt 0 &&
	[ $(( $(val "$1" redirected_bytes) + $(val "$1" passed_bytes) )) \
		-eq "$2" ] || {
		echo "$1: redirected + passed != $2" >&2; return 1; }
	echo "$1: $(val "$1" redirected_bytes) bytes redirected in the" \
	     "kernel, $(val "$1" passed_bytes) moved by userspace" >&2
}

case_load() {
	# Loading the object is the verifier's lint: must work as root
	"$T/fp_proxy" --listen 127.0.0.1:0 --connect 127.0.0.1:1 --count 0 \
		--ready "$T/lready" >/dev/null 2>"$T/load.err" &
	local p=$!
	record_pid $p
	wait_file "$T/lready"
	kill $p; wait $p
	grep -q "eBPF fast path loaded" "$T/load.err"
}

case_big4() {
	run_xfer big4 --count 1 -- --up $((64 * MIB)) --down $((64 * MIB)) \
		--delay 0.3 &&
	fast_carried big4 $((128 * MIB))
}

# A handed-over pair's sockets get twice net.core.wmem_max as send buffer
# when that is more than autotuning reaches (tcp_wmem's third value), and
# keep autotuning otherwise: the psock worker waits a timer tick whenever
# the buffer is full, so a bigger one keeps the receiver fed
case_sndbuf() {
	local wmem_max tune_max
	wmem_max=$(cat /proc/sys/net/core/wmem_max)
	tune_max=$(awk '{ print $3 }' /proc/sys/net/ipv4/tcp_wmem)
	run_xfer sndbuf --count 1 -- --up $((16 * MIB)) --down $((16 * MIB)) \
		--delay 0.3 && fast_carried sndbuf $((32 * MIB)) || return 1
	if [ $((2 * wmem_max)) -gt "$tune_max" ]; then
		expect sndbuf sndbuf -eq $((2 * wmem_max))
	else
		expect sndbuf sndbuf -le "$tune_max"
	fi
}

case_big6() {
	run_xfer big6 -6 --count 1 -- --up $((64 * MIB)) --down $((64 * MIB)) \
		--delay 0.3 &&
	fast_carried big6 $((128 * MIB))
}

case_small4() {
	run_xfer small4 --count 1 -- --up 1024 --down 1024 --delay 0.3 &&
	fast_carried small4 2048
}

case_small6() {
	run_xfer small6 -6 --count 1 -- --up 1024 --down 1024 --delay 0.3 &&
	fast_carried small6 2048
}

# The client sends 1 MiB and shuts down writing at once, while the server
# still sends 64 MiB: the FIN is passed on only after the 1 MiB left
case_half_close() {
	run_xfer half_close --count 1 -- --up $MIB --down $((64 * MIB)) \
		--delay 0.3 &&
	fast_carried half_close $((65 * MIB))
}

# The server resets: the client must see the reset through the proxy
case_rst() {
	run_xfer rst --count 1 -- --rst --expect-rst --delay 0.3 &&
	expect rst pairs_fast -eq 1 && expect rst resets -eq 1
}

case_conc200() {
	run_xfer conc200 --count 200 -- --conns 200 --up 65536 \
		--down 65536 --delay 1 &&
	expect conc200 pairs_fast -eq 200 &&
	fast_carried conc200 $((200 * 2 * 65536))
}

# Spliced first: the switch happens with data in the pipes
case_switch() {
	run_xfer switch --mode switch --switch-after $MIB --count 1 -- \
		--up $((64 * MIB)) --down $((64 * MIB)) &&
	expect switch pairs_fast -eq 1 && expect switch resets -eq 0 &&
	expect switch redirected_bytes -gt 0 &&
	expect switch handover_pipe_bytes -gt 0 &&
	echo "switch: $(val switch handover_pipe_bytes) bytes in the pipes" \
	     "at the handover" >&2
}

# meminfo_avail - MemAvailable in KiB
meminfo_avail() { sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

# stall_run NAME PROXY_OPTS... - 128 MiB to a receiver that doesn't read
# for 5 s; sets MEMDROP to the largest MemAvailable drop meanwhile (MiB)
stall_run() {
	local name=$1 base min sampler rc=0
	shift
	base=$(meminfo_avail)
	( while :; do meminfo_avail; sleep 0.1; done ) > "$T/mem" &
	sampler=$!
	run_xfer "$name" "$@" --count 1 -- --up $((128 * MIB)) --stall 5 \
		--delay 0.3 || rc=1
	kill $sampler
	wait $sampler 2>/dev/null
	min=$(sort -n "$T/mem" | head -n1)
	MEMDROP=$(( (base - min) / 1024 ))
	return $rc
}

# The receiver stops reading for 5 s while the client pushes 128 MiB: the
# data redirected but not yet sent (backlog, kernel memory no socket is
# charged for) must stay within the 32 MiB limit, and every byte arrive.
# The same without the limit shows that the check can fail.
# MemAvailable drops are reported too, but other processes make them noisy.
case_stall() {
	local limited
	stall_run stall || return 1
	limited=$MEMDROP
	stall_run stall_nolimit --hwm 0 || return 1
	echo "stall: largest backlog $(( $(val stall max_backlog) / 1024 )) KiB" \
	     "with flow control, $(( $(val stall_nolimit max_backlog) / 1024 ))" \
	     "KiB without; MemAvailable fell by at most $limited MiB, and" \
	     "$MEMDROP MiB without" >&2
	expect stall max_backlog -le $((32 * MIB)) &&
	expect stall_nolimit max_backlog -gt $((32 * MIB)) &&
	expect stall passed_bytes -gt 0 &&
	fast_carried stall $((128 * MIB))
}

case_no_bpf() {
	run_xfer no_bpf --no-bpf --count 1 -- --up $((64 * MIB)) \
		--down $((64 * MIB)) --delay 0.3 &&
	expect no_bpf fastpath = off && expect no_bpf pairs_fast -eq 0 &&
	expect no_bpf redirected_bytes -eq 0
}

# Unprivileged: no namespace switch, everything in the host namespace
case_user_fallback() {
	local sp pp rc=0
	rm -f "$T/sready" "$T/pready"
	READY="$T/sready" as_user timeout "$TO" $PEER server 127.0.0.1 7001 \
		--up $((16 * MIB)) --down $((16 * MIB)) \
		>"$T/user.server" 2>&1 &
	sp=$!
	record_pid $sp
	wait_long "$T/sready" || return 1
	as_user timeout "$TO" "$T/fp_proxy" --listen 127.0.0.1:6001 \
		--connect 127.0.0.1:7001 --count 1 --ready "$T/pready" \
		>"$T/user.out" 2>"$T/user.err" &
	pp=$!
	record_pid $pp
	wait_file "$T/pready" || return 1
	as_user timeout "$TO" $PEER client 127.0.0.1 6001 \
		--up $((16 * MIB)) --down $((16 * MIB)) --delay 0.3 || rc=1
	wait $sp || rc=1
	wait $pp || rc=1
	[ $rc = 0 ] || { cat "$T/user.server" "$T/user.err" >&2; return 1; }
	grep -q "fast path off.*Operation not permitted.*CAP_BPF" \
		"$T/user.err" || { cat "$T/user.err" >&2; return 1; }
	expect user fastpath = off && expect user pairs_fast -eq 0 &&
	expect user redirected_bytes -eq 0
}

case_user_bpf_option() {
	local out rc
	out=$(as_user timeout 20 "$PASTA" --bpf -- true 2>&1)
	rc=$?
	[ $rc = 1 ] || { echo "pasta --bpf as user: status $rc" >&2; return 1; }
	echo "$out" | grep -q "^--bpf: .*Operation not permitted.*CAP_BPF and CAP_NET_ADMIN" ||
		{ echo "pasta --bpf as user said: $out" >&2; return 1; }
	out=$(in_host timeout 20 "$PASTA" --bpf --config-net -- true 2>&1)
	rc=$?
	[ $rc = 0 ] || { echo "pasta --bpf as root: status $rc: $out" >&2; return 1; }
	echo "$out" | grep -q "eBPF fast path loaded" ||
		{ echo "pasta --bpf as root said: $out" >&2; return 1; }
}

# until_ok SECS CMD... - retry CMD every 0.1 s for at most SECS seconds
until_ok() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# listening NSPID PORT - a TCP socket listens on PORT in NSPID's namespace
listening() {
	nsenter -t "$1" -n ss -Hltn "sport = :$2" | grep -q .
}

# host_listening PORT - a TCP socket listens on PORT in the host namespace
host_listening() {
	in_host ss -Hltn "sport = :$1" | grep -q .
}

# attach_pid: as a privileged host would, root attaches pasta --bpf to the
# namespace of a running process (by PID); 64 MiB from the host's loopback
# to a server on the namespace's loopback through -t arrive intact, and the
# log says the fast path carried them
case_attach_pid() {
	local np pp rc=0 port=10200 n=$((64 * MIB))
	head -c $n /dev/urandom > "$T/a64m"
	rm -f "$T/nspid" "$T/a_got" "$T/attach.log"
	in_host unshare --net sh -c "ip link set lo up; echo \$\$ >$T/nspid;
		exec timeout $TO socat -u \
		TCP-LISTEN:$port,bind=127.0.0.1 CREATE:$T/a_got" &
	np=$!
	record_pid $np
	until_ok 10 test -s "$T/nspid" &&
		until_ok 10 listening "$(cat "$T/nspid")" $port ||
		{ echo "attach_pid: server not ready" >&2; return 1; }
	in_host timeout "$TO" "$PASTA" --bpf -f -d -l "$T/attach.log" \
		--config-net -t $port -T none -u none -U none \
		"$(cat "$T/nspid")" 2>"$T/attach.err" &
	pp=$!
	record_pid $pp
	until_ok 10 host_listening $port ||
		{ echo "attach_pid: pasta not listening" >&2;
		  cat "$T/attach.err" >&2; kill $pp; return 1; }
	in_host timeout "$TO" socat -u OPEN:"$T/a64m" TCP:127.0.0.1:$port ||
		rc=1
	wait $np || rc=1
	sleep 0.5
	kill $pp
	wait $pp
	cmp -s "$T/a64m" "$T/a_got" ||
		{ echo "attach_pid: data differs ($(stat -c %s "$T/a_got"))" >&2
		  rc=1; }
	grep -q "eBPF fast path loaded" "$T/attach.log" ||
		{ echo "attach_pid: fast path not loaded" >&2; rc=1; }
	grep -q "port $port closed (fast path): $n bytes host to namespace" \
		"$T/attach.log" ||
		{ echo "attach_pid: not carried by the fast path:" >&2
		  grep "TCP splice" "$T/attach.log" >&2; rc=1; }
	return $rc
}

# A UDP pair in the fast path: every datagram size from 1 to 65507 bytes,
# both ways, between loopbacks of two namespaces, must arrive whole (the
# program linearises datagrams, which egress would otherwise split)
case_udp() {
	in_host timeout "$TO" "$T/fp_udp" --ns "/run/netns/$UP_NS" \
		>"$T/udp.out" 2>"$T/udp.err" ||
		{ grep -v "^libbpf" "$T/udp.err" >&2; tr '\n' ' ' <"$T/udp.out" >&2; return 1; }
	expect udp sizes -eq 65507 && expect udp bad -eq 0 &&
	expect udp redirected -eq $((2 * 65507)) &&
	echo "udp: $(val udp redirected) datagrams, $(val udp redirected_bytes)" \
	     "bytes redirected" >&2
}

# udp_stall: the UDP program has no backpressure, like UDP itself: with a
# receiver that reads nothing for 5 s while 64 KiB datagrams are sent as
# fast as possible through the pair, what doesn't fit the receiver's buffer
# is dropped, so memory stays bounded: MemAvailable falls by less than
# 256 MiB, where a queue without bound would hold most of the 11 GB sent
# (measured here: 9-25 MiB, against 4 MiB straight over loopback; the
# margin is for other processes, as MemAvailable is machine-wide), and
# the datagrams queued meanwhile are read whole afterwards
case_udp_stall() {
	in_host timeout "$TO" "$T/fp_udp" --ns "/run/netns/$UP_NS" \
		--path fast --bench 5 --stall --size 65000 \
		>"$T/udp_stall.out" 2>"$T/udp_stall.err" ||
		{ grep -v "^libbpf" "$T/udp_stall.err" >&2; return 1; }
	expect udp_stall redirected -gt 1000 &&
	expect udp_stall received -gt 0 &&
	expect udp_stall mem_drop_kb -lt 262144 &&
	echo "udp_stall: $(val udp_stall sent) sent, $(val udp_stall received)" \
	     "read after the stall, MemAvailable fell by" \
	     "$(val udp_stall mem_drop_kb) kB" >&2
}

topo_setup || { result fail topology; exit 1; }
for c in $CASES; do
	if "case_$c"; then
		result pass "fastpath/$c"
	else
		result fail "fastpath/$c"
	fi
done
