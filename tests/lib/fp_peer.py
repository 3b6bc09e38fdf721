#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# fp_peer.py - TCP peers for tests/ns/fastpath.sh: N concurrent connections,
# each sending UP bytes client to server and DOWN bytes server to client
# (both at once, each side shutting down writing when done), every stream
# checked against its SHA-256.  Exit status 0 if every connection checked.
#
# Usage:
#   fp_peer.py server ADDR PORT [options]   accept --conns connections
#   fp_peer.py client ADDR PORT [options]   open --conns connections
# Options: --conns N, --up BYTES, --down BYTES, --stall S (the receiving
# side of this peer starts reading after S seconds), --rst (server: reset
# each connection after its first bytes), --expect-rst (client: a reset is
# the expected outcome), --delay S (wait S seconds before sending: the proxy
# gets to hand the pair over while both ends are still ESTABLISHED).  Listeners write READY_FILE ($READY) if set.
import argparse
import hashlib
import os
import random
import socket
import struct
import sys
import threading
import time

TIMEOUT = 120


class Payload:
    """Deterministic bytes, the same on both sides, made in 1 MiB chunks
    so that memory use doesn't hide the kernel's in a measurement."""

    def __init__(self, tag, n):
        self.tag, self.len = tag, n
        h = hashlib.sha256()
        for c in self.chunks():
            h.update(c)
        self.digest = h.digest()

    def chunks(self):
        rng, left = random.Random(self.tag), self.len
        while left:
            c = rng.randbytes(min(left, 1 << 20))
            left -= len(c)
            yield c


def recv_check(s, expect, stall):
    if stall:
        time.sleep(stall)
    h = hashlib.sha256()
    n = 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    if n != expect.len or h.digest() != expect.digest:
        return 'got %d bytes, expected %d, or content differs' % (
            n, expect.len)
    return None


def send_all(s, data, delay):
    if delay:
        time.sleep(delay)
    for c in data.chunks():
        s.sendall(c)
    s.shutdown(socket.SHUT_WR)


def xfer(s, out, expect, stall, delay, errors):
    t = threading.Thread(target=guard, args=(send_all, errors, s, out, delay))
    t.start()
    e = recv_check(s, expect, stall)
    t.join(TIMEOUT)
    if e:
        errors.append(e)
    s.close()


def guard(fn, errors, *args):
    try:
        fn(*args)
    except OSError as e:
        errors.append('%s: %s' % (fn.__name__, e))


def server(a, up, down):
    fam = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(512)
    ls.settimeout(TIMEOUT)
    if os.environ.get('READY'):
        with open(os.environ['READY'], 'w') as f:
            f.write('ok\n')
    errors, threads = [], []
    for _ in range(a.conns):
        c, _ = ls.accept()
        c.settimeout(TIMEOUT)
        if a.rst:
            c.recv(1)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack('ii', 1, 0))
            c.close()
            continue
        t = threading.Thread(target=guard,
                             args=(xfer, errors, c, down, up, a.stall,
                                   a.delay, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(TIMEOUT)
    return errors


def client(a, up, down):
    errors, threads = [], []

    def one():
        s = socket.create_connection((a.addr, a.port), timeout=TIMEOUT)
        s.settimeout(TIMEOUT)
        if a.expect_rst:
            time.sleep(a.delay)
            s.sendall(b'x' * 1024)
            try:
                while s.recv(65536):
                    pass
            except ConnectionResetError:
                return
            errors.append('no reset seen')
            return
        xfer(s, up, down, a.stall, a.delay, errors)

    for _ in range(a.conns):
        t = threading.Thread(target=guard, args=(one, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(TIMEOUT)
    return errors


def main():
    p = argparse.ArgumentParser()
    p.add_argument('role', choices=['server', 'client'])
    p.add_argument('addr')
    p.add_argument('port', type=int)
    p.add_argument('--conns', type=int, default=1)
    p.add_argument('--up', type=int, default=0)
    p.add_argument('--down', type=int, default=0)
    p.add_argument('--stall', type=float, default=0)
    p.add_argument('--delay', type=float, default=0)
    p.add_argument('--rst', action='store_true')
    p.add_argument('--expect-rst', action='store_true')
    a = p.parse_args()
    up, down = Payload('up', a.up), Payload('down', a.down)
    errors = (server if a.role == 'server' else client)(a, up, down)
    for e in errors[:5]:
        print('%s: %s' % (a.role, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
