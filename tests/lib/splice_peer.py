#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# splice_peer.py - TCP peers for the spliced (loopback) path tests: file
# transfers that record the peer's address, many concurrent checked
# connections, late refusal.  Exit status 0 means the expected behaviour.
#
# Usage:
#   splice_peer.py sink ADDR PORT OUT        accept once, read to EOF into
#                                            OUT, peer address in OUT.peer
#   splice_peer.py source ADDR PORT SRC OUT  accept once, send SRC, peer
#                                            address in OUT.peer (with
#                                            $REQUEST set: read a line
#                                            first)
#   splice_peer.py put ADDR PORT SRC         connect, send SRC, shut down
#                                            writing, wait for EOF
#   splice_peer.py get ADDR PORT OUT         connect, read to EOF into OUT
#                                            (first send $REQUEST and a
#                                            newline, if set)
#   splice_peer.py many-server ADDR PORT N   serve N connections at once:
#                                            reply SHA-256 of what came
#                                            ($IDLE: or stop after IDLE s
#                                            without events)
#   splice_peer.py many-client ADDR PORT N BYTES [resets-ok]
#                                            open N connections, then send
#                                            BYTES on each, check digests
#   splice_peer.py stall ADDR PORT SECS      listen with a backlog of 0,
#                                            never accept, for SECS
#   splice_peer.py stalled ADDR PORT N MIN_S MAX_S
#                                            open N connections, expect at
#                                            least one reset between MIN_S
#                                            and MAX_S seconds
#   splice_peer.py reset ADDR PORT MAX_S     connect, expect a reset or EOF
#                                            within MAX_S seconds (the
#                                            reset may come with connect())
# Listeners write $READY if set.  Every wait is bounded (TIMEOUT).
import hashlib
import os
import selectors
import socket
import sys
import time

TIMEOUT = 30


def pattern(i, n):
    """Bytes for connection i: SHA-256 counter blocks, seeded by i."""
    out = bytearray()
    k = 0
    while len(out) < n:
        out += hashlib.sha256(b'%d:%d' % (i, k)).digest()
        k += 1
    return bytes(out[:n])


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def listener(addr, port, backlog=8):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    s.settimeout(TIMEOUT)
    ready = os.environ.get('READY')
    if ready:
        with open(ready, 'w') as f:
            f.write('ok\n')
    return s


def accept(s):
    c, a = s.accept()
    c.settimeout(TIMEOUT)
    return c, a[0]


def connect(addr, port):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def recv_to(s, f):
    n = 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            return n
        f.write(b)
        n += len(b)


def send_file(s, path):
    with open(path, 'rb') as f:
        s.sendfile(f)


def many_server(addr, port, n):
    ls = listener(addr, port, backlog=max(n, 8))
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    state = {}
    done = 0
    peers = set()
    deadline = time.monotonic() + TIMEOUT
    idle = float(os.environ.get('IDLE', '0'))
    last = time.monotonic()
    while done < n and time.monotonic() < deadline:
        if idle and done and time.monotonic() - last > idle:
            break
        for key, _ in sel.select(timeout=0.5):
            last = time.monotonic()
            if key.data is None:
                try:
                    c, a = ls.accept()
                except BlockingIOError:
                    continue
                peers.add(a[0])
                c.setblocking(False)
                state[c] = hashlib.sha256()
                sel.register(c, selectors.EVENT_READ, 1)
                continue
            c = key.fileobj
            try:
                b = c.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                b = None
            if b:
                state[c].update(b)
                continue
            sel.unregister(c)
            if b is not None:
                c.setblocking(True)
                c.settimeout(TIMEOUT)
                try:
                    c.sendall(state[c].digest())
                except OSError:
                    pass
            c.close()
            del state[c]
            done += 1
    print('served %d, peers %s' % (done, ' '.join(sorted(peers))))
    return 0 if done == n else 1


