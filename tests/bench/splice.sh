#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/splice.sh - pasta's spliced loopback path against direct loopback,
# measured in the same run (ratios, never pass/fail):
#
#   tcp_splice_*: iperf3 (single stream and -P 2) from the host's loopback
#     into the namespace through -t, and from the namespace's loopback to
#     the host through -T, against iperf3 over the host's own loopback
#   tcp_crr: new connections per second (connect, 1 byte each way, close)
#   tcp_rr: request/response round trips, 1 byte each way
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
SECS=${SECS:-4}
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root to build the test topology" >&2
	exit 77
fi
T=$(mktemp -d /tmp/pt-bench-splice.XXXXXX)
chmod 0777 "$T"
install -m 0755 "$BIN" "$T/passt"
ln -s passt "$T/pasta"
cat > "$T/rr.py" <<'EOF'
# rr.py MODE ADDR PORT N - crr: N connections, 1 byte each way; rr: N
# round trips of 1 byte on one connection; server: answer for at most N
# seconds, and stop 1 s after the last event.
# Prints operations per second.
import socket, sys, time
mode, addr, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
if mode == 'server':
    import selectors
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(128)
    open(sys.argv[5], 'w').write('ok\n')
    sel = selectors.DefaultSelector(); sel.register(ls, selectors.EVENT_READ)
    end = time.monotonic() + n
    last = None
    while time.monotonic() < end:
        if last and time.monotonic() - last > 1:
            break
        for k, _ in sel.select(0.2):
            last = time.monotonic()
            if k.fileobj is ls:
                c, _ = ls.accept()
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(c, selectors.EVENT_READ)
                continue
            b = k.fileobj.recv(64)
            if b:
                k.fileobj.sendall(b)
            else:
                sel.unregister(k.fileobj); k.fileobj.close()
    sys.exit(0)
t = time.monotonic()
if mode == 'crr':
    for _ in range(n):
        s = socket.create_connection((addr, port), timeout=5)
        s.sendall(b'x')
        assert s.recv(1) == b'x'
        s.close()
else:
    s = socket.create_connection((addr, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(n):
        s.sendall(b'x')
        assert s.recv(1) == b'x'
print('%.0f' % (n / (time.monotonic() - t)))
EOF
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

# rr_in PASTA MODE N - tcp_crr/tcp_rr from the host through -t ("" for
# direct loopback)
rr_in() {
	local port=5304
	rm -f "$T/ready"
	if [ -z "$1" ]; then
		as_user timeout 60 /usr/bin/python3 "$T/rr.py" server 127.0.0.1 $port \
			30 "$T/ready" &
	else
		$RUN timeout 60 "$1" $EXTRA -q --config-net -t $port -T none \
			-u none -U none -- timeout 40 /usr/bin/python3 "$T/rr.py" \
			server 127.0.0.1 $port 30 "$T/ready" &
	fi
	wait_file "$T/ready" || return
	as_user timeout 30 /usr/bin/python3 "$T/rr.py" "$2" 127.0.0.1 $port "$3"
	wait
}

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
	d=$(rr_in "" "$mode" "$n")
	o=$(rr_in "$T/pasta" "$mode" "$n")
	b=$(ours_bpf rr_in "$T/pasta" "$mode" "$n")
	bench_row "tcp_$mode" direct "$d" /s "$d"
	bench_row "tcp_$mode" ours "$o" /s "$d"
	bench_row "tcp_$mode" ours-bpf "$b" /s "$d"
	line="tcp_$mode (per s, higher is better): direct loopback ${d:-?},"
	line="$line ours (splice) ${o:-?} ($(ratio "$o" "$d")),"
	line="$line ours (eBPF fast path) ${b:-?} ($(ratio "$b" "$d"))"
	if [ -n "$upstream" ]; then
		u=$(rr_in "$upstream" "$mode" "$n")
		bench_row "tcp_$mode" debian "$u" /s "$d"
		line="$line, upstream pasta ${u:-?} ($(ratio "$u" "$d"));"
		line="$line ours/upstream $(ratio "$o" "$u")"
	fi
	echo "$line"
done
