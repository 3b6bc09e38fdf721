#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/memory.sh - resident memory (VmRSS, /proc/PID/status) of our pasta
# and, when installed, the system's (/usr/bin/pasta), both started as the
# unprivileged test user with -t PORT and a server in the namespace:
#
#   rss_start:       after start, the server listening, no connection
#   rss_1000_splice: with 1000 connections open from the host namespace's
#                    127.0.0.1 (the spliced path: two sockets and a pipe
#                    pair per connection in pasta)
#   rss_1000_tap:    with 1000 connections open from the upstream namespace
#                    to the host's address (the tap path: one socket per
#                    connection in pasta)
#
# Our pasta is also started by root ("ours-bpf": the eBPF fast path loaded,
# its maps are kernel memory), spliced path only.
#
# The client (tests/bench/conns.py) runs as root, in the host namespace for
# the spliced path and upstream for the tap path (Debian 12's pasta drops
# connections from the host's own address, which is also the namespace's);
# client and server raise RLIMIT_NOFILE to the hard limit (20000 here).
# Reported in MiB, never asserted.  Needs root for the topology.
#
# Usage: tests/bench/memory.sh [PASST_BINARY]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
N=${CONNS:-1000}
PORT=5310
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
test_dir bench-mem "$BIN"
install -m 0644 tests/bench/conns.py "$T/conns.py"
trap 'topo_cleanup; rm -rf "$T"' EXIT
tun_usable
topo_setup || exit 1

# rss_mib PID - VmRSS of PID in MiB, two decimals
rss_mib() {
	awk '/^VmRSS:/ { printf "%.2f", $2 / 1024 }' "/proc/$1/status" \
		2>/dev/null
}

# wait_count FILE N - wait (bounded, 60 s) until FILE holds a number >= N
wait_count() {
	for _ in $(seq 1 600); do
		[ "$(cat "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# measure PASTA WHERE ADDR - start PASTA, print "start_rss loaded_rss" with
# N connections to ADDR, the client run by WHERE (in_host or in_up)
measure() {
	local p=$1 where=$2 addr=$3 pid s l=""
	rm -f "$T/ready" "$T/count" "$T/opened" "$T/stop" "$T/pid"
	$RUN timeout -k 5 150 "$p" -q --config-net -P "$T/pid" \
		-t $PORT -T none -u none -U none -- \
		/usr/bin/python3 "$T/conns.py" server $PORT "$N" "$T" 120 \
		>/dev/null 2>&1 &
	if ! wait_file "$T/ready" || ! wait_file "$T/pid"; then
		touch "$T/stop"
		wait
		echo "? ?"
		return
	fi
	pid=$(cat "$T/pid")
	sleep 1
	s=$(rss_mib "$pid")
	$where timeout 130 /usr/bin/python3 "$T/conns.py" client "$addr" \
		$PORT "$N" "$T" 120 &
	if wait_count "$T/count" "$N"; then
		sleep 0.5
		l=$(rss_mib "$pid")
	else
		echo "memory: $p: only $(cat "$T/count" 2>/dev/null || echo 0)" \
		     "of $N connections through (opened: $(cat "$T/opened" \
		     2>/dev/null))" >&2
	fi
	touch "$T/stop"
	wait
	echo "${s:-?} ${l:-?}"
}

upstream=/usr/bin/pasta
[ -x "$upstream" ] && ! cmp -s "$upstream" "$BIN" || upstream=""

# RUN (used by measure): as_user, or in_host for ours-bpf
for who in ${WHO:-ours ours-bpf debian}; do
	p="$T/pasta"
	RUN=as_user
	if [ "$who" = debian ]; then
		[ -n "$upstream" ] || continue
		p=$upstream
	elif [ "$who" = ours-bpf ]; then
		RUN=in_host
		read -r s1 ls <<<"$(measure "$p" in_host 127.0.0.1)"
		echo "memory: ours pasta started by root (eBPF fast path):" \
		     "VmRSS after start $s1 MiB, with $N spliced" \
		     "connections $ls MiB"
		bench_row rss_start "$who" "$s1" MiB
		bench_row "rss_${N}_splice" "$who" "$ls" MiB
		continue
	fi
	read -r s1 ls <<<"$(measure "$p" in_host 127.0.0.1)"
	read -r _ lt <<<"$(measure "$p" in_up "$HOST4")"
	echo "memory: $who pasta: VmRSS after start $s1 MiB, with $N" \
	     "connections: spliced $ls MiB, tap $lt MiB"
	bench_row rss_start "$who" "$s1" MiB
	bench_row "rss_${N}_splice" "$who" "$ls" MiB
	bench_row "rss_${N}_tap" "$who" "$lt" MiB
done
