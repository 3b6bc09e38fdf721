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
#   tcp_peer.py echo-server ADDR PORT N            echo on N connections
#                                                  at once, then exit (0:
#                                                  until idle for 2 s)
#   tcp_peer.py many ADDR PORT N BYTES             N connections at once,
#                                                  each sends BYTES random
#                                                  bytes, checks the echo
#                                                  (SHA-256)
#   tcp_peer.py keepalive ADDR PORT SECS         connect with keepalive
#                                                  probes every second
#                                                  (2 unanswered: dead),
#                                                  idle SECS, then expect
#                                                  an echo
#   tcp_peer.py fill ADDR PORT N                   open up to N connections
#                                                  and keep them: expect
#                                                  some, then resets; the
#                                                  kept ones still echo;
#                                                  closing some lets new
#                                                  ones in
# ADDR is a literal address; listeners write READY_FILE ($READY) if set.
import errno
import fcntl
import hashlib
import os
import selectors
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


def outq(s):
    """Bytes not yet acknowledged by the peer (SIOCOUTQ is TIOCOUTQ)."""
    try:
        return struct.unpack('i', fcntl.ioctl(s, termios.TIOCOUTQ,
                                              b'\0' * 4))[0]
    except OSError:
        return 0


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


def echo_server(addr, port, n):
    """Echo on many connections at once, each until its EOF; exit once n
    connections ended (or after the deadline: failure).  With n = 0, exit
    once connections ended and none is open for two seconds."""
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1024)
    ls.setblocking(False)
    ready = os.environ.get('READY')
    if ready:
        with open(ready, 'w') as f:
            f.write('ok\n')
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    done = 0
    closing = []
    deadline = time.monotonic() + 4 * TIMEOUT
    idle = time.monotonic()
    while (done < n or not n) and time.monotonic() < deadline:
        if len(sel.get_map()) > 1 or closing:
            idle = time.monotonic()
        elif not n and done and time.monotonic() - idle > 2:
            break
        for c in closing[:]:
            if outq(c) == 0:
                closing.remove(c)
                c.close()
                done += 1
        for key, ev in sel.select(timeout=0.05 if closing else 1):
            if key.data is None:
                for _ in range(64):
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ,
                                 {'buf': bytearray(), 'eof': False})
                continue
            c, st = key.fileobj, key.data
            try:
                if ev & selectors.EVENT_READ:
                    b = c.recv(1 << 16)
                    if b:
                        st['buf'] += b
                    else:
                        st['eof'] = True
                if st['buf']:
                    k = c.send(st['buf'][:1 << 18])
                    del st['buf'][:k]
            except BlockingIOError:
                pass
            except ConnectionError:
                st['eof'], st['buf'] = True, bytearray()
            if st['eof'] and not st['buf']:
                # Close only once the peer acknowledged everything: pasta
                # ends with its namespace, taking unsent data along
                sel.unregister(c)
                try:
                    c.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                closing.append(c)
                continue
            want = 0 if st['eof'] else selectors.EVENT_READ
            if st['buf']:
                want |= selectors.EVENT_WRITE
            sel.modify(c, want, st)
    print('echo-server: %d of %d connections done' % (done, n))
    return 0 if done == n or (not n and done) else 1


def many(addr, port, n, size):
    """n connections at once, each sending size random bytes and reading
    the echo back to EOF; every echo must hash like what was sent."""
    sel = selectors.DefaultSelector()
    conns = {}
    for i in range(n):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((addr, port))
        if err not in (0, errno.EINPROGRESS):
            print('connection %d: %s' % (i, os.strerror(err)))
            return 1
        data = os.urandom(size)
        conns[s] = {'i': i, 'data': data, 'sent': 0,
                     'want': hashlib.sha256(data).hexdigest(),
                     'got': hashlib.sha256(), 'n': 0}
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    ok = 0
    deadline = time.monotonic() + 4 * TIMEOUT
    while conns and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=1):
            s = key.fileobj
            st = conns[s]
            if ev & selectors.EVENT_WRITE:
                try:
                    k = s.send(st['data'][st['sent']:st['sent'] + (1 << 18)])
                except BlockingIOError:
                    k = 0
                except OSError as e:
                    print('connection %d: %s' % (st['i'], e))
                    return 1
                st['sent'] += k
                if st['sent'] == size:
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(1 << 16)
                except BlockingIOError:
                    continue
                except OSError as e:
                    print('connection %d: %s' % (st['i'], e))
                    return 1
                if b:
                    st['got'].update(b)
                    st['n'] += len(b)
                    continue
                sel.unregister(s)
                s.close()
                del conns[s]
                if st['n'] != size or st['got'].hexdigest() != st['want']:
                    print('connection %d: %d bytes back, %s' %
                          (st['i'], st['n'], 'differs'))
                    return 1
                ok += 1
    print('many: %d of %d connections echoed %d bytes intact' %
          (ok, n, size))
    return 0 if ok == n else 1


def echo_check(s, size):
    """Send size bytes on a kept connection, expect them back."""
    data = os.urandom(size)
    s.sendall(data)
    got = bytearray()
    while len(got) < size:
        b = s.recv(size - len(got))
        if not b:
            break
        got += b
    return bytes(got) == data


def fill(addr, port, n):
    """Open connections until resets come; check the kept ones; close some,
    check that new connections get in again."""
    kept, refused = [], 0
    for _ in range(n):
        t = time.monotonic()
        try:
            s = socket.create_connection((addr, port), timeout=3)
        except ConnectionRefusedError:
            dt = time.monotonic() - t
            if dt > 1:
                print('reset only after %.2f s' % dt)
                return 1
            refused += 1
            continue
        except OSError as e:
            print('connection %d: %s, not a reset' % (len(kept), e))
            return 1
        s.settimeout(TIMEOUT)
        kept.append(s)
    print('fill: %d connections kept, %d reset' % (len(kept), refused))
    if not kept or not refused:
        return 1
    for i, s in enumerate(kept):
        if not echo_check(s, 65536):
            print('kept connection %d broken' % i)
            return 1
    # Ending connections frees their descriptors: new ones get in again
    for s in kept[len(kept) // 2:]:
        s.shutdown(socket.SHUT_WR)
        recv_all(s)
        s.close()
    kept = kept[:len(kept) // 2]
    for _ in range(50):
        try:
            s = socket.create_connection((addr, port), timeout=3)
            s.settimeout(TIMEOUT)
            break
        except ConnectionRefusedError:
            time.sleep(0.1)
    else:
        print('no new connection after closing half of them')
        return 1
    ok = echo_check(s, 65536)
    for c in kept + [s]:
        c.shutdown(socket.SHUT_WR)
        recv_all(c)
        c.close()
    return 0 if ok else 1


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
    if mode == 'echo-server':
        return echo_server(addr, port, arg)
    if mode == 'many':
        return many(addr, port, arg, int(sys.argv[5]))
    if mode == 'fill':
        return fill(addr, port, arg)
    if mode == 'keepalive':
        s = connect(addr, port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
        time.sleep(arg)
        if not echo_check(s, 4096):
            print('keepalive: no echo after %d s idle' % arg)
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
