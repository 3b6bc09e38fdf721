#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/startup.sh - pasta's startup time with one forwarded TCP port and
# with a large forward set (-t 10001-18000: 8000 ports), for our pasta and,
# when installed, the system's (/usr/bin/pasta): milliseconds from just
# before the exec (of ip netns exec, setpriv, timeout, pasta) to the
# command in the namespace running, median of 3 runs, and VmRSS then.
# Both run as the unprivileged test user.  Whether the last port of the
# range listens when the command runs is checked and reported.
#
# Each port takes a listening socket per address family, so the forward
# set is bounded by RLIMIT_NOFILE: 8000 ports fit in a hard limit of 20000
# (this machine's, which root can't raise here: no CAP_SYS_RESOURCE).  A
# -t 10000-60000 start is tried once and its outcome printed.
# Reported, never asserted.  Needs root for the topology.
#
# Usage: tests/bench/startup.sh [PASST_BINARY]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
RUNS=3
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
test_dir bench-startup "$BIN"
trap 'topo_cleanup; rm -rf "$T"' EXIT
tun_usable
topo_setup || exit 1

# once PASTA PORTS LAST - one start with -t PORTS: prints "ms rss_mib
# listening", where listening is yes if port LAST listens in the host
# namespace once the command runs
once() {
	local p=$1 ports=$2 last=$3 t0 t1 rss l=no
	rm -f "$T/t1" "$T/pid" "$T/stop"
	t0=$(date +%s%N)
	as_user timeout -k 5 120 "$p" -q --config-net -P "$T/pid" \
		-t "$ports" -T none -u none -U none -- sh -c "
		date +%s%N >$T/t1.tmp && mv $T/t1.tmp $T/t1
		for i in \$(seq 1 600); do
			[ -e $T/stop ] && break
			sleep 0.1
		done" >/dev/null 2>&1 &
	for _ in $(seq 1 1200); do
		[ -s "$T/t1" ] && break
		sleep 0.05
	done
	if [ -s "$T/t1" ] && wait_file "$T/pid"; then
		t1=$(cat "$T/t1")
		rss=$(awk '/^VmRSS:/ { printf "%.2f", $2 / 1024 }' \
			"/proc/$(cat "$T/pid")/status" 2>/dev/null)
		in_host ss -Hltn "sport = :$last" | grep -q . && l=yes
		echo "$(( (t1 - t0) / 1000000 )) ${rss:-?} $l"
	else
		echo "? ? no"
	fi
	touch "$T/stop"
	wait
}

# median - the middle of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

upstream=/usr/bin/pasta
[ -x "$upstream" ] && ! cmp -s "$upstream" "$BIN" || upstream=""

for who in ${WHO:-ours debian}; do
	p="$T/pasta"
	if [ "$who" = debian ]; then
		[ -n "$upstream" ] || continue
		p=$upstream
	fi
	echo "startup: $who pasta, -t 10000-60000 with RLIMIT_NOFILE" \
	     "$(ulimit -Hn): $(as_user timeout -k 5 120 "$p" -q --config-net \
	     -t 10000-60000 -T none -u none -U none -- echo started 2>&1 |
	     grep -v syslog | tail -n 1)"
	for set in 5320:1 10001-18000:8000; do
		ports=${set%%:*}
		n=${set#*:}
		: >"$T/runs"
		for _ in $(seq 1 $RUNS); do
			once "$p" "$ports" "${ports#*-}" >>"$T/runs"
		done
		ms=$(awk '$1 != "?" { print $1 }' "$T/runs" | median)
		rss=$(awk '$2 != "?" { print $2 }' "$T/runs" | median)
		l=$(awk '{ print $3 }' "$T/runs" | sort -u | tr '\n' ' ')
		echo "startup: $who pasta, -t $ports ($n ports): ${ms:-?} ms" \
		     "to the command (runs: $(awk '{ print $1 }' "$T/runs" |
		     tr '\n' ' ')), VmRSS ${rss:-?} MiB, last port listening:" \
		     "${l% }"
		bench_row "startup_${n}_ports" "$who" "$ms" ms
		bench_row "rss_${n}_ports" "$who" "$rss" MiB
	done
done
