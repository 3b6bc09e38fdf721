#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-guest.sh - a tiny qemu guest for the passt tests: Debian's kernel
# (downloaded with apt-get download, extracted, never installed), and an
# initramfs holding busybox, the virtio-net modules and tests/vm/init.
#
# Usage: tests/vm/build-guest.sh OUTDIR
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.gz; reuses them when present.
set -eu
cd "$(dirname "$0")/../.."
OUT="${1:?usage: $0 OUTDIR}"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$(pwd)

if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ] &&
   [ "$OUT/initrd.gz" -nt tests/vm/init ] &&
   [ "$OUT/initrd.gz" -nt tests/vm/udhcpc.sh ] &&
   [ "$OUT/initrd.gz" -nt tests/vm/build-guest.sh ]; then
	exit 0
fi

W=$(mktemp -d /tmp/pt-guest.XXXXXX)
trap 'rm -rf "$W"' EXIT

# The kernel package linux-image-amd64 points to, extracted.  Stale package
# lists name a file the mirror no longer has: refresh them once, as root.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(kernel_pkg)
if [ -z "$pkg" ] || ! (cd "$W" && apt-get download "$pkg" >/dev/null 2>&1)
then
	[ "$(id -u)" = 0 ] && apt-get update -q >/dev/null
	pkg=$(kernel_pkg)
	[ -n "$pkg" ] || { echo "no linux-image package found" >&2; exit 1; }
	(cd "$W" && apt-get download "$pkg" >/dev/null)
fi
dpkg-deb -x "$W"/"$pkg"_*.deb "$W/k"
cp "$W"/k/boot/vmlinuz-* "$OUT/vmlinuz"
moddir=$(echo "$W"/k/lib/modules/*)

# Initramfs: busybox and socat (busybox nc has no UDP) with their
# libraries, modules in load order, init
R="$W/root"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,etc,lib,lib64,mods}

# copy_bin PATH - put a binary into the initramfs' /bin, with its libraries
copy_bin() {
	local lib
	cp -L "$1" "$R/bin/$(basename "$1")"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
}
copy_bin /bin/busybox
copy_bin "$(command -v socat)"
for app in sh mount ip ping ping6 udhcpc udhcpc6 sleep cat echo grep \
	   poweroff insmod seq wget nc ifconfig route sha256sum head tr; do
	ln -sf busybox "$R/bin/$app"
done
n=0
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
	 virtio_pci failover net_failover virtio_net; do
	f=$(find "$moddir" -name "$m.ko" | head -n 1)
	[ -n "$f" ] || { echo "module $m not found" >&2; exit 1; }
	n=$((n + 1))
	cp "$f" "$R/mods/$(printf '%02d' $n)-$m.ko"
done
install -m 0755 "$SRC/tests/vm/init" "$R/init"
install -m 0755 "$SRC/tests/vm/udhcpc.sh" "$R/bin/udhcpc-script"
(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/initrd.gz"
