#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""udp_peer.py - UDP test peers: an echo server and a checking client.

  udp_peer.py echo ADDR PORT [--ready FILE] [--log FILE] [--count N]
      Bind ADDR:PORT, send every datagram back to its sender; append
      "HOST PORT LEN" per datagram to the log; stop after N datagrams.
      Touch FILE once bound.  Run it under timeout(1).
  udp_peer.py client ADDR PORT SIZE [--tries N] [--count N]
      Connect to ADDR:PORT (so only replies from there are accepted), send
      SIZE random bytes, expect the same bytes back (COUNT times, fresh
      bytes each time).  Exit 0 if they match, 2 on ECONNREFUSED, 3 if
      nothing came back, 1 if something else did.
  udp_peer.py many ADDR PORT N
      Open N sockets connected to ADDR:PORT (N flows, distinct source
      ports), send a distinct payload on each, expect each back on its own
      socket (three rounds for the missing ones).  Exit 0 if all came back
      right, 1 on a wrong payload, 3 if some never came.
  udp_peer.py warm ADDR
      Send an empty datagram to ADDR port 9 (discard), wait 0.3 s: the
      kernel then knows the next hop's link-layer address.  Otherwise, the
      first datagrams of a burst wait in the neighbour queue while later
      ones may already pass them (seen: 4, 0, 1, 2, 3, 5... on the tap).
  udp_peer.py answer ADDR PORT [--ready FILE] [--wait S]
      Bind ADDR:PORT, take one datagram, connect to its sender, wait S
      seconds (default 1), send a reply, wait for an answer or an error:
      exit 2 on ECONNREFUSED, 0 if something came, 3 if nothing did.
  udp_peer.py sink ADDR PORT COUNT [--ready FILE] [--idle S]
      Bind ADDR:PORT, receive numbered datagrams (burst) until COUNT came
      or nothing came for S seconds (default 3); print "got N inorder|
      reordered SECONDS SOURCE", SECONDS from the first datagram to the
      last, SOURCE the address of the first sender.
  udp_peer.py burst ADDR PORT COUNT SIZE [--rate PPS]
      Send COUNT datagrams of SIZE bytes (at least 4) numbered from 0, at
      most PPS per second (0: as fast as possible); print the seconds taken.
"""

import os
import selectors
import socket
import struct
import sys
import time


def family(addr):
    """Address family of a numeric address."""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def opt(args, name, default=None):
    """Value following NAME in ARGS, or DEFAULT."""
    if name in args:
        return args[args.index(name) + 1]
    return default


def echo(args):
    """Echo server: every datagram back to its sender."""
    addr, port = args[0], int(args[1])
    count = int(opt(args, "--count", "0"))
    log = opt(args, "--log")
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family(addr) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    ready = opt(args, "--ready")
    if ready:
        with open(ready, "w", encoding="ascii") as f:
            f.write("ready\n")
    n = 0
    while not count or n < count:
        data, peer = s.recvfrom(65536)
        if log:
            with open(log, "a", encoding="ascii") as f:
                f.write(f"{peer[0]} {peer[1]} {len(data)}\n")
        s.sendto(data, peer)
        n += 1
    return 0


def exchange(s, size, tries):
    """Send SIZE random bytes on S, check they come back unchanged."""
    payload = os.urandom(size)
    for _ in range(tries):
        try:
            s.send(payload)
            data = s.recv(65536)
        except ConnectionRefusedError:
            print("client: connection refused", file=sys.stderr)
            return 2
        except socket.timeout:
            continue
        if data == payload:
            return 0
        print(f"client: got {len(data)} bytes, not the {size} sent",
              file=sys.stderr)
        return 1
    print("client: no reply", file=sys.stderr)
    return 3


def client(args):
    """Echo exchanges with a server, checked."""
    addr, port, size = args[0], int(args[1]), int(args[2])
    tries = int(opt(args, "--tries", "3"))
    count = int(opt(args, "--count", "1"))
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.settimeout(2)
    for _ in range(count):
        rc = exchange(s, size, tries)
        if rc:
            return rc
    return 0


def many(args):
    """N flows at once, each echoed on its own socket."""
    addr, port, n = args[0], int(args[1]), int(args[2])
    sel = selectors.DefaultSelector()
    want, pending = {}, {}
    for i in range(n):
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.connect((addr, port))
        s.setblocking(False)
        want[s] = os.urandom(16) + struct.pack("!I", i)
        pending[s] = True
        sel.register(s, selectors.EVENT_READ)
    for _ in range(3):
        for s in pending:
            try:
                s.send(want[s])
            except (BlockingIOError, ConnectionRefusedError):
                pass
        deadline = time.monotonic() + 3
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                if data != want[s]:
                    print("many: wrong payload on a flow", file=sys.stderr)
                    return 1
                del pending[s]
                sel.unregister(s)
        if not pending:
            break
    print(f"many: {n - len(pending)} of {n} flows echoed")
    return 3 if pending else 0


def warm(args):
    """Get the next hop resolved before the real traffic."""
    s = socket.socket(family(args[0]), socket.SOCK_DGRAM)
    s.sendto(b"", (args[0], 9))
    time.sleep(0.3)
    return 0


def answer(args):
    """Reply, late, to the first sender: is it still there?"""
    addr, port = args[0], int(args[1])
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    ready = opt(args, "--ready")
    if ready:
        with open(ready, "w", encoding="ascii") as f:
            f.write("ready\n")
    _, peer = s.recvfrom(65536)
    s.connect(peer)
    time.sleep(float(opt(args, "--wait", "1")))
    s.settimeout(3)
    try:
        s.send(b"late reply")
        s.recv(65536)
    except ConnectionRefusedError:
        return 2
    except socket.timeout:
        return 3
    return 0


def sink(args):
    """Count numbered datagrams, check their order."""
    addr, port, count = args[0], int(args[1]), int(args[2])
    idle = float(opt(args, "--idle", "3"))
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    ready = opt(args, "--ready")
    if ready:
        with open(ready, "w", encoding="ascii") as f:
            f.write("ready\n")
    got, last, inorder, start, end, source = 0, -1, True, None, 0, "-"
    s.settimeout(30)
    while got < count:
        try:
            data, peer = s.recvfrom(65536)
        except socket.timeout:
            break
        if start is None:
            start, source = time.monotonic(), peer[0]
            s.settimeout(idle)
        if len(data) < 4:
            continue
        seq = struct.unpack("!I", data[:4])[0]
        if seq <= last:
            inorder = False
        last = seq
        got += 1
        end = time.monotonic()
    took = end - start if start is not None else 0
    print(f"got {got} {'inorder' if inorder else 'reordered'} "
          f"{took:.3f} {source}")
    return 0


def burst(args):
    """Send numbered datagrams, paced if asked."""
    addr, port, count, size = args[0], int(args[1]), int(args[2]), \
        int(args[3])
    rate = float(opt(args, "--rate", "0"))
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    pad = bytes(max(size, 4) - 4)
    start = time.monotonic()
    for i in range(count):
        if rate:
            wait = start + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        while True:
            try:
                s.send(struct.pack("!I", i) + pad)
                break
            except (BlockingIOError, ConnectionRefusedError):
                time.sleep(0.0001)
            except OSError as e:
                if e.errno != 105:    # ENOBUFS: wait, try again
                    raise
                time.sleep(0.0001)
    print(f"{time.monotonic() - start:.3f}")
    return 0


def main():
    """Dispatch on the first argument."""
    cmds = {"echo": echo, "client": client, "sink": sink, "burst": burst,
            "answer": answer, "many": many, "warm": warm}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 1
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
