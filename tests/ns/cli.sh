#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - the command line seen from outside: --version, --help, invalid
# options, options of the other program, passt mode.  Every command
# here ends during option parsing: no namespace is created or joined, no
# packet is sent, and neither root nor the test topology is needed.
#
# Tripwire: every command gets "-l MISSING_DIR/log" first.  The log file is opened at the very end of option parsing, before
# anything else happens (user/conf.c), so a command line that parses after
# all (a regression, or a feature landing) fails there, naming --log-file,
# instead of going on to create a namespace.  The guard case checks that.
#
# Usage: tests/ns/cli.sh PASST_BINARY [CASE...]
set -u
BIN=$(realpath -e "${1:?usage: $0 PASST_BINARY [CASE...]}") || exit 1
shift
cd "$(dirname "$0")/../.." || exit 1
CASES="${*:-guard version help bad_options mode_options pasta_all \
	passt_bare bpf}"
T=$(mktemp -d /tmp/pt-cli.XXXXXX) && [ -d "$T" ] || exit 1
trap 'rm -rf "$T"' EXIT
install -m 0755 "$BIN" "$T/passt"
ln -s passt "$T/pasta"
TO=10
MISSING="$T/no-such-dir"
GUARD=(-l "$MISSING/log")
RC=0
OUT=
ERR=

# result STATUS NAME - report one case to tests/run
result() { echo "RESULT $1 $2"; }

# run PROG ARGS... - run passt or pasta (from $T) without input, with a
# timeout; sets RC, OUT and ERR
run() {
	local prog=$1
	shift
	timeout "$TO" "$T/$prog" "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# show WHY - explain a failed check, with the last command's output
show() {
	echo "--- $1" >&2
	echo "exit status $RC" >&2
	echo "stdout: $OUT" >&2
	echo "stderr: $ERR" >&2
}

# tripped - the last command got to the end of option parsing
tripped() { grep -qF -- "$MISSING" <<<"$ERR"; }

# matches TEXT PATTERN... - each PATTERN (grep -E) occurs in TEXT
matches() {
	local text=$1 pat
	shift
	for pat in "$@"; do
		grep -qE -- "$pat" <<<"$text" && continue
		show "missing /$pat/"
		return 1
	done
}

# check_fail NAME PROG PATTERN... -- ARGS... - PROG (guarded) ARGS must exit
# 1 during option parsing, print nothing on standard output and each
# PATTERN on standard error
check_fail() {
	local name=$1 prog=$2 pats=()
	shift 2
	while [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	run "$prog" "${GUARD[@]}" "$@"
	if tripped; then
		show "$prog $*: reached the end of option parsing"
	elif [ "$RC" != 1 ]; then
		show "$prog $*: exit status $RC, expected 1"
	elif [ -n "$OUT" ]; then
		show "$prog $*: printed on standard output"
	elif matches "$ERR" "${pats[@]}"; then
		result pass "cli/$name"
		return
	fi
	result fail "cli/$name"
}

# check_ok NAME PROG PATTERN... -- ARGS... - PROG (guarded) ARGS must exit
# 0, with each PATTERN on standard output and nothing on standard error
check_ok() {
	local name=$1 prog=$2 pats=()
	shift 2
	while [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	run "$prog" "${GUARD[@]}" "$@"
	if [ "$RC" != 0 ]; then
		show "$prog $*: exit status $RC, expected 0"
	elif [ -n "$ERR" ]; then
		show "$prog $*: printed on standard error"
	elif matches "$OUT" "${pats[@]}"; then
		result pass "cli/$name"
		return
	fi
	result fail "cli/$name"
}

# The tripwire itself: a pasta command line that parses (joining a missing
# namespace, which couldn't create one either) stops at the log file.
case_guard() {
	run pasta "${GUARD[@]}" --netns "$T/no-such-netns"
	if [ "$RC" = 1 ] && tripped &&
	   matches "$ERR" "^--log-file: can't open"; then
		result pass cli/guard
	else
		show "tripwire didn't fire"
		result fail cli/guard
	fi
	if [ -e "$MISSING" ]; then
		echo "$MISSING was created" >&2
		result fail cli/guard_nothing_created
	else
		result pass cli/guard_nothing_created
	fi
}

case_version() {
	check_ok version/pasta pasta '^pasta [^ ]+$' -- --version
	check_ok version/passt passt '^passt [^ ]+$' -- --version
}

case_help() {
	check_ok help/pasta pasta '^Usage: pasta ' '--netns' '--config-net' \
		-- --help
	check_ok help/passt passt '^Usage: passt ' '--socket' -- --help
	check_ok help_short/pasta pasta '^Usage: pasta ' -- -h
	check_ok help_short/passt passt '^Usage: passt ' -- -h
}

case_bad_options() {
	local p
	for p in pasta passt; do
		check_fail "bad_mtu/$p" $p '^--mtu: .*70000' \
			"Try '$p --help'" -- --mtu 70000
		check_fail "bad_address/$p" $p '^--address: .*300\.1\.1\.1' \
			-- --address 300.1.1.1
		check_fail "bad_mac/$p" $p '^--mac-addr: .*zz' -- -M zz
		check_fail "bad_log_size/$p" $p '^--log-size: ' -- \
			--log-size x
		check_fail "unknown_option/$p" $p "--frobnicate" \
			"Try '$p --help'" -- --frobnicate
	done
	check_fail netns_with_pid pasta '^--netns: .*PID' -- \
		--netns foo 1234
}

case_mode_options() {
	check_fail socket_in_pasta pasta '^--socket: only valid for passt' \
		-- -s /tmp/x
	check_fail config_net_in_passt passt \
		'^--config-net: only valid for pasta' -- --config-net
	check_fail bpf_in_passt passt '^--bpf: only valid for pasta' -- --bpf
}

case_pasta_all() {
	# passt's all: pasta has auto instead
	check_fail all_tcp/pasta pasta \
		"^--tcp-ports: 'all' is only for passt" -- -t all
	check_fail all_udp/pasta pasta \
		"^--udp-ports: 'all' is only for passt" -- -u all
}

# passt without options parses (qemu socket mode): with the tripwire, it
# stops at the log file, before binding any socket
case_passt_bare() {
	run passt "${GUARD[@]}" -s "$T/passt.sock"
	if [ "$RC" = 1 ] && tripped && [ ! -e "$T/passt.sock" ]; then
		result pass cli/passt_bare
	else
		show "passt: expected to stop at the log file, no socket bound"
		result fail cli/passt_bare
	fi
}

# --no-bpf parses (no fast path yet, nothing to turn off), with --bpf not
case_bpf() {
	run pasta "${GUARD[@]}" --no-bpf --netns "$T/no-such-netns"
	if [ "$RC" = 1 ] && tripped; then
		result pass cli/no_bpf_accepted
	else
		show "--no-bpf: expected to parse up to the tripwire"
		result fail cli/no_bpf_accepted
	fi
	check_fail bpf_with_no_bpf pasta '^--bpf: .*--no-bpf' -- \
		--bpf --no-bpf
	run pasta "${GUARD[@]}" --bpf --netns "$T/no-such-netns"
	if [ "$RC" = 1 ] && tripped; then
		result pass cli/bpf_accepted
	else
		show "--bpf: expected to parse up to the tripwire"
		result fail cli/bpf_accepted
	fi
}

for c in $CASES; do
	"case_$c"
done
