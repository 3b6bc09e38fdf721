// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_splice.c - pasta's local TCP bypass: loopback connections spliced
 * between the host and the namespace
 *
 * Theory of operation: a connection from a loopback address to a port
 * forwarded with -t (host to namespace), or any connection to a port
 * forwarded with -T (namespace to host, listening on the namespace's
 * loopback), never touches the tap device.  We accept it, connect a second
 * socket to the loopback address of the same family on the other side at
 * the translated port (sockets in the namespace come from the factory in
 * pasta/ns_sock.c, which entered it at start), and move the bytes with
 * splice(2) through one pipe per direction: socket to pipe, pipe to socket,
 * with no copy to user space.
 *
 * Each pair is one entry of a fixed table (TCP_SPLICE_MAX, allocated in
 * tcp_splice_init(), free list, nothing allocated afterwards).  Side 0 is
 * the accepted socket, side 1 the one we connected; direction d carries
 * what we read from side d into side !d, through pipe[d].  Sockets are
 * edge-triggered: EPOLLIN on both sides while they can still send us data,
 * and EPOLLOUT on a side only while the pipe towards it holds bytes it
 * didn't take (so each event tries both ends of that pipe: nothing is lost
 * when a full pipe made the source look empty).
 *
 * State of a pair (flags):
 *
 *   CONNECTING	connect() of side 1 in progress: side 0 is not read yet
 *		(a refusal resets side 0: the client sees a RST at once, and
 *		so does it after TCP_SPLICE_CONNECT_MS without an answer)
 *   ESTABLISHED	both connected, data flows both ways
 *   EOF(i)	read end of file from side i; once pipe[i] is empty we
 *		shut down writing on side !i (FIN after the data): SHUT(!i)
 *   BLOCKED(i)	pipe[i] holds bytes side !i didn't take: EPOLLOUT on !i
 *
 * The pair is closed (and its pipes kept for the next one) once both sides
 * are EOF and SHUT.  An error or a reset on either side closes both with
 * SO_LINGER 0, so the other peer sees a RST too.
 *
 * eBPF fast path (tcp_fastpath.c): when it is loaded, a pair is offered to
 * it as soon as both sides are connected, before anything was read (so the
 * pipes are empty).  If it takes the pair (FASTPATH), the kernel moves the
 * data and tcp_fastpath.c owns the sockets: their events go there, and it
 * calls tcp_splice_fp_closed() once it closed them.  If it refuses (off,
 * unprivileged, a FIN already arrived), the pair stays on splice.
 *
 * File descriptors: a pair holds six (two sockets, two pipes).  We track
 * RLIMIT_NOFILE (raised to the hard limit by tcp_init()) against an
 * estimate of what is open: when a new pair wouldn't leave
 * TCP_SPLICE_FD_RESERVE descriptors free, the client gets a RST, and the
 * pools of pre-opened pipes and namespace sockets are emptied.  Finished
 * pairs are always closed at once, never deferred.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "epoll_ref.h"
#include "log.h"
#include "ns_sock.h"
#include "tcp_conn.h"
#include "tcp_fastpath.h"
#include "tcp_splice.h"
#include "util.h"

#define TCP_SPLICE_MAX_BITS	12
#define TCP_SPLICE_MAX		(1 << TCP_SPLICE_MAX_BITS)	/* pairs, table
								 * allocated once */
#define TCP_SPLICE_GEN_SHIFT	(TCP_SPLICE_MAX_BITS + 1)
#define TCP_SPLICE_PIPE_SIZE	(1 << 20)	/* wanted; halved on refusal */
#define TCP_SPLICE_PIPE_MIN	(64 << 10)	/* below this, keep default */
#define TCP_SPLICE_ROUNDS	16	/* pipe fills per event, fairness */
#define TCP_SPLICE_ACCEPT_BATCH	32
#define TCP_SPLICE_FDS		6	/* per pair: 2 sockets, 2 pipes */
#define TCP_SPLICE_FD_RESERVE	32	/* always left to everything else */
#define TCP_SPLICE_LISTEN_V6	(1U << 16)
#define TCP_SPLICE_CONNECT_MS	10000	/* then reset: SYNs dropped (full
					 * backlog) are retried for minutes */

#ifndef TCP_SPLICE_POOL
#define TCP_SPLICE_POOL		16	/* pre-opened ns sockets per family */
#endif
/* Kept small: an idle 1 MiB pipe still counts against the user's
 * fs.pipe-user-pages-soft (64 MiB by default), beyond which new pipes
 * get two pages and F_SETPIPE_SZ fails (pipe(7))
 */
#ifndef TCP_SPLICE_PIPE_POOL
#define TCP_SPLICE_PIPE_POOL	4	/* pre-opened empty pipes */
#endif

#define SPLICE_CONNECTING	(1U << 0)
#define SPLICE_ESTABLISHED	(1U << 1)
#define SPLICE_EOF(i)		(1U << (2 + (i)))
#define SPLICE_SHUT(i)		(1U << (4 + (i)))
#define SPLICE_BLOCKED(i)	(1U << (6 + (i)))
#define SPLICE_FASTPATH		(1U << 8)
#define SPLICE_FP_NEVER		(1U << 9)	/* refused for good */

/* When the eBPF fast path takes a pair: handing a pair over and taking it
 * back costs dozens of system calls, more than a short connection saves
 * (tests/bench/splice.sh, tcp_crr: 0.42 of direct loopback when every
 * pair was handed over once connected, 0.57 on splice).  So a pair is
 * handed over at the first data of a direction if that is already
 * TCP_SPLICE_FP_BULK bytes or more (nothing read there yet), or else at
 * an event once it is TCP_SPLICE_FP_AFTER_MS old (which succeeds only
 * when nothing is left queued after a read: interactive traffic)
 */
