// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_auto.c - pasta's automatic port forwarding (-t/-u/-T/-U auto)
 *
 * Theory of operation: `auto` is pasta's default for all four directions.
 * For each direction in auto mode, a periodic scan (port_scan.c, inet_diag)
 * of the *other* side finds the ports bound there, and we bind the same
 * port numbers on *this* side, so that clients here reach the service
 * there:
 *
 *	-t auto		namespace TCP listeners -> host listeners
 *	-u auto		namespace UDP sockets -> host sockets
 *	-T auto		host TCP listeners -> namespace listeners
 *	-U auto		host UDP sockets -> namespace sockets
 *
 * Without -u (-U), UDP also forwards the port numbers TCP forwards
 * automatically in the same direction, as it does for TCP port lists.
 *
 * Ports are never translated, and a port bound for IPv6 only is forwarded
 * for IPv4 as well (and the other way around): each forwarded port gets a
 * socket per IP version enabled.  The sockets themselves belong to the
 * protocol code (tcp_listen_open(), udp_listen_open()), so connections and
 * datagrams take exactly the path of statically forwarded ports (-t 80).
 *
 * Each scan is diffed against the ports we forward: new ports are bound,
 * ports gone are closed, the rest is left alone.  The port map of the
 * direction (c->tcp_in.map...) follows, so fwd_port_isset() tells, in auto
 * mode too, which ports are forwarded right now.  A port we can't bind (a
 * host process has it) is retried at every scan, and reported once.
 *
 * Our own sockets must never count as services, or a port forwarded with
 * -t auto would come back with -T auto, forever.  The kernel reports the
 * inode of every socket, so we skip: the inodes of the sockets forwarding
 * the opposite direction (recorded when we open them), and the inodes of
 * every socket we had at the end of setup (static -t/-u/-T/-U sockets,
 * found through /proc/self/fd while we can still read it).  Sockets we make
 * later either don't listen (TCP connections) or are connected (UDP flows,
 * state TCP_ESTABLISHED, which port_scan() doesn't report).
 *
 * The rescan period, FWD_AUTO_INTERVAL_MS (100 ms), makes a new service
 * reachable in 100 ms at most (upstream: one second).  One scan of one side
 * costs two sock_diag dumps, about 60 us with a few sockets and 600 us with
 * 1000 listeners (tests/bench/port_scan.sh; reading /proc/net/tcp{,6}
 * takes 10 to 14 ms of CPU on the same machine whatever the count).
 * Measured on a whole pasta, idle, all four directions scanning: 0.35% of
 * a CPU.  With thousands of sockets, a round of scans may take
 * milliseconds: the period then stretches to FWD_AUTO_DUTY times the last
 * round (so that scanning takes about 1% of a CPU at most), up to
 * FWD_AUTO_INTERVAL_MAX_MS.
 */

#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "epoll_ref.h"
#include "fwd_auto.h"
#include "log.h"
#include "ns_sock.h"
#include "port_scan.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define FWD_AUTO_OWN_MAX	4096	/* sockets remembered from setup */

/**
 * enum fwd_auto_dir - forwarding directions: ^ 1 gives the opposite one
 * @FWD_AUTO_TCP_IN:	-t: namespace listeners mirrored on the host
 * @FWD_AUTO_TCP_OUT:	-T: host listeners mirrored in the namespace
 * @FWD_AUTO_UDP_IN:	-u: namespace UDP sockets mirrored on the host
 * @FWD_AUTO_UDP_OUT:	-U: host UDP sockets mirrored in the namespace
 * @FWD_AUTO_NUM_DIR:	Sentinel
 */
enum fwd_auto_dir {
	FWD_AUTO_TCP_IN = 0,
	FWD_AUTO_TCP_OUT,
	FWD_AUTO_UDP_IN,
	FWD_AUTO_UDP_OUT,
	FWD_AUTO_NUM_DIR,
};

static const char *const fwd_auto_opt[] = {
	[FWD_AUTO_TCP_IN]	= "-t",
	[FWD_AUTO_TCP_OUT]	= "-T",
	[FWD_AUTO_UDP_IN]	= "-u",
	[FWD_AUTO_UDP_OUT]	= "-U",
};
_Static_assert(ARRAY_SIZE(fwd_auto_opt) == FWD_AUTO_NUM_DIR,
	       "fwd_auto_opt must name every direction");

/**
 * struct fwd_auto_port - sockets forwarding one port
 * @fd:		Socket per IP version (0: IPv4, 1: IPv6), -1 if none
 * @ino:	Inode of each socket, as inet_diag reports it
 */
