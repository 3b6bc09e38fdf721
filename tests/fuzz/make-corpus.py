#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-corpus.py - seed corpus for fuzz_tap: valid frames of every kind the
tap side parses (ARP, DHCP, DHCPv6, NDP, ICMP and ICMPv6 echo, TCP, UDP),
IPv4 and IPv6, plus malformed variants (truncated, bad header and total
lengths).  Deterministic: the same files every run.

Usage: make-corpus.py DIR
"""

import os
import struct
import sys

GUEST_MAC = bytes.fromhex("020000000001")
OUR_MAC = bytes([0x9a] * 6)
BCAST = b"\xff" * 6
G4 = bytes([192, 0, 2, 2])
GW4 = bytes([192, 0, 2, 1])
R4 = bytes([198, 51, 100, 1])
G6 = bytes.fromhex("20010db8000100000000000000000002")
R6 = bytes.fromhex("20010db8000200000000000000000001")
LL6 = bytes.fromhex("fe800000000000000000000000000002")
GW_LL6 = bytes.fromhex("fe800000000000000000000000000001")


def csum(data):
    """Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, ethertype, payload):
    return dst + GUEST_MAC + struct.pack("!H", ethertype) + payload


def ip4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64,
                    proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def l4_ck4(src, dst, proto, l4, off):
    ph = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    return l4[:off] + struct.pack("!H", csum(ph + l4)) + l4[off + 2:]


def ip6(src, dst, nxt, l4, hop=None):
    if hop is not None:
        l4 = hop + l4
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), nxt, 255,
                       src, dst) + l4


def l4_ck6(src, dst, proto, l4, off):
    ph = src + dst + struct.pack("!IxxxB", len(l4), proto)
    return l4[:off] + struct.pack("!H", csum(ph + l4)) + l4[off + 2:]


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_syn(sport, dport):
    opts = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x07"
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, (5 + 2) << 4,
                       0x02, 65535, 0, 0) + opts


def icmp_echo(t):
    return struct.pack("!BBHHH", t, 0, 0, 0x1234, 1) + b"fuzzseed" * 4


def dhcp_discover():
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x12345678,
                        0, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                        GUEST_MAC + b"\0" * 10, b"", b"")
    opts = b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x37\x04\x01\x03\x06\x0f" + b"\xff"
    return bootp + opts


def dhcpv6_solicit():
    duid = struct.pack("!HH", 3, 1) + GUEST_MAC
    msg = struct.pack("!I", (1 << 24) | 0xabcdef)
    msg += struct.pack("!HH", 1, len(duid)) + duid
    msg += struct.pack("!HHIII", 3, 12, 1, 0, 0)		# IA_NA
    msg += struct.pack("!HH", 14, 0)			# rapid commit
    msg += struct.pack("!HHHH", 6, 4, 23, 24)		# ORO
    return msg


def valid():
    """Name and bytes of every valid seed frame."""
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, GUEST_MAC, G4,
                      b"\0" * 6, GW4)
    yield "arp_request", eth(BCAST, 0x0806, arp)

    d = udp(68, 67, dhcp_discover())
    d = l4_ck4(b"\0" * 4, b"\xff" * 4, 17, d, 6)
    yield "dhcp_discover", eth(BCAST, 0x0800, ip4(b"\0" * 4, b"\xff" * 4, 17, d))

    u = l4_ck4(G4, R4, 17, udp(40000, 5353, b"hello"), 6)
    yield "udp4", eth(OUR_MAC, 0x0800, ip4(G4, R4, 17, u))
    u = l4_ck4(G4, GW4, 17, udp(40001, 53, b"\x12\x34\x01\x00\0\x01\0\0\0\0\0\0"), 6)
    yield "udp4_dns", eth(OUR_MAC, 0x0800, ip4(G4, GW4, 17, u))

    t = l4_ck4(G4, R4, 6, tcp_syn(40002, 80), 16)
    yield "tcp4_syn", eth(OUR_MAC, 0x0800, ip4(G4, R4, 6, t))
    i = icmp_echo(8)
    i = i[:2] + struct.pack("!H", csum(i)) + i[4:]
    yield "icmp4_echo", eth(OUR_MAC, 0x0800, ip4(G4, R4, 1, i))

    rs = struct.pack("!BBHI", 133, 0, 0, 0) + b"\x01\x01" + GUEST_MAC
    rs = l4_ck6(LL6, bytes.fromhex("ff020000000000000000000000000002"), 58, rs, 2)
    yield "ndp_rs", eth(BCAST, 0x86dd, ip6(LL6, bytes.fromhex(
        "ff020000000000000000000000000002"), 58, rs))
    ns = struct.pack("!BBHI16s", 135, 0, 0, 0, GW_LL6) + b"\x01\x01" + GUEST_MAC
    ns = l4_ck6(LL6, GW_LL6, 58, ns, 2)
    yield "ndp_ns", eth(OUR_MAC, 0x86dd, ip6(LL6, GW_LL6, 58, ns))

    s = udp(546, 547, dhcpv6_solicit())
    mc = bytes.fromhex("ff020000000000000000000000010002")
    s = l4_ck6(LL6, mc, 17, s, 6)
    yield "dhcpv6_solicit", eth(BCAST, 0x86dd, ip6(LL6, mc, 17, s))

    e = l4_ck6(G6, R6, 58, icmp_echo(128), 2)
    yield "icmp6_echo", eth(OUR_MAC, 0x86dd, ip6(G6, R6, 58, e))
    t = l4_ck6(G6, R6, 6, tcp_syn(40003, 80), 16)
    yield "tcp6_syn", eth(OUR_MAC, 0x86dd, ip6(G6, R6, 6, t))
    u = l4_ck6(G6, R6, 17, udp(40004, 5353, b"hello6"), 6)
    yield "udp6", eth(OUR_MAC, 0x86dd, ip6(G6, R6, 17, u))

    mld = struct.pack("!BBHHH", 143, 0, 0, 0, 1) + struct.pack(
        "!BBH16s", 4, 0, 0, bytes.fromhex("ff0200000000000000000001ff000002"))
    hop = bytes([58, 0, 5, 2, 0, 0, 1, 0])		# router alert, PadN
    mldc = bytes.fromhex("ff020000000000000000000000000016")
    mld = l4_ck6(LL6, mldc, 58, mld, 2)
    yield "mld_hopopts", eth(BCAST, 0x86dd, ip6(LL6, mldc, 0, mld, hop))


def frames():
    """Every valid seed, then malformed ones: each valid seed cut short,
    and inconsistent header lengths."""
    yield from valid()
    for name, f in valid():
        yield name + "_cut_l3", f[:14 + 10]
        yield name + "_cut_l4", f[:len(f) - max(1, (len(f) - 34) // 2)]
    v4 = bytearray(eth(OUR_MAC, 0x0800, ip4(G4, R4, 17, udp(1, 2, b"x"))))
    v4[14] = 0x4f					# IHL 60 bytes
    yield "ip4_bad_ihl", bytes(v4)
    v4[14] = 0x45
    v4[16:18] = struct.pack("!H", 60000)		# total length too big
    yield "ip4_bad_totlen", bytes(v4)
    v6 = bytearray(eth(OUR_MAC, 0x86dd, ip6(G6, R6, 17, udp(1, 2, b"x"))))
    v6[18:20] = struct.pack("!H", 60000)		# payload length too big
    yield "ip6_bad_plen", bytes(v6)
    yield "runt", b"\x01\x02\x03"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, f in frames():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(f)


if __name__ == "__main__":
    main()