#define TCP_SPLICE_FP_BULK	(16 << 10)
#define TCP_SPLICE_FP_AFTER_MS	10

/**
 * struct tcp_splice_conn - one spliced pair of sockets
 * @s:		Sockets: [0] accepted, [1] connected by us; -1 if free
 * @pipe:	Pipes per direction: [d][0] read end, [d][1] write end
 * @flags:	SPLICE_* state
 * @events:	epoll events currently set per side
 * @in_pipe:	Bytes sitting in each direction's pipe
 * @bytes:	Bytes delivered per direction
 * @next:	Next free entry, -1 at the end (free entries only)
 * @ts_start:	When the pair was created, ms (CLOCK_MONOTONIC)
 * @fp_try:	When to offer it to the fast path next, ms (CLOCK_MONOTONIC)
 * @gen:	Generation: bumped each time the entry is taken, so that an
 *		event still queued for a closed pair can't reach the next pair
 *		using the same entry (and, likely, the same descriptors)
 * @port:	Port we connected to, for logs
 * @ns_to_host:	Accepted in the namespace (-T), else on the host (-t)
 * @fp:		State in the eBPF fast path, if FASTPATH
 */
struct tcp_splice_conn {
	int s[2];
	int pipe[2][2];
	uint32_t flags;
	uint32_t events[2];
	size_t in_pipe[2];
	uint64_t bytes[2];
	long long ts_start;
	long long fp_try;
	int next;
	uint32_t gen;
	uint16_t port;
	bool ns_to_host;
	struct tcp_fastpath_pair fp;
};

/**
 * struct tcp_splice_pool - pre-opened descriptors, to cut connect latency
 * @pipes:	Pipes (read end, write end) already sized, empty
 * @npipes:	Pipes in @pipes
 * @ns4:	Non-blocking IPv4 TCP sockets created in the namespace
 * @nns4:	Sockets in @ns4
 * @ns6:	Same, IPv6
 * @nns6:	Sockets in @ns6
 */
struct tcp_splice_pool {
	int pipes[TCP_SPLICE_PIPE_POOL + 1][2];
	int npipes;
	int ns4[NS_SOCK_BATCH];
	int nns4;
	int ns6[NS_SOCK_BATCH];
	int nns6;
};

/**
 * struct tcp_splice_ctx - spliced connections, allocated by tcp_splice_init()
 * @conn:	Table of TCP_SPLICE_MAX pairs
 * @free:	First free entry, -1 if the table is full
 * @count:	Pairs in use
 * @pipe_size:	Pipe size we could set (F_SETPIPE_SZ), or the default
 * @pool:	Pre-opened pipes and namespace sockets
 * @fd_limit:	RLIMIT_NOFILE soft limit
 * @fd_base:	Descriptors open when we started (everything not ours)
 * @fds:	Descriptors held here: pairs, pools, -T listeners
 * @spliced:	Connections spliced since start
 * @refused:	Connections reset for lack of descriptors or entries
 * @bytes_to_ns: Bytes delivered from the host into the namespace
 * @bytes_to_host: Bytes delivered from the namespace to the host
 */
struct tcp_splice_ctx {
	struct tcp_splice_conn *conn;
	int free;
	int count;
	int pipe_size;
	struct tcp_splice_pool pool;
	long fd_limit;
	int fd_base;
	int fds;
	uint64_t spliced;
	uint64_t refused;
	uint64_t fastpath;
	uint64_t bytes_to_ns;
	uint64_t bytes_to_host;
};

/**
 * tcp_splice_idx() - Index of a pair in the table
 * @ts:		Splice state
 * @conn:	Pair
 *
 * Return: index
 */
static uint32_t tcp_splice_idx(const struct tcp_splice_ctx *ts,
			       const struct tcp_splice_conn *conn)
{
	return (uint32_t)(conn - ts->conn);
}

/**
 * tcp_splice_ref_data() - epoll reference payload for one side of a pair
 * @ts:		Splice state
 * @conn:	Pair
 * @side:	0 or 1
 *
 * Return: generation, index and side, packed (see tcp_splice_sock_handler())
 */
static uint32_t tcp_splice_ref_data(const struct tcp_splice_ctx *ts,
				    const struct tcp_splice_conn *conn,
				    int side)
{
	return conn->gen << TCP_SPLICE_GEN_SHIFT |
	       tcp_splice_idx(ts, conn) << 1 | (uint32_t)side;
}

/**
 * tcp_splice_now_ms() - Current loop time in milliseconds
 * @c:		Execution context
 *
 * Return: c->now in milliseconds
 */
static long long tcp_splice_now_ms(const struct ctx *c)
{
	return (long long)c->now.tv_sec * 1000 + c->now.tv_nsec / 1000000;
}

/**
 * tcp_splice_fd_room() - Is there room for @n more descriptors of ours
 * @c:		Execution context
 * @n:		Descriptors wanted
 *
 * Return: true if opening @n descriptors still leaves the reserve free
 */
static bool tcp_splice_fd_room(const struct ctx *c, int n)
{
	const struct tcp_splice_ctx *ts = c->tcp_splice;
	long used = (long)ts->fd_base + ts->fds + n;

	if (c->tcp)
		used += c->tcp->count;	/* one host socket per tap connection */
	return used + TCP_SPLICE_FD_RESERVE <= ts->fd_limit;
}

/**
 * tcp_splice_close() - Close a descriptor we hold, and count it
 * @ts:		Splice state
 * @fd:		Descriptor, ignored if negative
 */