struct fwd_auto_port {
	int fd[2];
	uint32_t ino[2];
};

/**
 * struct fwd_auto_state - one direction in auto mode
 * @on:		Direction in auto mode, and scanning
 * @follow_tcp:	UDP only: also forward the ports TCP forwards in the same
 *		direction (-u, -U not given: pasta(1))
 * @active:	Bitmap: ports forwarded now (entries in @port valid)
 * @warned:	Bitmap: ports we failed to bind, reported once
 * @port:	Sockets per port, NUM_PORTS entries (allocated if @on)
 */
struct fwd_auto_state {
	bool on;
	bool follow_tcp;
	uint8_t active[NUM_PORTS / 8];
	uint8_t warned[NUM_PORTS / 8];
	struct fwd_auto_port *port;
};

/**
 * struct fwd_auto_ctx - automatic forwarding state, reached as c->fwd_auto
 * @nl_host:	NETLINK_SOCK_DIAG socket in our namespace, -1 if unused
 * @nl_ns:	NETLINK_SOCK_DIAG socket in the target namespace, -1 if unused
 * @timerfd:	Rescan timer
 * @interval_ms: Current period of @timerfd
 * @n_own:	Entries in @own
 * @own:	Sorted inodes of the sockets we had at the end of setup
 * @seen:	Scratch bitmap: ports found by the current scan
 * @dir:	Per direction state
 */
struct fwd_auto_ctx {
	int nl_host;
	int nl_ns;
	int timerfd;
	long interval_ms;
	size_t n_own;
	uint32_t own[FWD_AUTO_OWN_MAX];
	uint8_t seen[NUM_PORTS / 8];
	struct fwd_auto_state dir[FWD_AUTO_NUM_DIR];
};

/**
 * struct fwd_auto_skip_arg - what fwd_auto_skip() needs
 * @a:		Automatic forwarding state
 * @d:		Direction being scanned
 */
struct fwd_auto_skip_arg {
	const struct fwd_auto_ctx *a;
	enum fwd_auto_dir d;
};

/**
 * fwd_auto_fwd() - Forwarding specification of a direction
 * @c:		Execution context
 * @d:		Direction
 *
 * Return: c->tcp_in, c->tcp_out, c->udp_in or c->udp_out
 */
static struct fwd_ports *fwd_auto_fwd(struct ctx *c, enum fwd_auto_dir d)
{
	switch (d) {
	case FWD_AUTO_TCP_IN:
		return &c->tcp_in;
	case FWD_AUTO_TCP_OUT:
		return &c->tcp_out;
	case FWD_AUTO_UDP_IN:
		return &c->udp_in;
	default:
		return &c->udp_out;
	}
}

/**
 * fwd_auto_tcp() - Is a direction about TCP
 * @d:		Direction
 *
 * Return: true for -t and -T
 */
static bool fwd_auto_tcp(enum fwd_auto_dir d)
{
	return d == FWD_AUTO_TCP_IN || d == FWD_AUTO_TCP_OUT;
}

/**
 * fwd_auto_in() - Does a direction bind on the host (scan the namespace)
 * @d:		Direction
 *
 * Return: true for -t and -u
 */
static bool fwd_auto_in(enum fwd_auto_dir d)
{
	return d == FWD_AUTO_TCP_IN || d == FWD_AUTO_UDP_IN;
}

/**
 * fwd_auto_bit() - Test a bit of a port bitmap
 * @map:	Bitmap of NUM_PORTS bits
 * @port:	Port
 *
 * Return: true if set
 */
static bool fwd_auto_bit(const uint8_t *map, unsigned port)
{
	return map[port / 8] & (1U << (port % 8));
}

/**
 * fwd_auto_bit_set() - Set or clear a bit of a port bitmap
 * @map:	Bitmap of NUM_PORTS bits
 * @port:	Port
 * @on:		Set if true, clear if false
 */
static void fwd_auto_bit_set(uint8_t *map, unsigned port, bool on)
{
	if (on)
		map[port / 8] |= (uint8_t)(1U << (port % 8));
	else
		map[port / 8] &= (uint8_t)~(1U << (port % 8));
}

/**
 * fwd_auto_ino_cmp() - Compare two inode numbers, for qsort() and bsearch()
 * @a:		First inode
 * @b:		Second inode
 *
 * Return: negative, zero or positive as @a is below, equal to or above @b
 */
static int fwd_auto_ino_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/**
 * fwd_auto_skip() - Leave our own sockets out of a scan
 * @arg:	struct fwd_auto_skip_arg
 * @port:	Port of the socket found
 * @ino:	Its inode
 *
 * Return: true if the socket is ours
 */
