#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh - passt under valgrind's memcheck, serving the tap-device guest
# of tests/ns/passt_relay.sh for a subset of its cases: DHCP, SLAAC, ping,
# TCP both ways, UDP both ways, as root and as a user.  Every case must pass
# and every valgrind log (the launcher's and the daemon's, after fork) must
# be complete, with no error and no definitely lost memory.  A suppression
# file (tests/lib/valgrind.supp) lists the kernel interfaces memcheck gets
# wrong.
#
# The binary is the valgrind build (make valgrind): its seccomp filter also
# allows the system calls valgrind's core makes for itself.  The daemon runs
# fully sandboxed otherwise, forked to background in its PID namespace.
#
# Usage: tests/ns/valgrind.sh PASST_BINARY
# Like the other scripts, it takes the plain build (tests/run passes
# build/passt), but it runs the valgrind build beside it: build-valgrind/
# next to build/, or VALGRIND_PASST.  Its tests/tap_relay is the relay
# helper, as for passt_relay.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1

: "${1:?usage: $0 PASST_BINARY}"
BIN="${VALGRIND_PASST:-$(dirname "$1")/../build-valgrind/passt}"
CASES="${CASES:-dhcp slaac ping tcp udp}"
SUPP=tests/lib/valgrind.supp
LIMIT=240		# seconds for the whole relay run

command -v valgrind >/dev/null ||
	{ echo "RESULT fail valgrind/setup (no valgrind: tools/install-deps)"
	  exit 1; }
[ -x "$BIN" ] ||
	{ echo "RESULT fail valgrind/setup (no $BIN: make valgrind)"; exit 1; }

# V holds a 'passt' launcher running the binary under valgrind, the relay
# helper beside it (passt_relay.sh looks there), and the logs
V=$(mktemp -d /tmp/pt-valgrind.XXXXXX) || exit 1
trap 'rm -rf "$V"' EXIT
chmod 0755 "$V"
mkdir -p "$V/tests" "$V/log"
chmod 0777 "$V/log"
install -m 0755 "$BIN" "$V/passt.bin"
install -m 0755 "$(dirname "$BIN")/tests/tap_relay" "$V/tests/tap_relay"
install -m 0644 "$SUPP" "$V/valgrind.supp"
# %p in the log name is expanded again in the child after fork(); $$ keeps
# the daemons of the root and the user run apart, both PID 1 in their PID
# namespaces
cat >"$V/passt" <<EOS
#!/bin/sh
exec valgrind --log-file=$V/log/vg.\$\$.%p --error-exitcode=99 \\
	--leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --suppressions=$V/valgrind.supp \\
	$V/passt.bin "\$@"
EOS
chmod 0755 "$V/passt"

start=$(date +%s)
CASES="$CASES" timeout -k 10 "$LIMIT" tests/ns/passt_relay.sh "$V/passt" \
	>"$V/relay.out" 2>&1
rc=$?
echo "valgrind: relay run took $(($(date +%s) - start)) s, status $rc" >&2

# The cases, renamed
npass=0
while read -r _ st name; do
	echo "RESULT $st valgrind/${name#passt_relay/}"
	[ "$st" = pass ] && npass=$((npass + 1))
done < <(grep '^RESULT ' "$V/relay.out")
if [ $rc != 0 ] || [ $npass = 0 ] || grep -q '^RESULT fail' "$V/relay.out"; then
	grep -v '^RESULT \|debug: \|trace: ' "$V/relay.out" | tail -n 40 >&2
fi

# logs_done - wait (bounded) until valgrind is gone, its reports written
logs_done() {
	for _ in $(seq 1 100); do
		pgrep -f "$V/passt.bin" >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# log_clean FILE - a complete valgrind log: no error (memory errors and
# definitely lost blocks count), no system call valgrind doesn't know
# besides seccomp(2), which libseccomp then does through prctl()
log_clean() {
	grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$1" || return 1
	! grep 'WARNING: unhandled' "$1" | grep -qv 'syscall: 317$'
}

vrc=0
logs_done || { echo "valgrind still running after 10 s" >&2; vrc=1; }
nlogs=$(find "$V/log" -name 'vg.*' | wc -l)
# Launcher and daemon, for each privilege level
[ "$nlogs" -ge 2 ] || { echo "only $nlogs valgrind logs" >&2; vrc=1; }
for f in "$V"/log/vg.*; do
	log_clean "$f" && continue
	echo "valgrind: $f:" >&2
	cat "$f" >&2
	vrc=1
done
# A daemon killed by its own filter leaves an incomplete log, and the kernel
# an audit record (comm is valgrind's tool), naming the system call missing
# from the :valgrind or the daemon's profile
sigsys=$(dmesg 2>/dev/null | grep 'type=1326' | grep 'comm="memcheck' |
	awk -v t="$start" 'match($0, /audit\([0-9]+/) &&
		substr($0, RSTART + 6, RLENGTH - 6) + 0 >= t')
if [ -n "$sigsys" ]; then
	echo "seccomp killed valgrind:" >&2
	echo "$sigsys" >&2
	grep -o ' syscall=[0-9]*' <<<"$sigsys" | cut -d= -f2 | sort -u |
		while read -r nr; do
			echo "system call $nr: $(awk -v nr="$nr" '
				$1 == "#define" && $3 == nr {
					sub(/^__NR_/, "", $2); print $2 }' \
				/usr/include/x86_64-linux-gnu/asm/unistd_64.h)" >&2
		done
	vrc=1
fi
if [ $vrc = 0 ] && [ $rc = 0 ]; then
	result=pass
else
	result=fail
fi
echo "RESULT $result valgrind/memcheck ($nlogs logs)"