static void tcp_splice_close(struct tcp_splice_ctx *ts, int fd)
{
	if (fd < 0)
		return;
	close(fd);
	ts->fds--;
}

/**
 * tcp_splice_rst() - Close a socket so that its peer sees a reset
 * @ts:		Splice state
 * @s:		Socket, ignored if negative
 */
static void tcp_splice_rst(struct tcp_splice_ctx *ts, int s)
{
	struct linger l = { 1, 0 };

	if (s < 0)
		return;
	if (setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		debug_perror("TCP splice: SO_LINGER");
	tcp_splice_close(ts, s);
}

/**
 * tcp_splice_pipe_new() - Open a pipe and raise its size
 * @c:		Execution context
 * @p:		Filled with read and write end
 *
 * Context: main loop (pool refill, or an empty pool)
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta pipe2 fcntl
 */
static int tcp_splice_pipe_new(const struct ctx *c, int p[2])
{
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	/* Above pipe-user-pages-soft, unprivileged users get EPERM: the
	 * pipe keeps its default size, which still works, just slower
	 */
	if (fcntl(p[0], F_SETPIPE_SZ, c->tcp_splice->pipe_size) < 0)
		trace("TCP splice: F_SETPIPE_SZ: %s", strerror_(errno));
	c->tcp_splice->fds += 2;
	return 0;
}

/**
 * tcp_splice_pipe_get() - Take a pipe from the pool, or open one
 * @c:		Execution context
 * @p:		Filled with read and write end
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_splice_pipe_get(const struct ctx *c, int p[2])
{
	struct tcp_splice_pool *pool = &c->tcp_splice->pool;

	if (pool->npipes) {
		pool->npipes--;
		p[0] = pool->pipes[pool->npipes][0];
		p[1] = pool->pipes[pool->npipes][1];
		return 0;
	}
	return tcp_splice_pipe_new(c, p);
}

/**
 * tcp_splice_pipe_put() - Give back an empty pipe to the pool, or close it
 * @c:		Execution context
 * @p:		Read and write end, set to -1
 * @empty:	Nothing left in the pipe
 */
static void tcp_splice_pipe_put(const struct ctx *c, int p[2], bool empty)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	struct tcp_splice_pool *pool = &ts->pool;

	if (p[0] < 0)
		return;
	if (empty && pool->npipes < TCP_SPLICE_PIPE_POOL &&
	    tcp_splice_fd_room(c, TCP_SPLICE_FDS)) {
		pool->pipes[pool->npipes][0] = p[0];
		pool->pipes[pool->npipes][1] = p[1];
		pool->npipes++;
	} else {
		tcp_splice_close(ts, p[0]);
		tcp_splice_close(ts, p[1]);
	}
	p[0] = p[1] = -1;
}

/**
 * tcp_splice_ns_refill() - Top up the pool of namespace sockets for a family
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @want:	Sockets the pool should hold, at most NS_SOCK_BATCH
 *
 * Context: main loop; one request to the factory for the whole batch
 * Return: true if the pool holds at least one socket afterwards
 *
 * #syscalls:pasta sendto recvmsg
 */
static bool tcp_splice_ns_refill(const struct ctx *c, int af, int want)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	int *n = af == AF_INET6 ? &ts->pool.nns6 : &ts->pool.nns4;
	int *fds = af == AF_INET6 ? ts->pool.ns6 : ts->pool.ns4;
	int got;

	if (want > NS_SOCK_BATCH)
		want = NS_SOCK_BATCH;
	if (*n >= want || !tcp_splice_fd_room(c, TCP_SPLICE_FDS + want - *n))
		return *n > 0;
	got = ns_sock_many(c, af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_TCP, fds + *n, want - *n);
	if (got < 0) {
		debug("TCP splice: no sockets from the namespace: %s",
		      strerror_(-got));
		return *n > 0;
	}
	*n += got;
	ts->fds += got;
	return *n > 0;
}

/**
 * tcp_splice_ns_sock() - Get a socket in the namespace, from the pool
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 *
 * Return: non-blocking TCP socket in the namespace, -errno on failure
 */
static int tcp_splice_ns_sock(const struct ctx *c, int af)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	int *n = af == AF_INET6 ? &ts->pool.nns6 : &ts->pool.nns4;
	int *fds = af == AF_INET6 ? ts->pool.ns6 : ts->pool.ns4;

	/* A batch, or just one: no pool, or no room for a whole batch */
	if (!*n && !tcp_splice_ns_refill(c, af, TCP_SPLICE_POOL) &&
	    !tcp_splice_ns_refill(c, af, 1))
		return -EMFILE;
	return fds[--*n];
}

/**
 * tcp_splice_pool_drain() - Close every pooled descriptor (fd pressure)
 * @c:		Execution context
 */
static void tcp_splice_pool_drain(const struct ctx *c)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	struct tcp_splice_pool *pool = &ts->pool;

	while (pool->npipes) {
		pool->npipes--;
		tcp_splice_close(ts, pool->pipes[pool->npipes][0]);
		tcp_splice_close(ts, pool->pipes[pool->npipes][1]);
	}
	while (pool->nns4)
		tcp_splice_close(ts, pool->ns4[--pool->nns4]);
	while (pool->nns6)
		tcp_splice_close(ts, pool->ns6[--pool->nns6]);
}

/**
 * tcp_splice_epoll() - Set the epoll events of one side, if they changed
 * @c:		Execution context
 * @conn:	Pair
 * @side:	0 or 1
 * @events:	Events wanted (EPOLLET is added)
 * @force:	Modify even if unchanged: an edge-triggered re-arm reports
 *		readiness that is still there
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta epoll_ctl
 */
