#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sandbox.sh - once set up, passt and pasta run with a seccomp filter,
# no_new_privs, no capabilities (but CAP_NET_BIND_SERVICE when granted), an
# empty root directory, their own mount, IPC and UTS namespaces (and PID
# namespace for passt in background), as nobody or --runas when started as
# root; ip netns del ends pasta unless --no-netns-quit.  Where pivot_root()
# fails (made to by tests/lib/no_pivot.c, a seccomp filter the daemon's own
# stacks on), they chroot() into the empty directory instead, with a
# warning, and work the same.  The capture file
# (--pcap), opened before sandboxing, holds a DHCP exchange and a TCP
# handshake that tshark decodes.  A process killed by
# the filter fails the case that started it, and the kernel's audit record
# (type=1326) names the system call.
#
# Usage: tests/ns/sandbox.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-pasta_spawn pasta_attach passt_bg passt_fg runas_login runas_numeric runas_denied bind_cap netns_quit no_netns_quit debug_list pcap chroot_passt chroot_pasta}"
PRIVS="${PRIVS:-root user}"
test_dir sandbox "$BIN"
TO=30

install -m 0755 tests/lib/dhcp-record.sh "$T/dhcp-record.sh"
install -m 0755 "$(dirname "$BIN")/tests/no_pivot" "$T/no_pivot"

trap 'topo_cleanup; rm -rf "$T"' EXIT

# status PID FIELD - a field of /proc/PID/status, tabs squeezed
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' \
	"/proc/$1/status"; }

# wait_pid_file PATH - wait (bounded) for a PID file, print the PID
wait_pid_file() {
	wait_file "$1" || { echo "no PID file $1" >&2; return 1; }
	cat "$1"
}

# sandboxed PID CAPEFF [UID] - check the sandbox of a running daemon: the
# seccomp filter, no_new_privs, effective, permitted and bounding
# capabilities (hex, all the same), none ambient, an empty root, and the
# user ID when given
sandboxed() {
	local pid=$1 cap=$2 uid=${3:-} v root
	for _ in $(seq 1 50); do
		[ "$(status "$pid" Seccomp)" = 2 ] && break
		sleep 0.1
	done
	v=$(status "$pid" Seccomp)
	[ "$v" = 2 ] || { echo "Seccomp: '$v', expected 2" >&2; return 1; }
	v=$(status "$pid" NoNewPrivs)
	[ "$v" = 1 ] || { echo "NoNewPrivs: '$v', expected 1" >&2; return 1; }
	for v in CapEff CapPrm CapBnd; do
		[ "$(status "$pid" $v)" = "$cap" ] && continue
		echo "$v: '$(status "$pid" $v)', expected $cap" >&2
		return 1
	done
	v=$(status "$pid" CapAmb)
	[ "$v" = 0000000000000000 ] || { echo "CapAmb: '$v'" >&2; return 1; }
	root=$(ls -A "/proc/$pid/root/" 2>&1) ||
		{ echo "can't list /proc/$pid/root: $root" >&2; return 1; }
	[ -z "$root" ] || { echo "/proc/$pid/root lists: $root" >&2; return 1; }
	if [ -n "$uid" ]; then
		v=$(status "$pid" Uid)
		[ "$v" = "$uid $uid $uid $uid" ] ||
			{ echo "Uid: '$v', expected $uid" >&2; return 1; }
	fi
}

# detached PID OTHER NS... - PID's namespaces NS... differ from OTHER's
detached() {
	local pid=$1 other=$2 ns a b
	shift 2
	for ns in "$@"; do
		a=$(readlink "/proc/$pid/ns/$ns")
		b=$(readlink "/proc/$other/ns/$ns")
		if [ -z "$a" ] || [ "$a" = "$b" ]; then
			echo "$ns namespace '$a' not detached from $other's '$b'" >&2
			return 1
		fi
	done
}

