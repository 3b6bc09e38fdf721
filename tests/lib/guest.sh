#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest.sh - a tap device in a 'guest' namespace as passt's guest, joined to
# passt's socket by tests/lib/tap_relay.c: sourced by the passt test scripts
# after tests/lib/topology.sh.  The script installs the relay as
# $T/tap_relay and removes $GUEST_NS on exit.

GUEST_NS="pt-guest-${TOPO_ID}"

# in_guest CMD... - run a command in the guest namespace
in_guest() { ip netns exec "$GUEST_NS" "$@"; }

# guest_setup - a fresh guest namespace with tap device guest0, up
guest_setup() {
	ip netns del "$GUEST_NS" 2>/dev/null
	ip netns add "$GUEST_NS" || return 1
	in_guest ip link set lo up
	in_guest ip tuntap add dev guest0 mode tap || return 1
	in_guest ip link set guest0 address 02:00:00:00:aa:01
	in_guest ip link set guest0 up
}

# relay_start SOCKET [DROP REORDER] - connect guest0 to passt (dropping and
# reordering frames, per mille, if given), set RELAY_PID and record it
relay_start() {
	local sock=$1
	shift
	# Not through in_guest: $! must be the relay's PID, not a subshell's
	ip netns exec "$GUEST_NS" "$T/tap_relay" "$sock" guest0 "$@" \
		2>>"$T/relay.err" &
	RELAY_PID=$!
	record_pid $RELAY_PID
}