static int tcp_splice_epoll(const struct ctx *c, struct tcp_splice_conn *conn,
			    int side, uint32_t events, bool force)
{
	union epoll_ref ref = {
		.type = EPOLL_TYPE_TCP_SPLICE, .fd = conn->s[side],
		.data = tcp_splice_ref_data(c->tcp_splice, conn, side),
	};
	struct epoll_event ev = { .events = events | EPOLLET,
				  .data.u64 = ref.u64 };

	if (!force && conn->events[side] == ev.events)
		return 0;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, conn->s[side], &ev))
		return -errno;
	conn->events[side] = ev.events;
	return 0;
}

/**
 * tcp_splice_events() - Events a side needs in its current state
 * @conn:	Pair
 * @side:	0 or 1
 *
 * Return: EPOLLIN/EPOLLRDHUP while the side may still send us data,
 *	   EPOLLOUT while the pipe towards it is stuck (EPOLLET not included)
 */
static uint32_t tcp_splice_events(const struct tcp_splice_conn *conn,
				  int side)
{
	uint32_t ev = 0;

	if (conn->flags & SPLICE_CONNECTING)
		return side ? EPOLLOUT : 0;
	if (!(conn->flags & SPLICE_EOF(side)))
		ev |= EPOLLIN | EPOLLRDHUP;
	if (conn->flags & SPLICE_BLOCKED(!side))
		ev |= EPOLLOUT;
	return ev;
}

/**
 * tcp_splice_free() - Close a pair and return its entry to the free list
 * @c:		Execution context
 * @conn:	Pair in use
 * @rst:	Reset both peers (SO_LINGER 0) instead of closing cleanly
 */
static void tcp_splice_free(struct ctx *c, struct tcp_splice_conn *conn,
			    bool rst)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	uint64_t to_ns = conn->bytes[conn->ns_to_host ? 1 : 0];
	uint64_t to_host = conn->bytes[conn->ns_to_host ? 0 : 1];
	int i;

	for (i = 0; i < 2; i++) {
		if (rst)
			tcp_splice_rst(ts, conn->s[i]);
		else
			tcp_splice_close(ts, conn->s[i]);
		tcp_splice_pipe_put(c, conn->pipe[i], !conn->in_pipe[i]);
		conn->s[i] = -1;
	}
	ts->bytes_to_ns += to_ns;
	ts->bytes_to_host += to_host;
	debug("TCP splice: %s connection to port %u %s%s: %llu bytes host to "
	      "namespace, %llu bytes namespace to host (%llu spliced, "
	      "%llu in the fast path, %llu/%llu bytes in total)",
	      conn->ns_to_host ? "-T" : "-t", conn->port,
	      rst ? "reset" : "closed",
	      conn->flags & SPLICE_FASTPATH ? " (fast path)" : "",
	      (unsigned long long)to_ns,
	      (unsigned long long)to_host, (unsigned long long)ts->spliced,
	      (unsigned long long)ts->fastpath,
	      (unsigned long long)ts->bytes_to_ns,
	      (unsigned long long)ts->bytes_to_host);
	conn->flags = 0;
	conn->next = ts->free;
	ts->free = (int)tcp_splice_idx(ts, conn);
	ts->count--;
}

/**
 * tcp_splice_pump() - Move what can be moved in one direction
 * @c:		Execution context
 * @conn:	Established pair
 * @d:		Direction: read from side @d, write to side !@d
 *
 * Context: main loop
 * Return: 0 on success (BLOCKED, EOF and SHUT flags updated), -errno if a
 *	   side failed and the pair must be reset
 *
 * #syscalls:pasta splice shutdown
 */
static int tcp_splice_pump(const struct ctx *c, struct tcp_splice_conn *conn,
			   int d)
{
	int from = conn->s[d], to = conn->s[!d], rounds;
	const unsigned int fl = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

	conn->flags &= ~SPLICE_BLOCKED(d);
	for (rounds = 0; rounds < TCP_SPLICE_ROUNDS; rounds++) {
		ssize_t r = 0, w = 0;

		if (!(conn->flags & SPLICE_EOF(d))) {
			r = splice(from, NULL, conn->pipe[d][1], NULL,
				   (size_t)c->tcp_splice->pipe_size, fl);
			if (r < 0) {
				/* No data, or no room in the pipe */
				if (errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR)
					return -errno;
				r = 0;
			} else if (r == 0) {
				conn->flags |= SPLICE_EOF(d);
			} else {
				conn->in_pipe[d] += (size_t)r;
			}
		}
		if (conn->in_pipe[d]) {
			w = splice(conn->pipe[d][0], NULL, to, NULL,
				   conn->in_pipe[d], fl);
			if (w < 0) {
				if (errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR)
					return -errno;
				w = 0;
			}
			conn->in_pipe[d] -= (size_t)w;
			conn->bytes[d] += (uint64_t)w;
			if (!w) {
				conn->flags |= SPLICE_BLOCKED(d);
				break;
			}
		}
		if (!r && !w)
			break;
	}

	if (rounds == TCP_SPLICE_ROUNDS && !(conn->flags & SPLICE_EOF(d)) &&
	    !(conn->flags & SPLICE_BLOCKED(d))) {
		/* Still busy: let the others run, come back with an edge */
		int rc = tcp_splice_epoll(c, conn, d,
					  tcp_splice_events(conn, d), true);

		if (rc)
			return rc;
	}

	if ((conn->flags & SPLICE_EOF(d)) && !conn->in_pipe[d] &&
	    !(conn->flags & SPLICE_SHUT(!d))) {
		if (shutdown(to, SHUT_WR) && errno != ENOTCONN)
			return -errno;
		conn->flags |= SPLICE_SHUT(!d);
	}
	return 0;
}