static bool fwd_auto_skip(const void *arg, uint16_t port, uint32_t ino)
{
	const struct fwd_auto_skip_arg *s = arg;
	const struct fwd_auto_state *rev = &s->a->dir[s->d ^ 1];

	if (rev->on && fwd_auto_bit(rev->active, port) &&
	    (rev->port[port].ino[0] == ino || rev->port[port].ino[1] == ino))
		return true;
	return bsearch(&ino, s->a->own, s->a->n_own, sizeof(ino),
		       fwd_auto_ino_cmp) != NULL;
}

/**
 * fwd_auto_own_init() - Remember the inodes of every socket we have now
 * @a:		Automatic forwarding state
 *
 * Context: setup, before sandboxing (needs /proc)
 */
static void fwd_auto_own_init(struct fwd_auto_ctx *a)
{
	DIR *dir = opendir("/proc/self/fd");
	const struct dirent *de;

	a->n_own = 0;
	if (!dir) {
		warn_perror("auto forwarding: can't list /proc/self/fd, our "
			    "static forwards may be mirrored back");
		return;
	}
	/* Single-threaded: readdir_r() is deprecated, readdir() is fine */
	// cppcheck-suppress readdirCalled
	while ((de = readdir(dir)) && a->n_own < FWD_AUTO_OWN_MAX) {
		struct stat st;
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd == dirfd(dir))
			continue;
		if (fstat((int)fd, &st) || !S_ISSOCK(st.st_mode))
			continue;
		a->own[a->n_own++] = (uint32_t)st.st_ino;
	}
	closedir(dir);
	qsort(a->own, a->n_own, sizeof(a->own[0]), fwd_auto_ino_cmp);
}

/**
 * fwd_auto_open() - Open the socket forwarding one port for one IP version
 * @c:		Execution context
 * @d:		Direction
 * @v6:		IPv6
 * @port:	Port
 *
 * Return: socket, watched by epoll with its protocol's type, or -errno
 */
static int fwd_auto_open(struct ctx *c, enum fwd_auto_dir d, bool v6,
			 uint16_t port)
{
	if (fwd_auto_tcp(d))
		return tcp_listen_open(c, !fwd_auto_in(d), v6, port);
	return udp_listen_open(c, !fwd_auto_in(d), v6, port);
}

/**
 * fwd_auto_close() - Stop forwarding a port
 * @c:		Execution context
 * @d:		Direction
 * @port:	Port, active in @d
 *
 * #syscalls:pasta close
 */
static void fwd_auto_close(struct ctx *c, enum fwd_auto_dir d, uint16_t port)
{
	struct fwd_auto_state *st = &c->fwd_auto->dir[d];
	struct fwd_auto_port *p = &st->port[port];
	int v;

	for (v = 0; v < 2; v++) {
		if (p->fd[v] < 0)
			continue;
		if (fwd_auto_tcp(d))
			close(p->fd[v]);
		else
			udp_listen_close(c, p->fd[v]);
		p->fd[v] = -1;
		p->ino[v] = 0;
	}
	fwd_auto_bit_set(st->active, port, false);
	fwd_auto_bit_set(st->warned, port, false);
	fwd_auto_bit_set(fwd_auto_fwd(c, d)->map, port, false);
	debug("auto forwarding: %s port %u no longer forwarded",
	      fwd_auto_opt[d], port);
}

/**
 * fwd_auto_add() - Start forwarding a port, for each IP version enabled
 * @c:		Execution context
 * @d:		Direction
 * @port:	Port, not active in @d
 *
 * Return: 0 if at least one socket is open, -errno of the failure if none
 *
 * #syscalls:pasta fstat newfstatat
 */
static int fwd_auto_add(struct ctx *c, enum fwd_auto_dir d, uint16_t port)
{
	struct fwd_auto_state *st = &c->fwd_auto->dir[d];
	struct fwd_auto_port *p = &st->port[port];
	int v, rc = -EAFNOSUPPORT, n = 0;

	for (v = 0; v < 2; v++) {
		struct stat sb;
		int fd;

		p->fd[v] = -1;
		p->ino[v] = 0;
		if (!(v ? c->ifi6 : c->ifi4))
			continue;
		fd = fwd_auto_open(c, d, v, port);
		if (fd < 0) {
			rc = fd;
			continue;
		}
		p->fd[v] = fd;
		if (!fstat(fd, &sb))
			p->ino[v] = (uint32_t)sb.st_ino;
		n++;
	}
	if (!n) {
		if (!fwd_auto_bit(st->warned, port))
			debug("auto forwarding: %s can't bind port %u: %s",
			      fwd_auto_opt[d], port, strerror_(-rc));
		fwd_auto_bit_set(st->warned, port, true);
		return rc;
	}
	fwd_auto_bit_set(st->active, port, true);
	fwd_auto_bit_set(fwd_auto_fwd(c, d)->map, port, true);
	debug("auto forwarding: %s port %u forwarded", fwd_auto_opt[d], port);
	return 0;
}

