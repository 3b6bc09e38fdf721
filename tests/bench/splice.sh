#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/splice.sh - pasta's spliced loopback path against direct loopback,
# measured in the same run (ratios, never pass/fail):
#
#   tcp_splice_*: iperf3 (single stream and -P 2) from the host's loopback
#     into the namespace through -t, and from the namespace's loopback to
#     the host through -T, against iperf3 over the host's own loopback
#   tcp_crr: new connections per second (connect, 1 byte each way, close)
#   tcp_rr: request/response round trips, 1 byte each way, one connection
#   tcp_crr_median, tcp_rr_median, tcp_crr_p99, tcp_rr_p99: median and
#     99th percentile of a connection or round trip of those, microseconds
#
# tcp_crr and tcp_rr use tests/lib/tcp_rr (C, from make unit) as client
# (on the host's loopback) and server (in pasta's namespace, behind -t);
# each is the run with the median rate of three, taken in turns.
#
# Our pasta runs twice: as the unprivileged test user (splice: the eBPF
# fast path can't load) and as root (the fast path carries every pair).
# Debian's upstream pasta (/usr/bin/pasta) is measured the same way as our
# unprivileged run when installed (it refuses to keep running as root).
#
# Usage: [PARTS="iperf rr"] tests/bench/splice.sh [PASST_BINARY]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
RR="$(dirname "$BIN")/tests/tcp_rr"
SECS=${SECS:-4}
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root to build the test topology" >&2
	exit 77
fi
if [ ! -x "$RR" ]; then
	echo "bench: $RR missing (make unit)" >&2
	exit 1
fi
T=$(mktemp -d /tmp/pt-bench-splice.XXXXXX)
chmod 0777 "$T"
install -m 0755 "$BIN" "$T/passt"
ln -s passt "$T/pasta"
install -m 0755 "$RR" "$T/tcp_rr"
trap 'topo_cleanup; rm -rf "$T"' EXIT
topo_setup || exit 1

# direct PAR - iperf3 over the host namespace's own loopback
direct() {
	as_user timeout 60 iperf3 -s -1 -B 127.0.0.1 -p 5301 >/dev/null 2>&1 &
	sleep 0.5
	as_user timeout 60 iperf3 -J -t "$SECS" -P "$1" -c 127.0.0.1 \
		-p 5301 2>/dev/null | iperf_gbps
	wait
}

# via_in PASTA PAR - client on the host's loopback, server in the
# namespace, through -t
via_in() {
	rm -f "$T/ready"
	$RUN timeout 60 "$1" $EXTRA -q --config-net -t 5302 -T none -u none \
		-U none -- sh -c "iperf3 -s -1 -B 127.0.0.1 -p 5302 \
		>/dev/null 2>&1 & sleep 0.5; echo ok >$T/ready; wait" &
	wait_file "$T/ready" || return
	as_user timeout 60 iperf3 -J -t "$SECS" -P "$2" -c 127.0.0.1 \
		-p 5302 2>/dev/null | iperf_gbps
	wait
}

# via_out PASTA PAR - server on the host's loopback, client in the
# namespace, through -T
via_out() {
	as_user timeout 60 iperf3 -s -1 -B 127.0.0.1 -p 5303 >/dev/null 2>&1 &
	sleep 0.5
	$RUN timeout 60 "$1" $EXTRA -q --config-net -T 5303 -t none -u none \
		-U none -- iperf3 -J -t "$SECS" -P "$2" -c 127.0.0.1 -p 5303 \
		2>/dev/null | iperf_gbps
	wait
}

# rr_in PASTA MODE N - one tests/lib/tcp_rr client run, MODE crr or rr,
# from the host's loopback through -t ("" for direct loopback); prints its
# key=value lines
rr_in() {
	local port=5304
	rm -f "$T/ready"
	if [ -z "$1" ]; then
		as_user timeout 60 "$T/tcp_rr" server 127.0.0.1 $port 50 \
			"$T/ready" &
	else
		$RUN timeout 60 "$1" $EXTRA -q --config-net -t $port -T none \
			-u none -U none -- "$T/tcp_rr" server 127.0.0.1 $port \
			50 "$T/ready" &
	fi
	wait_file "$T/ready" || return
	as_user timeout 70 "$T/tcp_rr" "$2" 127.0.0.1 $port "$3"
	wait
}