/**
 * tcp_splice_update() - Set epoll events for both sides, close when done
 * @c:		Execution context
 * @conn:	Established pair
 */
static void tcp_splice_update(struct ctx *c, struct tcp_splice_conn *conn)
{
	const uint32_t done = SPLICE_EOF(0) | SPLICE_EOF(1) |
			      SPLICE_SHUT(0) | SPLICE_SHUT(1);
	int i;

	if ((conn->flags & done) == done) {
		tcp_splice_free(c, conn, false);
		return;
	}
	for (i = 0; i < 2; i++) {
		int rc = tcp_splice_epoll(c, conn, i,
					  tcp_splice_events(conn, i), false);

		if (rc) {
			debug("TCP splice: epoll_ctl: %s", strerror_(-rc));
			tcp_splice_free(c, conn, true);
			return;
		}
	}
}

/**
 * tcp_splice_fp_closed() - The fast path closed a pair's sockets
 * @c:		Execution context
 * @p:		Fast-path state, inside a struct tcp_splice_conn
 * @reset:	Closed by a reset
 */
static void tcp_splice_fp_closed(struct ctx *c, struct tcp_fastpath_pair *p,
				 bool reset)
{
	struct tcp_splice_conn *conn = (struct tcp_splice_conn *)
		(void *)((char *)p - offsetof(struct tcp_splice_conn, fp));
	int i;

	for (i = 0; i < 2; i++) {
		conn->bytes[i] += p->bytes[i];
		conn->s[i] = -1;		/* closed already */
		c->tcp_splice->fds--;
	}
	tcp_splice_free(c, conn, reset);
}

/**
 * tcp_splice_fastpath() - Offer a pair to the eBPF fast path
 * @c:		Execution context
 * @conn:	Pair whose sides are both connected, at least
 *		TCP_SPLICE_FP_AFTER_MS old, neither at EOF
 *
 * On -EAGAIN (a pipe couldn't be emptied, or data was queued after a
 * read) the pair stays on splice and is offered again at an event
 * TCP_SPLICE_FP_AFTER_MS later; on any other refusal, never again.
 *
 * Return: true if the fast path took the pair
 */
static bool tcp_splice_fastpath(struct ctx *c, struct tcp_splice_conn *conn)
{
	const int pipe_r[2] = { conn->pipe[0][0], conn->pipe[1][0] };
	uint64_t ref[2];
	size_t flushed[2];
	int i, rc;

	if (!c->tcp_fp)
		return false;
	for (i = 0; i < 2; i++) {
		union epoll_ref r = {
			.type = EPOLL_TYPE_TCP_SPLICE, .fd = conn->s[i],
			.data = tcp_splice_ref_data(c->tcp_splice, conn, i),
		};

		ref[i] = r.u64;
	}
	conn->fp.closed = tcp_splice_fp_closed;
	rc = tcp_fastpath_add(c, &conn->fp, conn->s, ref, pipe_r, flushed);
	for (i = 0; i < 2; i++) {
		conn->in_pipe[i] -= flushed[i];
		conn->bytes[i] += flushed[i];
		/* The flush found side !i full: wait for room, as pump does */
		if (rc && conn->in_pipe[i])
			conn->flags |= SPLICE_BLOCKED(i);
	}
	if (rc == -EAGAIN) {
		/* Data in flight: at a later event, not at every one */
		conn->fp_try = tcp_splice_now_ms(c) + TCP_SPLICE_FP_AFTER_MS;
		return false;
	}
	if (rc) {
		debug("TCP splice: port %u stays on splice: %s", conn->port,
		      strerror_(-rc));
		conn->flags |= SPLICE_FP_NEVER;
		return false;
	}
	conn->flags |= SPLICE_FASTPATH;
	c->tcp_splice->fastpath++;
	return true;
}

/**
 * tcp_splice_bulk_start() - Hand a pair over at the first data of a
 *			   direction, if bulk
 * @c:		Execution context
 * @conn:	Established pair, not in the fast path
 * @side:	Side with an event
 * @events:	Its epoll events
 *
 * The other direction may have carried data already (a request before
 * its response): the handover then works if nothing is left queued on
 * that side, and else is tried again at a later event.
 *
 * #syscalls:pasta ioctl
 *
 * Return: true if the fast path took the pair
 */
