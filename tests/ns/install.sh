#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - `make install` and `make uninstall` with DESTDIR and PREFIX:
# the passt executable, the pasta link, the man page and its pasta link go
# where they should and nowhere else, and come out again.  Needs no
# namespace and no root.
#
# The build directory is the one holding the binary, so that make installs
# that binary (and has nothing to rebuild).
#
# Usage: tests/ns/install.sh PASST_BINARY
set -u
BIN=$(realpath -e "${1:?usage: $0 PASST_BINARY}") || exit 1
cd "$(dirname "$0")/../.." || exit 1
BUILD_DIR=$(realpath --relative-to=. "$(dirname "$BIN")")

# Never let an empty DESTDIR install into the system
D=$(mktemp -d /tmp/pt-install.XXXXXX) && [ -d "$D" ] || exit 1
trap 'rm -rf "$D"' EXIT
# A clean make: BINDIR and MANDIR derive from PREFIX, nothing comes from a
# calling make (make check)
unset BINDIR MANDIR MAKEFLAGS MFLAGS MAKELEVEL
BIN_DIR="$D/usr/bin"
MAN_DIR="$D/usr/share/man/man1"

# result STATUS NAME - report one case to tests/run
result() { echo "RESULT $1 $2"; }

# check NAME CMD... - a case passes if CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then
		result pass "install/$name"
	else
		result fail "install/$name"
	fi
}

# mk TARGET - run a make target installing into $D, output on failure only
mk() {
	local out
	if ! out=$(timeout 300 make -s --no-print-directory \
		   BUILD="$BUILD_DIR" DESTDIR="$D" PREFIX=/usr "$1" 2>&1); then
		echo "make $1 failed:" >&2
		echo "$out" >&2
		return 1
	fi
}

# is_link PATH TARGET - PATH is a symbolic link to TARGET, which exists
is_link() {
	[ -L "$1" ] && [ "$(readlink "$1")" = "$2" ] && [ -e "$1" ] && return 0
	echo "$1: not a link to $2 ($(ls -l "$1" 2>&1))" >&2
	return 1
}

# installed_bin - passt is a regular executable file, the binary we built
installed_bin() {
	local f="$BIN_DIR/passt"
	[ -f "$f" ] && [ ! -L "$f" ] && [ -x "$f" ] &&
		[ "$(stat -c %a "$f")" = 755 ] && cmp -s "$f" "$BIN" && return 0
	echo "$f: not the built executable ($(ls -l "$f" 2>&1))" >&2
	return 1
}

# installed_man - passt.1 is a regular file, the man page from man/
installed_man() {
	local f="$MAN_DIR/passt.1"
	[ -f "$f" ] && [ ! -L "$f" ] && [ "$(stat -c %a "$f")" = 644 ] &&
		cmp -s "$f" man/passt.1 && return 0
	echo "$f: not man/passt.1 ($(ls -l "$f" 2>&1))" >&2
	return 1
}

# runs_as_pasta - the installed link runs, and calls itself pasta
runs_as_pasta() {
	local out
	out=$(timeout 10 "$BIN_DIR/pasta" --version </dev/null 2>&1) &&
		grep -q '^pasta ' <<<"$out" && return 0
	echo "$BIN_DIR/pasta --version: $out" >&2
	return 1
}

# only_expected - nothing but the six installed names under $D
only_expected() {
	local got want
	got=$(cd "$D" && find . ! -type d | sort)
	want=$(printf '%s\n' ./usr/bin/passt ./usr/bin/pasta \
		./usr/bin/passt-probe ./usr/share/man/man1/passt-probe.1 \
		./usr/share/man/man1/passt.1 ./usr/share/man/man1/pasta.1 |
		sort)
	[ "$got" = "$want" ] && return 0
	echo "installed files differ from expected:" >&2
	diff <(echo "$want") <(echo "$got") >&2
	return 1
}

# all_gone - none of the installed names is left
all_gone() {
	local f rc=0
	for f in "$BIN_DIR/passt" "$BIN_DIR/pasta" "$BIN_DIR/passt-probe" \
		 "$MAN_DIR/passt.1" "$MAN_DIR/pasta.1" \
		 "$MAN_DIR/passt-probe.1"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "$f left after uninstall" >&2
			rc=1
		fi
	done
	[ -z "$(cd "$D" && find . ! -type d)" ] || {
		echo "files left after uninstall:" >&2
		(cd "$D" && find . ! -type d) >&2
		rc=1
	}
	return $rc
}

if [ ! -x "$BIN" ]; then
	echo "$BIN: not executable" >&2
	result fail install/binary
	exit 1
fi

if ! mk install; then
	result fail install/make_install
	exit 1
fi
result pass install/make_install
check passt_executable installed_bin
check pasta_link is_link "$BIN_DIR/pasta" passt
check pasta_runs runs_as_pasta
check man_page installed_man
check pasta_man_link is_link "$MAN_DIR/pasta.1" passt.1
check nothing_else only_expected

# Installing again over an existing installation works
check make_install_again mk install
check pasta_link_again is_link "$BIN_DIR/pasta" passt

check make_uninstall mk uninstall
check uninstalled all_gone