# rr_pick OUTPUT... - of rr_in outputs, the one with the median rate
# (among those that have one)
rr_pick() {
	local o r outs=() rates=() k
	for o in "$@"; do
		r=$(kv "$o" '[a-z]*_per_s')
		[ -n "$r" ] || continue
		outs+=("$o")
		rates+=("$r ${#outs[@]}")
	done
	[ ${#outs[@]} -gt 0 ] || return
	k=$(printf '%s\n' "${rates[@]}" | sort -n |
		sed -n "$((${#outs[@]} / 2 + 1))p")
	echo "${outs[${k#* } - 1]}"
}

# kv LINES KEY - the value of KEY (a sed pattern) in key=value LINES
kv() { echo "$1" | sed -n "s/^$2=//p"; }

# pasta runs as the test user (splice: no privileges for the eBPF fast
# path), and, for the fast path, as root ("bpf"); EXTRA adds options
RUN=as_user
EXTRA=

# ours_bpf FUNCTION ARGS... - run a measurement with pasta started by root,
# where the eBPF fast path loads
ours_bpf() {
	local f=$1
	shift
	RUN=in_host "$f" "$@"
}

# rr_one WHO MODE N - one rr_in run: WHO is direct, ours, ours-bpf or
# debian; a failed run is named on standard error
rr_one() {
	local out
	case $1 in
	direct)		out=$(rr_in "" "$2" "$3") ;;
	ours)		out=$(rr_in "$T/pasta" "$2" "$3") ;;
	ours-bpf)	out=$(ours_bpf rr_in "$T/pasta" "$2" "$3") ;;
	debian)		out=$(rr_in "$upstream" "$2" "$3") ;;
	esac
	[ -n "$(kv "$out" '[a-z]*_per_s')" ] ||
		echo "bench: tcp_$2 through $1 failed" >&2
	echo "$out"
}

upstream=/usr/bin/pasta
[ -x "$upstream" ] && ! cmp -s "$upstream" "$BIN" || upstream=""

PARTS=${PARTS:-iperf rr}
for par in 1 2; do
	[[ $PARTS == *iperf* ]] || break
	d=$(direct $par)
	for dir in in out; do
		o=$(via_$dir "$T/pasta" $par)
		b=$(ours_bpf via_$dir "$T/pasta" $par)
		bench_row "tcp_splice_${dir}_P$par" direct "$d" Gbit/s "$d"
		bench_row "tcp_splice_${dir}_P$par" ours "$o" Gbit/s "$d"
		bench_row "tcp_splice_${dir}_P$par" ours-bpf "$b" Gbit/s "$d"
		line="tcp_splice_$dir -P $par: direct loopback ${d:-?} Gbit/s,"
		line="$line ours (splice) ${o:-?} ($(ratio "$o" "$d")),"
		line="$line ours (eBPF fast path) ${b:-?} ($(ratio "$b" "$d"))"
		if [ -n "$upstream" ]; then
			u=$(via_$dir "$upstream" $par)
			bench_row "tcp_splice_${dir}_P$par" debian "$u" Gbit/s \
				"$d"
			line="$line, upstream pasta ${u:-?} ($(ratio "$u" "$d"));"
			line="$line ours/upstream $(ratio "$o" "$u")"
		fi
		echo "$line"
	done
done

for m in crr:2000 rr:20000; do
	[[ $PARTS == *rr* ]] || break
	mode=${m%%:*}
	n=${m#*:}
	# three rounds, each daemon in turn, so that a noisy moment hits
	# all of them; then the run with the median rate of each
	whos=(direct ours ours-bpf)
	[ -n "$upstream" ] && whos+=(debian)
	declare -A runs=()
	for i in 1 2 3; do
		for w in "${whos[@]}"; do
			runs[$w,$i]=$(rr_one "$w" "$mode" "$n")
		done
	done
	o=()
	for w in "${whos[@]}"; do
		o+=("$(rr_pick "${runs[$w,1]}" "${runs[$w,2]}" "${runs[$w,3]}")")
	done
	r=(); med=(); p=()
	for i in 0 1 2 3; do
		r+=("$(kv "${o[i]:-}" '[a-z]*_per_s')")
		med+=("$(kv "${o[i]:-}" median_us)")
		p+=("$(kv "${o[i]:-}" p99_us)")
	done
	names=(direct ours ours-bpf debian)
	for i in 0 1 2 3; do
		[ $i = 3 ] && [ -z "$upstream" ] && break
		bench_row "tcp_$mode" "${names[i]}" "${r[i]}" /s "${r[0]}"
	done
	for i in 0 1 2 3; do
		[ $i = 3 ] && [ -z "$upstream" ] && break
		bench_row "tcp_${mode}_median" "${names[i]}" "${med[i]}" us \
			"${med[0]}"
		bench_row "tcp_${mode}_p99" "${names[i]}" "${p[i]}" us "${p[0]}"
	done
	line="tcp_$mode (per s, higher is better; median and p99 us):"
	line="$line direct loopback ${r[0]:-?} (${med[0]:-?}, ${p[0]:-?}),"
	line="$line ours (splice) ${r[1]:-?} x$(ratio "${r[1]}" "${r[0]}")"
	line="$line (${med[1]:-?}, ${p[1]:-?}), ours (eBPF fast path)"
	line="$line ${r[2]:-?} x$(ratio "${r[2]}" "${r[0]}")"
	line="$line (${med[2]:-?}, ${p[2]:-?})"
	if [ -n "$upstream" ]; then
		line="$line, upstream pasta ${r[3]:-?}"
		line="$line x$(ratio "${r[3]}" "${r[0]}")"
		line="$line (${med[3]:-?}, ${p[3]:-?});"
		line="$line ours/upstream $(ratio "${r[1]}" "${r[3]}")"
	fi
	echo "$line"
done