static bool tcp_splice_bulk_start(struct ctx *c, struct tcp_splice_conn *conn,
				  int side, uint32_t events)
{
	int q;

	if (!c->tcp_fp || (conn->flags & SPLICE_FP_NEVER) ||
	    conn->bytes[side] || conn->in_pipe[side] ||
	    (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ||
	    !(events & EPOLLIN))
		return false;
	if (ioctl(conn->s[side], SIOCINQ, &q) || q < TCP_SPLICE_FP_BULK)
		return false;
	return tcp_splice_fastpath(c, conn);
}

/**
 * tcp_splice_established() - Both sides connected: start moving data
 * @c:		Execution context
 * @conn:	Pair whose connect() just completed
 */
static void tcp_splice_established(struct ctx *c,
				   struct tcp_splice_conn *conn)
{
	conn->flags &= ~SPLICE_CONNECTING;
	conn->flags |= SPLICE_ESTABLISHED;

	/* Data may already wait on either side, its edges long gone: the
	 * EPOLL_CTL_MOD adding EPOLLIN polls both sockets again and queues
	 * an event for what is ready (ep_modify()), so no splice() here
	 */
	tcp_splice_update(c, conn);
}

/**
 * tcp_splice_sock_handler() - Events on a spliced socket
 * @c:		Execution context
 * @ref:	epoll reference: data is the entry's generation, the pair
 *		index and the side (tcp_splice_ref_data())
 * @events:	epoll events
 *
 * #syscalls:pasta getsockopt
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	uint32_t idx = (ref.data >> 1) & (TCP_SPLICE_MAX - 1);
	int side = (int)(ref.data & 1), rc = 0;
	struct tcp_splice_conn *conn;

	if (!ts)
		return;
	conn = &ts->conn[idx];
	/* An event queued before the pair closed in this same batch */
	if (conn->s[side] != ref.fd || !conn->flags ||
	    conn->gen != ref.data >> TCP_SPLICE_GEN_SHIFT)
		return;

	if (conn->flags & SPLICE_FASTPATH) {
		tcp_fastpath_sock_handler(c, &conn->fp, side, events);
		return;
	}
	if (conn->flags & SPLICE_CONNECTING) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (side == 1 &&
		    getsockopt(conn->s[1], SOL_SOCKET, SO_ERROR, &err, &sl))
			err = errno;
		if (side == 0 || err || (events & (EPOLLERR | EPOLLHUP))) {
			debug("TCP splice: connect to port %u: %s", conn->port,
			      side ? strerror_(err ? err : ECONNRESET) :
				     "client went away");
			tcp_splice_free(c, conn, true);
			return;
		}
		if (events & EPOLLOUT)
			tcp_splice_established(c, conn);
		return;
	}

	if (tcp_splice_bulk_start(c, conn, side, events))
		return;

	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &err, &sl))
			err = errno;
		rc = -(err ? err : ECONNRESET);
	}
	if (!rc && (events & EPOLLOUT))
		rc = tcp_splice_pump(c, conn, !side);
	if (!rc && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
		rc = tcp_splice_pump(c, conn, side);
	if (rc) {
		debug("TCP splice: port %u, %s side: %s", conn->port,
		      side ? "connected" : "accepted", strerror_(-rc));
		tcp_splice_free(c, conn, true);
		return;
	}
	if (c->tcp_fp && !(conn->flags & (SPLICE_FP_NEVER | SPLICE_EOF(0) |
					  SPLICE_EOF(1))) &&
	    tcp_splice_now_ms(c) >= conn->fp_try &&
	    tcp_splice_fastpath(c, conn))
		return;
	tcp_splice_update(c, conn);
}

/**
 * tcp_splice_sockopts() - Options for a spliced socket
 * @s:		Socket
 *
 * Nagle's algorithm only delays here: the peers decide their own segments.
 */
static void tcp_splice_sockopts(int s)
{
	int one = 1;

	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		debug_perror("TCP splice: TCP_NODELAY");
}

/**
 * tcp_splice_connect() - Open side 1 and start connecting it
 * @c:		Execution context
 * @conn:	Pair, side 0 set
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 if connected, -EINPROGRESS if pending, other -errno on failure
 *
 * #syscalls:pasta socket connect setsockopt
 */
static int tcp_splice_connect(struct ctx *c, struct tcp_splice_conn *conn,
			      int af)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(conn->port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(conn->port),
				  .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int s;

	if (conn->ns_to_host) {
		s = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_TCP);
		if (s < 0)
			return -errno;
		c->tcp_splice->fds++;
	} else {
		s = tcp_splice_ns_sock(c, af);
		if (s < 0)
			return s;
	}
	conn->s[1] = s;
	tcp_splice_sockopts(s);
	if (af == AF_INET6 ? connect(s, (struct sockaddr *)&a6, sizeof(a6)) :
			     connect(s, (struct sockaddr *)&a4, sizeof(a4)))
		return -errno;
	return 0;
}

/**
 * tcp_splice_conn_new() - Splice an accepted loopback connection
 * @c:		Execution context
 * @s:		Accepted socket, non-blocking; now ours (closed on failure)
 * @af:		Family to connect with: AF_INET or AF_INET6
 * @port:	Port to connect to on the other side (translated)
 * @ns_to_host:	Accepted in the namespace (-T), connect on the host;
 *		else accepted on the host (-t), connect in the namespace
 *
 * Context: main loop, from tcp_listen_handler() or our -T listeners
 *
 * #syscalls:pasta epoll_ctl
 */
void tcp_splice_conn_new(struct ctx *c, int s, int af, uint16_t port,
			 bool ns_to_host)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	struct tcp_splice_conn *conn;
	uint32_t gen;
	int rc, i;

	ts->fds++;	/* @s */
	if (ts->free < 0 || !tcp_splice_fd_room(c, TCP_SPLICE_FDS - 1)) {
		tcp_splice_pool_drain(c);
		ts->refused++;
		debug("TCP splice: %s, resetting connection to port %u "
		      "(%llu so far)", ts->free < 0 ? "table full" :
		      "too close to the file descriptor limit", port,
		      (unsigned long long)ts->refused);
		tcp_splice_rst(ts, s);
		return;
	}

	conn = &ts->conn[ts->free];
	ts->free = conn->next;
	ts->count++;
	gen = conn->gen + 1;
	memset(conn, 0, sizeof(*conn));
	conn->gen = gen & ((1U << (32 - TCP_SPLICE_GEN_SHIFT)) - 1);
	conn->s[0] = s;
	conn->s[1] = -1;
	conn->pipe[0][0] = conn->pipe[0][1] = -1;
	conn->pipe[1][0] = conn->pipe[1][1] = -1;
	conn->port = port;
	conn->ns_to_host = ns_to_host;
	conn->ts_start = tcp_splice_now_ms(c);
	conn->fp_try = conn->ts_start + TCP_SPLICE_FP_AFTER_MS;
	conn->flags = SPLICE_CONNECTING;
	tcp_splice_sockopts(s);

	for (i = 0; i < 2; i++) {
		rc = tcp_splice_pipe_get(c, conn->pipe[i]);
		if (rc)
			goto fail;
	}
	rc = tcp_splice_connect(c, conn, af);
	if (rc && rc != -EINPROGRESS)
		goto fail;

	for (i = 0; i < 2; i++) {
		union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE,
					.fd = conn->s[i],
					.data = tcp_splice_ref_data(ts, conn, i) };
		struct epoll_event ev = {
			.events = tcp_splice_events(conn, i) | EPOLLET,
			.data.u64 = ref.u64 };

		if (conn->s[i] > EPOLL_REF_FD_MAX) {
			rc = -EBADF;
			goto fail;
		}
		if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, conn->s[i], &ev)) {
			rc = -errno;
			goto fail;
		}
		conn->events[i] = ev.events;
	}
	ts->spliced++;
	if (!rc)
		tcp_splice_established(c, conn);
	return;