def many_client(addr, port, n, nbytes, resets_ok):
    socks = []
    ok = reset = bad = 0
    for i in range(n):
        try:
            socks.append(connect(addr, port))
        except ConnectionResetError:
            # Reset before connect() returned: only when resets are fine
            if not resets_ok:
                raise
            socks.append(None)
            reset += 1
    for i, s in enumerate(socks):
        if s is None:
            continue
        try:
            s.sendall(pattern(i, nbytes))
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    for i, s in enumerate(socks):
        if s is None:
            continue
        try:
            got = b''
            while True:
                b = s.recv(64)
                if not b:
                    break
                got += b
            if got == hashlib.sha256(pattern(i, nbytes)).digest():
                ok += 1
            elif not got and resets_ok:
                reset += 1	# closed before a byte went through
            else:
                bad += 1
        except ConnectionResetError:
            reset += 1
        s.close()
    print('ok %d reset %d bad %d' % (ok, reset, bad))
    if bad or not ok or (reset and not resets_ok):
        return 1
    return 0


def read_line(s):
    """Read up to and including a newline (a request), at most 4 KiB"""
    line = b''
    while not line.endswith(b'\n') and len(line) < 4096:
        b = s.recv(1)
        if not b:
            break
        line += b
    return line


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    args = sys.argv[4:]
    if mode in ('sink', 'source'):
        ls = listener(addr, port)
        c, peer = accept(ls)
        out = args[-1]
        with open(out + '.peer', 'w') as f:
            f.write(peer + '\n')
        if mode == 'sink':
            with open(out, 'wb') as f:
                recv_to(c, f)
        else:
            if os.environ.get('REQUEST'):
                read_line(c)
            send_file(c, args[0])
            c.shutdown(socket.SHUT_WR)
            recv_to(c, open(os.devnull, 'wb'))
        c.close()
        return 0
    if mode == 'put':
        s = connect(addr, port)
        send_file(s, args[0])
        s.shutdown(socket.SHUT_WR)
        recv_to(s, open(os.devnull, 'wb'))
        return 0
    if mode == 'get':
        s = connect(addr, port)
        if os.environ.get('REQUEST'):
            s.sendall(os.environ['REQUEST'].encode() + b'\n')
        with open(args[0], 'wb') as f:
            recv_to(s, f)
        return 0
    if mode == 'many-server':
        return many_server(addr, port, int(args[0]))
    if mode == 'many-client':
        return many_client(addr, port, int(args[0]), int(args[1]),
                           len(args) > 2)
    if mode == 'stall':
        ls = listener(addr, port, backlog=0)
        time.sleep(float(args[0]))
        ls.close()
        return 0
    if mode == 'stalled':
        t = time.monotonic()
        n, lo, hi = int(args[0]), float(args[1]), float(args[2])
        socks = [connect(addr, port) for _ in range(n)]
        sel = selectors.DefaultSelector()
        for s in socks:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        while time.monotonic() - t < hi:
            for key, _ in sel.select(0.2):
                try:
                    b = key.fileobj.recv(16)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    b = b''
                if b:
                    continue
                dt = time.monotonic() - t
                print('reset after %.1f s' % dt)
                return 0 if dt >= lo else 1
        print('no reset within %.1f s' % hi)
        return 1
    if mode == 'reset':
        t = time.monotonic()
        try:
            s = connect(addr, port)
            s.settimeout(float(args[0]))
            s.sendall(b'x')
            b = s.recv(16)
            what = 'EOF' if not b else 'data'
        except ConnectionResetError:
            what = 'reset'
        except socket.timeout:
            what = 'timeout'
        dt = time.monotonic() - t
        print('%s after %.3f s' % (what, dt))
        return 0 if what in ('reset', 'EOF') else 1
    print('unknown mode ' + mode)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main())
    except OSError as e:
        print('%s: %s' % (sys.argv[1], e))
        sys.exit(1)