# gone PID SECONDS - wait (bounded) until PID has exited
gone() {
	for _ in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		# An exited daemon in background waits for whoever reaps
		# orphans here: a zombie has gone too
		[ "$(status "$1" State 2>/dev/null | cut -c1)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

# in_target PRIV PID CMD... - run a command in PID's network namespace
# (and user namespace, if PRIV is user), as root or as the test user
in_target() {
	local priv=$1 pid=$2
	shift 2
	if [ "$priv" = root ]; then
		nsenter -t "$pid" -n "$@"
	else
		as_user nsenter --preserve-credentials -t "$pid" -U -n "$@"
	fi
}

# user_id PRIV - the user ID a daemon ends up with
user_id() {
	if [ "$1" = root ]; then id -u nobody; else id -u "$TEST_USER"; fi
}

# pasta_spawn: pasta running a command; the command keeps the namespaces
# pasta was started in, pasta has left them
case_pasta_spawn() {
	local sh pp rc=0
	rm -f "$T/sh.pid"
	pasta_run "$1" --config-net -- sh -c "echo \$\$ > $T/sh.pid; sleep 20" \
		>"$T/out" 2>&1 &
	record_pid $!
	sh=$(wait_pid_file "$T/sh.pid") || return 1
	record_pid "$sh"
	pp=$(status "$sh" PPid)
	sandboxed "$pp" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$pp" "$sh" mnt ipc uts || rc=1
	factory_filtered "$pp" || rc=1
	# The network still works, through the filter
	[ $rc = 0 ] && { in_target "$1" "$sh" ping -c1 -W5 "$REMOTE4" \
		>"$T/ping" 2>&1 || { cat "$T/ping" >&2; rc=1; }; }
	# As nobody, pasta can't signal a command running as root: it exits
	# instead, and its socket factory ends the command (ns_sock.c)
	kill "$pp" 2>/dev/null
	gone "$pp" 5 || { echo "pasta survived SIGTERM" >&2; rc=1; }
	gone "$sh" 5 || { echo "the command survived pasta" >&2; rc=1; }
	kill "$sh" 2>/dev/null
	[ $rc = 0 ] || cat "$T/out" >&2
	return $rc
}

# factory_filtered PID - pasta's socket factory, a child of PID, runs with
# its own seccomp filter and no_new_privs
factory_filtered() {
	local f
	for f in $(ps -o pid= --ppid "$1"); do
		[ "$(cat "/proc/$f/comm" 2>/dev/null)" = pasta-ns-sock ] || continue
		[ "$(status "$f" Seccomp)" = 2 ] &&
			[ "$(status "$f" NoNewPrivs)" = 1 ] && return 0
		echo "socket factory $f: Seccomp $(status "$f" Seccomp)," \
		     "NoNewPrivs $(status "$f" NoNewPrivs)" >&2
		return 1
	done
	echo "no socket factory among the children of $1" >&2
	return 1
}

# start_target PRIV - a process in a new network namespace (and user
# namespace, unprivileged) in the background; $! is its launcher
start_target() {
	if [ "$1" = root ]; then
		ip netns exec "$HOST_NS" unshare -n sleep 60 &
	else
		ip netns exec "$HOST_NS" setpriv --reuid="$TEST_USER" \
			--regid="$(id -g "$TEST_USER")" --clear-groups -- \
			unshare -rn sleep 60 &
	fi
}

# pasta_attach: pasta in background, attached to a process's namespace
case_pasta_attach() {
	local target pp rc=0
	start_target "$1"
	target=$!
	record_pid "$target"
	for _ in $(seq 1 50); do
		[ "$(readlink "/proc/$target/ns/net")" != \
		  "$(in_host readlink /proc/self/ns/net)" ] &&
			[ "$(readlink "/proc/$target/exe")" = \
			  "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.1
	done
	rm -f "$T/attach.pid"
	pasta_run "$1" --config-net -P "$T/attach.pid" "$target" \
		2>"$T/err" || { cat "$T/err" >&2; return 1; }
	pp=$(wait_pid_file "$T/attach.pid") || return 1
	record_pid "$pp"
	sandboxed "$pp" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$pp" "$target" mnt ipc uts || rc=1
	in_target "$1" "$target" ping -c1 -W5 "$UP4" >"$T/ping" 2>&1 ||
		{ cat "$T/ping" >&2; rc=1; }
	kill "$pp" "$target" 2>/dev/null
	gone "$pp" 5 || { echo "pasta survived SIGTERM" >&2; rc=1; }
	return $rc
}

# passt_start PRIV OPTION... - start passt on $T/passt.sock, as root or as
# the test user, through the command $WRAP if set; sets PP to the daemon's
# PID
passt_start() {
	local priv=$1
	shift
	rm -f "$T/passt.pid" "$T/passt.sock"
	# shellcheck disable=SC2086
	if [ "$priv" = root ]; then
		in_host timeout -k 5 "$TO" ${WRAP:-} "$T/passt" \
			-s "$T/passt.sock" -P "$T/passt.pid" "$@" 2>"$T/err" &
	else
		as_user timeout -k 5 "$TO" ${WRAP:-} "$T/passt" \
			-s "$T/passt.sock" -P "$T/passt.pid" "$@" 2>"$T/err" &
	fi
	record_pid $!
	PP=$(wait_pid_file "$T/passt.pid") || { cat "$T/err" >&2; return 1; }
	record_pid "$PP"
}

# passt_guest - connect to passt's socket as a guest would, send an ARP
# request and expect the reply (the main loop runs, through the filter)
passt_guest() {
	python3 - "$T/passt.sock" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
mac = bytes.fromhex("020000000001")
arp = (b"\xff" * 6 + mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01"
       + mac + socket.inet_aton("192.0.2.2") + b"\x00" * 6
       + socket.inet_aton("192.0.2.1"))
s.sendall(struct.pack(">I", len(arp)) + arp)
buf = b""
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
    d = s.recv(4096)
    if not d:
        sys.exit("passt closed the connection")
    buf += d
f = buf[4:]
if f[12:14] != b"\x08\x06" or f[20:22] != b"\x00\x02":
    sys.exit("no ARP reply: " + f[:42].hex())
EOF
}

# passt_bg: passt in background, in its own PID namespace
case_passt_bg() {
	local rc=0
	passt_start "$1" || return 1
	sandboxed "$PP" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$PP" $$ mnt ipc uts pid || rc=1
	passt_guest || rc=1
	kill -0 "$PP" 2>/dev/null || { echo "passt died" >&2; rc=1; }
	kill "$PP"
	gone "$PP" 2 || { echo "passt survived SIGTERM" >&2; rc=1; }
	[ $rc = 0 ] || cat "$T/err" >&2
	return $rc
}

# passt_fg: passt in foreground (-f) keeps its PID namespace
case_passt_fg() {
	local rc=0
	passt_start "$1" -f -q || return 1
	sandboxed "$PP" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$PP" $$ mnt ipc uts || rc=1
	passt_guest || rc=1
	kill "$PP"
	gone "$PP" 2 || { echo "passt survived SIGTERM" >&2; rc=1; }
	[ $rc = 0 ] || cat "$T/err" >&2
	return $rc
}

# runas_login: --runas LOGIN (root only: a user can't change identity)
case_runas_login() {
	local rc=0 uid
	[ "$1" = root ] || return 77
	uid=$(id -u daemon) || return 77
	passt_start root --runas daemon || return 1
	sandboxed "$PP" 0000000000000000 "$uid" || rc=1
	[ "$(status "$PP" Gid | cut -d' ' -f1)" = "$(id -g daemon)" ] ||
		{ echo "Gid: $(status "$PP" Gid)" >&2; rc=1; }
	kill "$PP"
	return $rc
}

# runas_numeric: --runas UID:GID, neither in the user database
case_runas_numeric() {
	local rc=0 sh pp
	[ "$1" = root ] || return 77
	rm -f "$T/sh.pid"
	pasta_run root --runas 12345:23456 --config-net -- \
		sh -c "echo \$\$ > $T/sh.pid; sleep 20" >"$T/out" 2>&1 &
	record_pid $!
	sh=$(wait_pid_file "$T/sh.pid") || return 1
	record_pid "$sh"
	pp=$(status "$sh" PPid)
	sandboxed "$pp" 0000000000000000 12345 || rc=1
	[ "$(status "$pp" Gid)" = "23456 23456 23456 23456" ] ||
		{ echo "Gid: $(status "$pp" Gid)" >&2; rc=1; }
	[ -z "$(status "$pp" Groups)" ] ||
		{ echo "Groups: $(status "$pp" Groups)" >&2; rc=1; }
	kill "$pp" "$sh" 2>/dev/null
	return $rc
}

# runas_denied: a user can't become another one: exit status 1, a message
case_runas_denied() {
	local rc=0
	[ "$1" = user ] || return 77
	as_user timeout 10 "$T/passt" -f -s "$T/passt.sock" --runas 12345 \
		>"$T/out" 2>&1 && { echo "passt accepted --runas 12345" >&2; rc=1; }
	grep -q 'runas' "$T/out" || { cat "$T/out" >&2; rc=1; }
	return $rc
}

# bind_cap: CAP_NET_BIND_SERVICE granted to a user (ambient) is kept, and
# nothing else
case_bind_cap() {
	local rc=0
	[ "$1" = user ] || return 77
	rm -f "$T/passt.pid"
	in_host setpriv --reuid="$TEST_USER" --regid="$(id -g "$TEST_USER")" \
		--clear-groups --inh-caps +net_bind_service \
		--ambient-caps +net_bind_service -- \
		timeout -k 5 "$TO" "$T/passt" -s "$T/passt.sock" \
		-P "$T/passt.pid" 2>"$T/err" &
	record_pid $!
	PP=$(wait_pid_file "$T/passt.pid") || { cat "$T/err" >&2; return 1; }
	record_pid "$PP"
	sandboxed "$PP" 0000000000000400 "$(id -u "$TEST_USER")" || rc=1
	kill "$PP"
	return $rc
}

# netns_quit: ip netns del of the target ends pasta within 2 s
case_netns_quit() {
	local pp rc=0 tns="pt-sbx-$TOPO_ID"
	[ "$1" = root ] || return 77
	ip netns add "$tns" || return 1
	rm -f "$T/netns.pid"
	pasta_run root --config-net --netns "$tns" -P "$T/netns.pid" \
		2>"$T/err" || { cat "$T/err" >&2; ip netns del "$tns"; return 1; }
	pp=$(wait_pid_file "$T/netns.pid") || { ip netns del "$tns"; return 1; }
	record_pid "$pp"
	sandboxed "$pp" 0000000000000000 || rc=1
	ip netns del "$tns"
	gone "$pp" 2 || { echo "pasta still running 2 s after ip netns del" >&2; rc=1; }
	return $rc
}

# no_netns_quit: with --no-netns-quit, pasta outlives the namespace's name
case_no_netns_quit() {
	local pp rc=0 tns="pt-sbx-$TOPO_ID"
	[ "$1" = root ] || return 77
	ip netns add "$tns" || return 1
	rm -f "$T/netns.pid"
	pasta_run root --config-net --no-netns-quit --netns "$tns" \
		-P "$T/netns.pid" 2>"$T/err" ||
		{ cat "$T/err" >&2; ip netns del "$tns"; return 1; }
	pp=$(wait_pid_file "$T/netns.pid") || { ip netns del "$tns"; return 1; }
	record_pid "$pp"
	ip netns del "$tns"
	sleep 2
	kill -0 "$pp" 2>/dev/null || { echo "pasta exited" >&2; rc=1; }
	sandboxed "$pp" 0000000000000000 || rc=1
	kill "$pp"
	return $rc
}

# debug_list: --debug lists the allowed system calls at start
case_debug_list() {
	pasta_run "$1" -d --config-net -- true >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
	grep -qE '^seccomp: [0-9]+ system calls allowed' "$T/out" &&
		grep -qE '^seccomp: .* epoll_wait' "$T/out" && return 0
	echo "no system call list in --debug output:" >&2
	cat "$T/out" >&2
	return 1
}

# chroot_checks PID LOG - the daemon PID fell back to chroot(): it warned
# so in LOG, and stacked its own filter on the one of no_pivot
chroot_checks() {
	local rc=0 n
	grep -q 'pivot_root failed (Operation not permitted), using chroot' \
		"$2" || { echo "no chroot warning in $2:" >&2; cat "$2" >&2; rc=1; }
	n=$(status "$1" Seccomp_filters)
	[ "$n" = 2 ] ||
		{ echo "Seccomp_filters: '$n', expected 2 (no_pivot's, ours)" >&2
		  rc=1; }
	return $rc
}

# chroot_passt: pivot_root() fails with EPERM for passt in background: it
# uses chroot() instead, warns, is sandboxed, and serves a guest
case_chroot_passt() {
	local rc=0
	rm -f "$T/passt.log"
	WRAP="$T/no_pivot" passt_start "$1" -l "$T/passt.log" || return 1
	sandboxed "$PP" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$PP" $$ mnt ipc uts pid || rc=1
	chroot_checks "$PP" "$T/passt.log" || rc=1
	passt_guest || rc=1
	kill -0 "$PP" 2>/dev/null || { echo "passt died" >&2; rc=1; }
	kill "$PP"
	gone "$PP" 2 || { echo "passt survived SIGTERM" >&2; rc=1; }
	[ $rc = 0 ] || cat "$T/err" >&2
	return $rc
}

# chroot_pasta: the same for pasta running a command, which reaches
# upstream through it
case_chroot_pasta() {
	local sh pp rc=0
	rm -f "$T/sh.pid"
	PASTA="$T/no_pivot" pasta_run "$1" "$T/pasta" --config-net -- \
		sh -c "echo \$\$ > $T/sh.pid; sleep 20" >"$T/out" 2>&1 &
	record_pid $!
	sh=$(wait_pid_file "$T/sh.pid") || return 1
	record_pid "$sh"
	pp=$(status "$sh" PPid)
	sandboxed "$pp" 0000000000000000 "$(user_id "$1")" || rc=1
	detached "$pp" "$sh" mnt ipc uts || rc=1
	chroot_checks "$pp" "$T/out" || rc=1
	[ $rc = 0 ] && { in_target "$1" "$sh" ping -c1 -W5 "$REMOTE4" \
		>"$T/ping" 2>&1 || { cat "$T/ping" >&2; rc=1; }; }
	kill "$pp" 2>/dev/null
	gone "$pp" 5 || { echo "pasta survived SIGTERM" >&2; rc=1; }
	kill "$sh" 2>/dev/null
	[ $rc = 0 ] || cat "$T/out" >&2
	return $rc
}

# tshark_count FILE FILTER - how many frames of a capture match a display
# filter; fails if tshark can't read the whole file
tshark_count() {
	local out
	out=$(tshark -n -r "$1" -Y "$2" -T fields -e frame.number 2>"$T/tshark.err") ||
		{ cat "$T/tshark.err" >&2; return 1; }
	grep -c . <<<"$out"
}

# pcap: --pcap FILE, opened before sandboxing, records what the namespace
# sent and got: tshark parses the whole file and finds the DHCP ACK for our
# address and both halves of a TCP handshake with an upstream server
case_pcap() {
	local rc=0 n srv filter
	command -v tshark >/dev/null || { echo "no tshark" >&2; return 1; }
	rm -f "$T/cap.pcap" "$T/dhcp.rec" "$T/got"
	printf '#!/bin/sh\nDHCP_RECORD=%s exec %s "$@"\n' "$T/dhcp.rec" \
		"$T/dhcp-record.sh" >"$T/dhcp.sh"
	chmod 0755 "$T/dhcp.sh"
	head -c 65536 /dev/urandom >"$T/blob"
	in_up timeout 20 socat -u "FILE:$T/blob" \
		"TCP4-LISTEN:18080,bind=$REMOTE4,reuseaddr" 2>/dev/null &
	srv=$!
	record_pid $srv
	pasta_run "$1" -p "$T/cap.pcap" -- sh -c "
		ip link set eth0 up
		timeout 15 udhcpc -i eth0 -f -q -n -t 3 -T 2 -s $T/dhcp.sh ||
			exit 1
		timeout 10 socat -u TCP4:$REMOTE4:18080 CREATE:$T/got
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; kill $srv 2>/dev/null; return 1; }
	wait $srv
	cmp -s "$T/blob" "$T/got" ||
		{ echo "TCP transfer through pasta: data differs" >&2; rc=1; }

	# Every frame decodes: tshark stops with an error on a damaged file
	n=$(tshark_count "$T/cap.pcap" frame) || return 1
	[ "$n" -gt 0 ] || { echo "pcap: no frames" >&2; return 1; }
	filter="dhcp.option.dhcp == 5 && dhcp.ip.your == $HOST4"
	n=$(tshark_count "$T/cap.pcap" "$filter") || return 1
	[ "$n" -ge 1 ] || { echo "pcap: no DHCP ACK ($filter)" >&2; rc=1; }
	filter="ip.dst == $REMOTE4 && tcp.dstport == 18080 &&
		tcp.flags.syn == 1 && tcp.flags.ack == 0"
	n=$(tshark_count "$T/cap.pcap" "$filter") || return 1
	[ "$n" -ge 1 ] || { echo "pcap: no SYN ($filter)" >&2; rc=1; }
	filter="ip.src == $REMOTE4 && tcp.srcport == 18080 &&
		tcp.flags.syn == 1 && tcp.flags.ack == 1"
	n=$(tshark_count "$T/cap.pcap" "$filter") || return 1
	[ "$n" -ge 1 ] || { echo "pcap: no SYN-ACK ($filter)" >&2; rc=1; }
	[ $rc = 0 ] || { cat "$T/out" >&2; tshark -n -r "$T/cap.pcap" \
		2>/dev/null | head -n 30 >&2; }
	return $rc
}

# syscall_name NR - name of an x86_64 system call number, NR if unknown
syscall_name() {
	local h=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
	awk -v nr="$1" '$1 == "#define" && $3 == nr {
		sub(/^__NR_/, "", $2); print $2; found = 1; exit }
		END { if (!found) print nr }' "$h" 2>/dev/null || echo "$1"
}

# no_sigsys - the kernel recorded no seccomp kill of our binary ($T); name
# the system call of each one found
no_sigsys() {
	local log nr
	log=$(dmesg 2>/dev/null | grep 'type=1326' | grep -F "$T/") || return 0
	echo "seccomp killed our daemon:" >&2
	echo "$log" >&2
	grep -o 'syscall=[0-9]*' <<<"$log" | cut -d= -f2 | sort -u |
		while read -r nr; do
			echo "missing #syscalls annotation:" \
			     "$(syscall_name "$nr")" >&2
		done
	return 1
}

tun_usable
topo_setup || { result fail topology; exit 1; }
for priv in $PRIVS; do
	for c in $CASES; do
		"case_$c" "$priv"
		case $? in
		0) result pass "sandbox/$c/$priv" ;;
		77) ;;
		*) result fail "sandbox/$c/$priv" ;;
		esac
	done
done
if no_sigsys; then
	result pass sandbox/no_sigsys
else
	result fail sandbox/no_sigsys
fi