fail:
	debug("TCP splice: %s connection to port %u: %s",
	      ns_to_host ? "-T" : "-t", port, strerror_(-rc));
	tcp_splice_free(c, conn, true);
}

/**
 * tcp_splice_loopback() - Family to splice with, for a peer address
 * @sa:		Peer address from accept()
 *
 * Return: AF_INET for 127.0.0.0/8 (also IPv4-mapped), AF_INET6 for ::1,
 *	   0 if the peer is not on loopback (it takes the tap path)
 */
int tcp_splice_loopback(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		struct sockaddr_in a4;

		memcpy(&a4, sa, sizeof(a4));
		return (ntohl(a4.sin_addr.s_addr) >> 24) == IN_LOOPBACKNET ?
		       AF_INET : 0;
	}
	if (sa->ss_family == AF_INET6) {
		struct sockaddr_in6 a6;

		memcpy(&a6, sa, sizeof(a6));
		if (IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr))
			return AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr) &&
		    a6.sin6_addr.s6_addr[12] == IN_LOOPBACKNET)
			return AF_INET;
	}
	return 0;
}

/**
 * tcp_splice_listen_handler() - Accept connections on a -T port
 * @c:		Execution context
 * @ref:	epoll reference: data is the port, TCP_SPLICE_LISTEN_V6 for IPv6
 * @events:	epoll events
 *
 * #syscalls:pasta accept4
 */
