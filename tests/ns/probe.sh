#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# probe.sh - passt-probe's report matches what actually works: as root and
# as an unprivileged user, with /dev/net/tun usable and not.  No packets
# are sent; the probes only open sockets and create throwaway namespaces.
# The fast-path cases also start pasta (in the namespaces of
# tests/lib/topology.sh, running only "true") and check that the daemon's
# own choice, in its --debug log, is the tool's verdict, with the same
# reason.  The --json output is read with jq: it must parse, and list
# every feature once with the four documented fields, and the three modes.
#
# Usage: tests/ns/probe.sh PASST_BINARY (passt-probe is looked up beside it)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

PROBE="$(dirname "${1:?usage: $0 PASST_BINARY}")/passt-probe"
T=$(mktemp -d /tmp/pt-probe.XXXXXX)
chmod 0755 "$T"
install -m 0755 "$PROBE" "$T/passt-probe"
install -m 0755 "$1" "$T/passt"
ln -s passt "$T/pasta"
TUN_MODE=$(stat -c %a /dev/net/tun)
trap 'chmod "$TUN_MODE" /dev/net/tun; topo_cleanup; rm -rf "$T"' EXIT
topo_setup || { result fail probe/topology; exit 1; }

# probe_json AS - run the tool (as root or the test user), JSON to $T/out
probe_json() {
	local rc
	if [ "$1" = root ]; then
		"$T/passt-probe" --json >"$T/out" 2>"$T/err"
	else
		setpriv --reuid="$TEST_USER" --regid="$(id -g "$TEST_USER")" \
			--clear-groups -- "$T/passt-probe" --json \
			>"$T/out" 2>"$T/err"
	fi
	rc=$?
	jq -e . "$T/out" >/dev/null 2>&1 ||
		{ echo "not JSON:" >&2; cat "$T/out" "$T/err" >&2; return 99; }
	return $rc
}

# feature NAME - prints true or false: is NAME available in $T/out
feature() {
	jq -r --arg n "$1" '[.features[] | select(.name == $n)] |
		if length == 0 then "missing" else .[0].available end' "$T/out"
}

# mode NAME - prints true or false: is mode NAME usable in $T/out
mode() {
	jq -r --arg n "$1" '.modes[$n].usable' "$T/out"
}

# mode_reason NAME - prints the reason given for mode NAME in $T/out
mode_reason() {
	jq -r --arg n "$1" '.modes[$n].reason' "$T/out"
}

# entries_ok - every feature in $T/out once, with its four fields typed
# as documented, and all three modes present
entries_ok() {
	jq -e '(.features | length > 0) and
		([.features[].name] | length == (unique | length)) and
		all(.features[]; (.name | type == "string") and
			(.available | type == "boolean") and
			(.detail | type == "string") and
			(.action | type == "string")) and
		(.modes | has("pasta-fastpath") and has("pasta-splice") and
			has("passt"))' "$T/out" >/dev/null ||
		{ echo "JSON entries not as documented:" >&2; cat "$T/out" >&2
		  return 1; }
}

# daemon_fp_log AS - start pasta --debug (as root or the test user) in the
# host namespace, running only "true"; prints its eBPF fast path line
daemon_fp_log() {
	local run=as_user
	[ "$1" = root ] && run=in_host
	$run timeout -k 5 30 "$T/pasta" -d --config-net -t none -u none \
		-T none -U none -- true >"$T/log" 2>&1
	grep -m1 '^.*eBPF fast path \(loaded\|off\)' "$T/log" |
		sed 's/^.*\(eBPF fast path\)/\1/'
}

# want NAME GOT EXPECTED - compare, explain on mismatch
want() {
	[ "$2" = "$3" ] && return 0
	echo "$1: got $2, expected $3" >&2
	cat "$T/out" >&2
	return 1
}

case_root() {
	chmod 0666 /dev/net/tun
	probe_json root
	want exit-status $? 0 &&
	entries_ok &&
	want user-namespaces "$(feature user-namespaces)" true &&
	want tap-in-namespace "$(feature tap-in-namespace)" true &&
	want raw-icmp-socket "$(feature raw-icmp-socket)" true &&
	want bpf-sk-skb "$(feature bpf-sk-skb)" true &&
	want bpf-sockhash "$(feature bpf-sockhash)" true &&
	want pasta-splice "$(mode pasta-splice)" true &&
	want passt "$(mode passt)" true
}

case_user() {
	chmod 0666 /dev/net/tun
	probe_json user
	want exit-status $? 0 &&
	want dev-net-tun "$(feature dev-net-tun)" true &&
	want tap-in-namespace "$(feature tap-in-namespace)" true &&
	want raw-icmp-socket "$(feature raw-icmp-socket)" false &&
	want bpf-sk-skb "$(feature bpf-sk-skb)" false &&
	want pasta-fastpath "$(mode pasta-fastpath)" false
}

# tun_denied: with /dev/net/tun 0600, an unprivileged user can't run pasta
case_tun_denied() {
	chmod 0600 /dev/net/tun
	probe_json user
	local rc=$?
	chmod 0666 /dev/net/tun
	want exit-status $rc 1 &&
	want dev-net-tun "$(feature dev-net-tun)" false &&
	want pasta-splice "$(mode pasta-splice)" false &&
	grep -q 'dev-net-tun: Permission denied' "$T/out" ||
		{ echo "reason doesn't name the device" >&2; cat "$T/out" >&2; return 1; }
}

# fastpath_root: as root the tool says the fast path is usable, and pasta
# loads it
case_fastpath_root() {
	local line
	chmod 0666 /dev/net/tun
	probe_json root
	want exit-status $? 0 &&
	want pasta-fastpath "$(mode pasta-fastpath)" true || return 1
	line=$(daemon_fp_log root)
	case $line in
	"eBPF fast path loaded"*) return 0 ;;
	esac
	echo "daemon: '$line', the tool said usable" >&2
	cat "$T/log" >&2
	return 1
}

# fastpath_user: unprivileged, the tool says not usable because of EPERM
# and the missing capabilities; pasta falls back to splice and logs the
# same errno
case_fastpath_user() {
	local line reason errstr
	chmod 0666 /dev/net/tun
	probe_json user
	want exit-status $? 0 &&
	want pasta-fastpath "$(mode pasta-fastpath)" false || return 1
	reason=$(mode_reason pasta-fastpath)
	case $reason in
	*"Operation not permitted"*CAP_BPF*) ;;
	*) echo "tool's reason: '$reason'" >&2; return 1 ;;
	esac
	line=$(daemon_fp_log user)
	case $line in
	"eBPF fast path off, using splice: "*) ;;
	*) echo "daemon: '$line', the tool said not usable" >&2
	   cat "$T/log" >&2; return 1 ;;
	esac
	errstr=${line#eBPF fast path off, using splice: }
	errstr=${errstr%%:*}
	case $reason in
	*": $errstr"*) return 0 ;;
	esac
	echo "reasons differ: tool '$reason', daemon '$line'" >&2
	return 1
}

for c in root user tun_denied fastpath_root fastpath_user; do
	if "case_$c"; then
		result pass "probe/$c"
	else
		result fail "probe/$c"
	fi
done