/**
 * fwd_auto_scan() - Scan the other side of one direction, apply the diff
 * @c:		Execution context
 * @d:		Direction, on
 */
static void fwd_auto_scan(struct ctx *c, enum fwd_auto_dir d)
{
	struct fwd_auto_ctx *a = c->fwd_auto;
	struct fwd_auto_state *st = &a->dir[d];
	struct fwd_auto_skip_arg arg = { a, d };
	int nl = fwd_auto_in(d) ? a->nl_ns : a->nl_host;
	size_t i;
	int rc;

	memset(a->seen, 0, sizeof(a->seen));
	rc = port_scan(nl, fwd_auto_tcp(d) ? IPPROTO_TCP : IPPROTO_UDP,
		       fwd_auto_skip, &arg, a->seen);
	if (rc < 0) {
		/* Keep what we have: a failed scan says nothing */
		debug("auto forwarding: %s scan failed: %s", fwd_auto_opt[d],
		      strerror_(-rc));
		return;
	}
	if (st->follow_tcp && a->dir[d - 2].on) {
		/* Scanned just before us: what TCP forwards right now */
		for (i = 0; i < sizeof(a->seen); i++)
			a->seen[i] |= a->dir[d - 2].active[i];
	}

	for (i = 0; i < sizeof(a->seen); i++) {
		unsigned diff = a->seen[i] ^ st->active[i], b;

		for (b = 0; diff && b < 8; b++) {
			uint16_t port = (uint16_t)(i * 8 + b);

			if (!(diff & (1U << b)))
				continue;
			if (!port)
				continue;
			if (fwd_auto_bit(a->seen, port)) {
				rc = fwd_auto_add(c, d, port);
				if (rc == -EOPNOTSUPP) {
					debug("auto forwarding: %s not "
					      "available in this build",
					      fwd_auto_opt[d]);
					st->on = false;
					return;
				}
			} else {
				fwd_auto_close(c, d, port);
			}
		}
	}
}

/**
 * fwd_auto_interval() - Set the rescan period
 * @a:		Automatic forwarding state
 * @ms:		Period, milliseconds, below 1000
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta timerfd_settime
 */
static int fwd_auto_interval(struct fwd_auto_ctx *a, long ms)
{
	struct itimerspec its = { { 0, ms * 1000000L }, { 0, ms * 1000000L } };

	if (timerfd_settime(a->timerfd, 0, &its, NULL))
		return -errno;
	a->interval_ms = ms;
	return 0;
}

/**
 * fwd_auto_handler() - Rescan and update every direction in auto mode
 * @c:		Execution context
 *
 * #syscalls:pasta read clock_gettime
 */
