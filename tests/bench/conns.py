# SPDX-License-Identifier: GPL-2.0-or-later
# conns.py - hold many TCP connections open, for tests/bench/memory.sh
#
#   conns.py server PORT N DIR SECS: listen on 0.0.0.0:PORT, write DIR/ready,
#     accept up to N connections, write their count to DIR/count whenever
#     it grows; exit when DIR/stop exists or after SECS seconds
#   conns.py client ADDR PORT N DIR SECS: open N connections to ADDR:PORT
#     (5 s timeout each), send one byte on each (Debian 12's pasta connects
#     through the tap only when data or a FIN comes), write the count
#     opened to DIR/opened; close them
#     and exit when DIR/stop exists or after SECS seconds
#
# Both raise their RLIMIT_NOFILE soft limit to the hard limit first.
import os, resource, selectors, socket, sys, time

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def put(path, text):
    """Write text to path through a temporary file and a rename."""
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.rename(path + '.tmp', path)


if sys.argv[1] == 'server':
    port, n, d, secs = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], \
        float(sys.argv[5])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(1024)
    put(d + '/ready', 'ok\n')
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    held = []
    end = time.monotonic() + secs
    while time.monotonic() < end and not os.path.exists(d + '/stop'):
        for _ in sel.select(0.2):
            if len(held) < n:
                c, _ = ls.accept()
                held.append(c)
                put(d + '/count', '%d\n' % len(held))
    sys.exit(0)

addr, port, n, d, secs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5], float(sys.argv[6])
held = []
end = time.monotonic() + secs
for _ in range(n):
    if time.monotonic() > end:
        break
    try:
        s = socket.create_connection((addr, port), timeout=5)
        s.sendall(b'x')
        held.append(s)
    except OSError as e:
        print('conns.py: connection %d: %s' % (len(held) + 1, e),
              file=sys.stderr)
        break
put(d + '/opened', '%d\n' % len(held))
while time.monotonic() < end and not os.path.exists(d + '/stop'):
    time.sleep(0.1)