void tcp_splice_listen_handler(struct ctx *c, union epoll_ref ref,
			       uint32_t events)
{
	bool v6 = ref.data & TCP_SPLICE_LISTEN_V6;
	uint16_t port = (uint16_t)ref.data;
	int i;

	if (!(events & EPOLLIN) || !c->tcp_splice)
		return;
	for (i = 0; i < TCP_SPLICE_ACCEPT_BATCH; i++) {
		int s = accept4(ref.fd, NULL, NULL,
				SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (s < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug_perror("TCP splice: accept");
			return;
		}
		tcp_splice_conn_new(c, s, v6 ? AF_INET6 : AF_INET,
				    (uint16_t)(port + c->tcp_out.delta[port]),
				    true);
	}
}

/**
 * tcp_splice_listen_one() - Listen on the namespace's loopback for one -T port
 * @c:		Execution context, socket factory running
 * @v6:		IPv6 (::1, or the address given), else 127.0.0.1
 * @port:	Port, host order
 *
 * Return: listening socket, watched by epoll, or -errno
 */
int tcp_splice_listen_open(struct ctx *c, bool v6, uint16_t port)
{
	const struct fwd_ports *fwd = &c->tcp_out;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int s, rc;

	if (fwd->addr_family == AF_INET && fwd->addr4.s_addr)
		a4.sin_addr = fwd->addr4;
	if (fwd->addr_family == AF_INET6 &&
	    !IN6_IS_ADDR_UNSPECIFIED(&fwd->addr6))
		a6.sin6_addr = fwd->addr6;
	s = ns_sock(c, v6 ? AF_INET6 : AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return s;
	rc = sock_bind_fwd(s, v6, &a4, &a6, fwd->ifname);
	if (rc || listen(s, SOMAXCONN)) {
		rc = rc ? rc : -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_LISTEN_NS, s,
			   (uint32_t)port | (v6 ? TCP_SPLICE_LISTEN_V6 : 0));
	if (rc) {
		close(s);
		return rc;
	}
	c->tcp_splice->fds++;
	return s;
}

/**
 * tcp_splice_listen_one() - Listen on the namespace's loopback for one -T port
 * @c:		Execution context, socket factory running
 * @v6:		IPv6, else IPv4
 * @port:	Port, host order
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_splice_listen_one(struct ctx *c, bool v6, uint16_t port)
{
	int s = tcp_splice_listen_open(c, v6, port);

	return s < 0 ? s : 0;
}

/**
 * tcp_splice_listen_init() - Listen in the namespace for every -T port
 * @c:		Execution context
 *
 * Context: setup; exits if a port can't be bound for any IP version
 */
static void tcp_splice_listen_init(struct ctx *c)
{
	const struct fwd_ports *fwd = &c->tcp_out;
	unsigned port;

	if (fwd->mode != FWD_SPEC)
		return;
	for (port = 0; port < NUM_PORTS; port++) {
		int rc4, rc6;

		if (!fwd_port_isset(fwd, port))
			continue;
		rc4 = rc6 = -EAFNOSUPPORT;
		if (!c->ipv6_only && fwd->addr_family != AF_INET6)
			rc4 = tcp_splice_listen_one(c, false, (uint16_t)port);
		if (!c->ipv4_only && fwd->addr_family != AF_INET)
			rc6 = tcp_splice_listen_one(c, true, (uint16_t)port);
		if (rc4 && rc6)
			die("-T: can't bind TCP port %u in the namespace: %s",
			    port, strerror_(rc4 != -EAFNOSUPPORT ? -rc4 : -rc6));
		if (rc4 && rc4 != -EAFNOSUPPORT)
			warn("-T: can't bind TCP port %u for IPv4: %s", port,
			     strerror_(-rc4));
		if (rc6 && rc6 != -EAFNOSUPPORT)
			warn("-T: can't bind TCP port %u for IPv6: %s", port,
			     strerror_(-rc6));
	}
}

/**
 * tcp_splice_count_fds() - Count the descriptors open right now
 *
 * Since Linux 6.2, the size of /proc/self/fd is the count: listing 16000
 * listeners (-t of 8000 ports) took 38 ms here, stat() takes microseconds.
 *
 * Return: number of entries in /proc/self/fd, or 64 if it can't be read
 */
static int tcp_splice_count_fds(void)
{
	struct stat st;
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (!stat("/proc/self/fd", &st) && st.st_size > 0 &&
	    st.st_size < INT_MAX)
		return (int)st.st_size;
	d = opendir("/proc/self/fd");
	if (!d)
		return 64;
	/* cppcheck-suppress readdirCalled ; one thread, at start */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/**
 * tcp_splice_pipe_size() - Find the largest pipe size we may set
 *
 * Return: pipe size in bytes: TCP_SPLICE_PIPE_SIZE, halved until
 *	   F_SETPIPE_SZ accepts it, or the default size of a new pipe
 */
static int tcp_splice_pipe_size(void)
{
	int p[2], size, dflt;

	if (pipe2(p, O_CLOEXEC))
		return 65536;
	dflt = fcntl(p[0], F_GETPIPE_SZ);
	for (size = TCP_SPLICE_PIPE_SIZE; size >= TCP_SPLICE_PIPE_MIN;
	     size /= 2) {
		int got = fcntl(p[0], F_SETPIPE_SZ, size);

		if (got >= size) {
			close(p[0]);
			close(p[1]);
			return got;
		}
	}
	close(p[0]);
	close(p[1]);
	return dflt > 0 ? dflt : 65536;
}

/**
 * tcp_splice_init() - Set up the local bypass: table, limits, -T listeners
 * @c:		Execution context, pasta mode, TCP enabled, factory running
 *
 * Context: setup, after tcp_init() raised RLIMIT_NOFILE
 * Return: 0 on success (or nothing to do), -ENOMEM
 */
int tcp_splice_init(struct ctx *c)
{
	struct tcp_splice_ctx *ts;
	struct rlimit rl;
	int i;

	if (c->mode != MODE_PASTA || c->no_tcp)
		return 0;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	ts->conn = calloc(TCP_SPLICE_MAX, sizeof(*ts->conn));
	if (!ts->conn) {
		free(ts);
		return -ENOMEM;
	}
	for (i = 0; i < TCP_SPLICE_MAX; i++) {
		ts->conn[i].s[0] = ts->conn[i].s[1] = -1;
		ts->conn[i].next = i + 1 < TCP_SPLICE_MAX ? i + 1 : -1;
	}
	ts->free = 0;
	ts->pipe_size = tcp_splice_pipe_size();
	ts->fd_limit = 1024;
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		ts->fd_limit = rl.rlim_cur > (rlim_t)1 << 30 ? 1L << 30 :
			       (long)rl.rlim_cur;
	ts->fd_base = tcp_splice_count_fds();
	c->tcp_splice = ts;
	debug("TCP splice: pipes of %d bytes, descriptor limit %ld, %d open",
	      ts->pipe_size, ts->fd_limit, ts->fd_base);

	tcp_splice_listen_init(c);
	tcp_splice_timer(c);
	return 0;
}

/**
 * tcp_splice_timer() - Reset stuck connects, refill the pools
 * @c:		Execution context
 *
 * Context: once a second, and at start.  The pools are only filled while
 * descriptors are plentiful; namespace sockets only if -t forwards ports.
 */
void tcp_splice_timer(struct ctx *c)
{
	struct tcp_splice_ctx *ts = c->tcp_splice;
	long long now = tcp_splice_now_ms(c);
	int i;

	if (!ts)
		return;
	for (i = 0; ts->count && i < TCP_SPLICE_MAX; i++) {
		struct tcp_splice_conn *conn = &ts->conn[i];

		if ((conn->flags & SPLICE_CONNECTING) &&
		    now - conn->ts_start > TCP_SPLICE_CONNECT_MS) {
			debug("TCP splice: connect to port %u timed out",
			      conn->port);
			tcp_splice_free(c, conn, true);
		}
	}
	if (!tcp_splice_fd_room(c, 4 * TCP_SPLICE_FDS + 2 * NS_SOCK_BATCH)) {
		tcp_splice_pool_drain(c);
		return;
	}
	while (ts->pool.npipes < TCP_SPLICE_PIPE_POOL) {
		int *p = ts->pool.pipes[ts->pool.npipes];

		if (tcp_splice_pipe_new(c, p))
			break;
		ts->pool.npipes++;
	}
	if (c->tcp_in.mode != FWD_SPEC || !TCP_SPLICE_POOL)
		return;
	if (!c->ipv6_only)
		tcp_splice_ns_refill(c, AF_INET, TCP_SPLICE_POOL);
	if (!c->ipv4_only)
		tcp_splice_ns_refill(c, AF_INET6, TCP_SPLICE_POOL);
}