void fwd_auto_handler(struct ctx *c)
{
	struct fwd_auto_ctx *a = c->fwd_auto;
	struct timespec t0, t1;
	uint64_t expirations;
	long us, ms;
	int d;

	if (!a)
		return;
	if (read(a->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		debug_perror("auto forwarding: timerfd");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (d = 0; d < FWD_AUTO_NUM_DIR; d++) {
		if (a->dir[d].on)
			fwd_auto_scan(c, (enum fwd_auto_dir)d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* Wall time: under load, scanning slows down too, which is fine */
	us = (long)(t1.tv_sec - t0.tv_sec) * 1000000L +
	     (t1.tv_nsec - t0.tv_nsec) / 1000L;
	ms = us * FWD_AUTO_DUTY / 1000L;
	ms = (ms + 49) / 50 * 50;	/* 50 ms steps: few timer updates */
	ms = MIN(MAX(ms, FWD_AUTO_INTERVAL_MS), FWD_AUTO_INTERVAL_MAX_MS - 1);
	/* Slow down at once, speed up only on a clear change (halving) */
	if (ms > a->interval_ms || ms <= a->interval_ms / 2) {
		debug("auto forwarding: scans took %ld us, rescanning every "
		      "%ld ms", us, ms);
		if (fwd_auto_interval(a, ms))
			debug_perror("auto forwarding: timerfd_settime");
	}
}

/**
 * fwd_auto_wanted() - Apply pasta's default and tell if a direction is auto
 * @c:		Execution context
 * @d:		Direction, TCP ones first
 * @follow:	Set for a UDP direction not given on the command line, if
 *		TCP in the same direction is automatic: as with port lists,
 *		UDP then forwards the TCP port numbers too
 *
 * Return: true if @d is in auto mode and its protocol is enabled
 */
static bool fwd_auto_wanted(struct ctx *c, enum fwd_auto_dir d, bool *follow)
{
	struct fwd_ports *fwd = fwd_auto_fwd(c, d);

	*follow = false;
	if (fwd->mode == FWD_UNSET) {
		fwd->mode = FWD_AUTO;
		fwd->addr_family = AF_UNSPEC;
		*follow = !fwd_auto_tcp(d) && !c->no_tcp &&
			  fwd_auto_fwd(c, d - 2)->mode == FWD_AUTO;
	}
	if (fwd->mode != FWD_AUTO)
		return false;
	return fwd_auto_tcp(d) ? !c->no_tcp : !c->no_udp;
}

/**
 * fwd_auto_sockets() - Open the netlink sockets the directions on need
 * @c:		Execution context
 * @a:		Automatic forwarding state, directions chosen
 *
 * Context: setup, before sandboxing
 * Return: 0 on success, -errno on failure
 */
static int fwd_auto_sockets(const struct ctx *c, struct fwd_auto_ctx *a)
{
	bool host = a->dir[FWD_AUTO_TCP_OUT].on || a->dir[FWD_AUTO_UDP_OUT].on;
	bool ns = a->dir[FWD_AUTO_TCP_IN].on || a->dir[FWD_AUTO_UDP_IN].on;

	if (host) {
		a->nl_host = port_scan_open();
		if (a->nl_host < 0)
			return a->nl_host;
	}
	if (ns) {
		int rc;

		a->nl_ns = ns_sock(c, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				   NETLINK_SOCK_DIAG);
		if (a->nl_ns < 0)
			return a->nl_ns;
		rc = port_scan_setup(a->nl_ns);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * fwd_auto_init() - Set up automatic forwarding for directions in auto mode
 * @c:		Execution context, pasta mode, namespace socket factory
 *		running, static forwards (tcp_init(), udp_init()) bound
 *
 * A direction not given on the command line defaults to auto (pasta(1)).
 * Scans once at once, so that services already there are forwarded by
 * the time the spawned command or the caller goes on.
 *
 * Context: setup, before sandboxing; must run after every socket bound
 * for static forwarding exists
 * Return: 0 on success (also if nothing is in auto mode), -errno on failure
 */
int fwd_auto_init(struct ctx *c)
{
	struct fwd_auto_ctx *a;
	bool any = false;
	int d, rc;

	if (c->mode != MODE_PASTA)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->nl_host = a->nl_ns = a->timerfd = -1;
	for (d = 0; d < FWD_AUTO_NUM_DIR; d++) {
		struct fwd_auto_state *st = &a->dir[d];

		if (!fwd_auto_wanted(c, (enum fwd_auto_dir)d,
				     &st->follow_tcp))
			continue;
		/* calloc(): pages stay untouched until a port is used */
		st->port = calloc(NUM_PORTS, sizeof(*st->port));
		if (!st->port) {
			rc = -ENOMEM;
			goto err_free;
		}
		st->on = any = true;
	}
	if (!any) {
		free(a);
		return 0;
	}

	rc = fwd_auto_sockets(c, a);
	if (rc)
		goto err_close;
	a->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->timerfd < 0) {
		rc = -errno;
		goto err_close;
	}
	rc = fwd_auto_interval(a, FWD_AUTO_INTERVAL_MS);
	if (rc)
		goto err_close;
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_FWD_AUTO,
			   a->timerfd, 0);
	if (rc)
		goto err_close;

	fwd_auto_own_init(a);
	c->fwd_auto = a;
	debug("auto forwarding: rescanning every %d ms, %zu own sockets "
	      "excluded", FWD_AUTO_INTERVAL_MS, a->n_own);
	for (d = 0; d < FWD_AUTO_NUM_DIR; d++) {
		if (a->dir[d].on)
			fwd_auto_scan(c, (enum fwd_auto_dir)d);
	}
	return 0;

err_close:
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->nl_ns >= 0)
		close(a->nl_ns);
	if (a->nl_host >= 0)
		close(a->nl_host);
err_free:
	for (d = 0; d < FWD_AUTO_NUM_DIR; d++)
		free(a->dir[d].port);
	free(a);
	return rc;
}
