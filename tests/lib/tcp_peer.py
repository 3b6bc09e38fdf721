#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_peer.py - small TCP peers for the namespace tests: half-close, reset,
# refused.  Exit status 0 means the expected behaviour was seen.
#
# Usage:
#   tcp_peer.py halfclose-server ADDR PORT BYTES   read to EOF, then send
#   tcp_peer.py halfclose-client ADDR PORT BYTES   send, shut down writing,
#                                                  expect BYTES back
#   tcp_peer.py rst-server ADDR PORT               accept, close with RST
#   tcp_peer.py rst-client ADDR PORT               expect a reset
#   tcp_peer.py refused ADDR PORT MAX_S            expect ECONNREFUSED fast
#   tcp_peer.py send ADDR PORT BYTES               connect, send a pattern
#   tcp_peer.py serve ADDR PORT BYTES              accept once, send pattern
#   tcp_peer.py recv ADDR PORT BYTES               connect, expect pattern
#   tcp_peer.py peer ADDR PORT                     accept once, print the
#                                                  client's address
# ADDR is a literal address; listeners write READY_FILE ($READY) if set.
import fcntl
import hashlib
import os
import socket
import struct
import sys
import termios
import time

TIMEOUT = 20


def pattern(n):
    """Deterministic bytes: SHA-256 counter blocks."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(i.to_bytes(8, 'big')).digest()
        i += 1
    return bytes(out[:n])


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def listen(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    s.settimeout(TIMEOUT)
    ready = os.environ.get('READY')
    if ready:
        with open(ready, 'w') as f:
            f.write('ok\n')
    c, _ = s.accept()
    c.settimeout(TIMEOUT)
    return c


def connect(addr, port):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def recv_all(s):
    data = bytearray()
    for _ in range(1 << 20):
        b = s.recv(1 << 16)
        if not b:
            break
        data += b
    return bytes(data)


def linger(s):
    """Shut down writing, wait for the peer's EOF: everything arrived
    (pasta ends with its namespace, taking unsent data along)."""
    s.shutdown(socket.SHUT_WR)
    # The peer may have shut down writing already: also wait until it
    # acknowledged everything, FIN included (SIOCOUTQ is TIOCOUTQ)
    for _ in range(2000):
        if struct.unpack('i', fcntl.ioctl(s, termios.TIOCOUTQ,
                                          b'\0' * 4))[0] == 0:
            break
        time.sleep(0.01)
    recv_all(s)
    s.close()
    return 0


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if mode == 'halfclose-server':
        c = listen(addr, port)
        got = recv_all(c)
        if got != b'request':
            print('server got %r' % got[:32])
            return 1
        c.sendall(pattern(arg))
        return linger(c)
    if mode == 'halfclose-client':
        s = connect(addr, port)
        s.sendall(b'request')
        s.shutdown(socket.SHUT_WR)
        got = recv_all(s)
        if got != pattern(arg):
            print('client got %d bytes, expected %d' % (len(got), arg))
            return 1
        return 0
    if mode == 'rst-server':
        c = listen(addr, port)
        c.recv(16)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack('ii', 1, 0))
        c.close()
        # pasta ends with our namespace: let the reset get out first
        time.sleep(0.5)
        return 0
    if mode == 'rst-client':
        s = connect(addr, port)
        s.sendall(b'x')
        try:
            for _ in range(100):
                if not s.recv(16):
                    print('orderly close, not a reset')
                    return 1
        except ConnectionResetError:
            return 0
        return 1
    if mode == 'refused':
        t = time.monotonic()
        try:
            connect(addr, port)
        except ConnectionRefusedError:
            dt = time.monotonic() - t
            print('refused after %.3f s' % dt)
            return 0 if dt <= arg else 1
        except OSError as e:
            print('got %s instead of refused' % e)
            return 1
        print('connected?')
        return 1
    if mode == 'send':
        s = connect(addr, port)
        s.sendall(pattern(arg))
        s.close()
        return 0
    if mode == 'serve':
        c = listen(addr, port)
        c.sendall(pattern(arg))
        return linger(c)
    if mode == 'recv':
        s = connect(addr, port)
        got = recv_all(s)
        if got != pattern(arg):
            print('got %d bytes, expected %d' % (len(got), arg))
            return 1
        return 0
    if mode == 'peer':
        c = listen(addr, port)
        print(c.getpeername()[0])
        return linger(c)
    print('unknown mode ' + mode)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main())
    except OSError as e:
        print('%s: %s' % (sys.argv[1], e))
        sys.exit(1)
