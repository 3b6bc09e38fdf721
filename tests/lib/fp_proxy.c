// SPDX-License-Identifier: GPL-2.0-or-later
/* fp_proxy.c - test driver: a TCP proxy handing its pairs to the fast path
 *
 * Accepts connections on a listening address, connects each one to a
 * target (optionally from inside another network namespace, so that both
 * ends can be 127.0.0.1 of different namespaces, as for pasta), and moves
 * the data with the daemon's own modules: loader/fastpath.c and
 * user/tcp_fastpath.c.  Modes:
 *   fast    hand each pair to the fast path at once
 *   splice  relay with splice() only, never the fast path
 *   switch  splice until a connection carried --switch-after bytes, then
 *	     hand it over with whatever its pipes hold
 * A pair the fast path refuses stays on splice.  After --count connections
 * ended (or on SIGTERM), prints the counters as "key=value" lines.
 *
 * Usage: fp_proxy --listen ADDR:PORT --connect ADDR:PORT [--connect-ns PATH]
 *		   [--mode fast|splice|switch] [--switch-after BYTES]
 *		   [--count N] [--ready FILE] [--no-bpf] [--hwm BYTES] [-d]
 * ADDR is IPv4, or IPv6 in brackets.  --hwm 0 turns flow control off, to
 * measure what it saves.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "fastpath.h"
#include "log.h"
#include "tcp_fastpath.h"
#include "util.h"

#define FPX_CONNS	1024
#define FPX_PIPE_SIZE	(1 << 20)

/**
 * enum fpx_mode - how connections are carried
 * @FPX_FAST:	Fast path from the start
 * @FPX_SPLICE:	splice() only
 * @FPX_SWITCH:	splice(), then the fast path
 */
enum fpx_mode {
	FPX_FAST,
	FPX_SPLICE,
	FPX_SWITCH,
};

/**
 * struct fpx_conn - one proxied connection
 * @used:	Slot in use
 * @fast:	In the fast path: @fp owns the sockets
 * @refused:	The fast path refused it: don't offer it again
 * @fd:		Accepted socket (0) and outgoing socket (1)
 * @pipe:	Pipe per direction, [d][0] read end, [d][1] write end
 * @inpipe:	Bytes in each pipe
 * @eof:	Read EOF per socket
 * @shut:	We shut the socket for writing
 * @events:	epoll events watched per socket, 0 if removed
 * @spliced:	Bytes spliced so far, both directions
 * @fp:		Fast-path pair state
 */
struct fpx_conn {
	bool used;
	bool fast;
	bool refused;
	int fd[2];
	int pipe[2][2];
	size_t inpipe[2];
	bool eof[2];
	bool shut[2];
	uint32_t events[2];
	uint64_t spliced;
	struct tcp_fastpath_pair fp;
};

/**
 * struct fpx - driver state
 * @c:		Daemon context, for the modules under test
 * @mode:	enum fpx_mode
 * @switch_after: Bytes spliced before switching (FPX_SWITCH)
 * @count:	Stop after this many connections ended, 0: never
 * @ended:	Connections ended so far
 * @fast:	Pairs the fast path took
 * @refused:	Pairs it refused (stayed on splice)
 * @resets:	Connections ended by a reset
 * @handover_pipe_bytes: Bytes the pipes held when pairs were handed over
 * @max_backlog: Largest backlog a fast-path pair saw
 * @sndbuf:	SO_SNDBUF of the last pair handed over, read back right after
 * @listen_fd:	Listening socket
 * @dst:	Target address
 * @dst_len:	Its length
 * @ns_fd:	Namespace to connect from, -1 for ours
 * @own_ns:	Our own namespace, -1 if @ns_fd is -1
 * @conns:	Connection table
 */
struct fpx {
	struct ctx c;
	enum fpx_mode mode;
	uint64_t switch_after;
	unsigned count;
	unsigned ended;
	unsigned fast;
	unsigned refused;
	unsigned resets;
	uint64_t handover_pipe_bytes;
	uint64_t max_backlog;
	int sndbuf;
	int listen_fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int ns_fd;
	int own_ns;
	struct fpx_conn conns[FPX_CONNS];
};

/**
 * fpx_addr() - Parse ADDR:PORT, IPv6 in brackets
 * @s:		Text
 * @ss:		Filled
 * @len:	Set to the address length
 */
static void fpx_addr(const char *s, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	char buf[128];
	char *port;

	snprintf(buf, sizeof(buf), "%s", s);
	port = strrchr(buf, ':');
	if (!port)
		die("bad address %s", s);
	*port++ = '\0';
	memset(ss, 0, sizeof(*ss));
	if (buf[0] == '[') {
		buf[strlen(buf) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(port));
		if (inet_pton(AF_INET6, buf + 1, &a6->sin6_addr) != 1)
			die("bad address %s", s);
		*len = sizeof(*a6);
		return;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, buf, &a4->sin_addr) != 1)
		die("bad address %s", s);
	*len = sizeof(*a4);
}

/**
 * fpx_ref() - epoll data for one socket of a connection
 * @idx:	Connection index
 * @side:	0 or 1
 * @fd:		Socket
 *
 * Return: epoll_ref as u64
 */
static uint64_t fpx_ref(unsigned idx, int side, int fd)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP, .fd = fd,
				.data = idx << 1 | (unsigned)side };

	return ref.u64;
}

/**
 * fpx_watch() - Update the events watched on one socket of a splice conn
 * @x:		Driver state
 * @idx:	Connection index
 * @i:		Socket index
 */
static void fpx_watch(struct fpx *x, unsigned idx, int i)
{
	struct fpx_conn *cn = &x->conns[idx];
	struct epoll_event ev = { .data.u64 = fpx_ref(idx, i, cn->fd[i]) };
	uint32_t want = 0;

	if (!cn->events[i])
		return;
	if (cn->eof[i] && cn->shut[i]) {
		epoll_ctl(x->c.epollfd, EPOLL_CTL_DEL, cn->fd[i], NULL);
		cn->events[i] = 0;
		return;
	}
	if (!cn->eof[i] && cn->inpipe[i] < FPX_PIPE_SIZE)
		want |= EPOLLIN | EPOLLRDHUP;
	if (cn->inpipe[!i])
		want |= EPOLLOUT;
	if (!want)
		want = EPOLLERR;
	if (want == cn->events[i])
		return;
	ev.events = want;
	if (epoll_ctl(x->c.epollfd, EPOLL_CTL_MOD, cn->fd[i], &ev))
		die_perror("epoll_ctl");
	cn->events[i] = want;
}

/**
 * fpx_free() - Release a connection slot and its pipes
 * @x:		Driver state
 * @cn:		Connection
 * @reset:	Ended by a reset
 */
static void fpx_free(struct fpx *x, struct fpx_conn *cn, bool reset)
{
	int d;

	for (d = 0; d < 2; d++) {
		if (cn->pipe[d][0] >= 0)
			close(cn->pipe[d][0]);
		if (cn->pipe[d][1] >= 0)
			close(cn->pipe[d][1]);
		cn->pipe[d][0] = cn->pipe[d][1] = -1;
	}
	cn->used = false;
	x->ended++;
	if (reset)
		x->resets++;
	if (x->count && x->ended >= x->count)
		x->c.done = true;
}

/**
 * fpx_fp_closed() - The fast path closed a pair
 * @c:		Context (first member of struct fpx)
 * @p:		Pair, inside a struct fpx_conn
 * @reset:	By a reset
 */
static void fpx_fp_closed(struct ctx *c, struct tcp_fastpath_pair *p,
			  bool reset)
{
	struct fpx *x = (struct fpx *)c;
	struct fpx_conn *cn = (struct fpx_conn *)((char *)p -
				offsetof(struct fpx_conn, fp));

	x->max_backlog = MAX(x->max_backlog, p->max_backlog);
	fpx_free(x, cn, reset);
}

/**
 * fpx_close() - Close a splice connection
 * @x:		Driver state
 * @cn:		Connection
 * @reset:	With RST to both peers
 */
static void fpx_close(struct fpx *x, struct fpx_conn *cn, bool reset)
{
	const struct linger lin = { 1, 0 };
	int i;

	for (i = 0; i < 2; i++) {
		if (cn->events[i])
			epoll_ctl(x->c.epollfd, EPOLL_CTL_DEL, cn->fd[i], NULL);
		if (reset)
			setsockopt(cn->fd[i], SOL_SOCKET, SO_LINGER, &lin,
				   sizeof(lin));
		close(cn->fd[i]);
	}
	fpx_free(x, cn, reset);
}

/**
 * fpx_try_fast() - Offer a connection to the fast path
 * @x:		Driver state
 * @idx:	Connection index
 *
 * Return: true if the fast path took it
 */
static bool fpx_try_fast(struct fpx *x, unsigned idx)
{
	struct fpx_conn *cn = &x->conns[idx];
	uint64_t ref[2] = { fpx_ref(idx, 0, cn->fd[0]),
			    fpx_ref(idx, 1, cn->fd[1]) };
	int pipe_r[2] = { cn->pipe[0][0], cn->pipe[1][0] };
	size_t flushed[2];
	int rc;

	if (cn->refused || cn->eof[0] || cn->eof[1] || cn->shut[0] ||
	    cn->shut[1])
		return false;
	cn->fp.closed = fpx_fp_closed;
	rc = tcp_fastpath_add(&x->c, &cn->fp, cn->fd, ref, pipe_r, flushed);
	cn->inpipe[0] -= flushed[0];
	cn->inpipe[1] -= flushed[1];
	if (rc == -EAGAIN)
		return false;		/* pipes not flushed yet: later */
	if (rc) {
		debug("fast path refused a pair: %s", strerror_(-rc));
		x->refused++;
		cn->refused = true;
		return false;
	}
	x->fast++;
	cn->fast = true;
	if (cn->fp.fd[0] >= 0) {
		socklen_t sl = sizeof(x->sndbuf);

		if (getsockopt(cn->fp.fd[0], SOL_SOCKET, SO_SNDBUF, &x->sndbuf,
			       &sl))
			x->sndbuf = -errno;
	}
	return true;
}

/**
 * fpx_splice() - Move what can be moved on a splice connection
 * @x:		Driver state
 * @idx:	Connection index
 *
 * In switch mode, the handover is tried between filling the pipes and
 * emptying them, so that it finds data in the pipes.
 */
static void fpx_splice(struct fpx *x, unsigned idx)
{
	struct fpx_conn *cn = &x->conns[idx];
	ssize_t n = 0;
	int d, i;

	for (d = 0; d < 2; d++) {
		while (!cn->eof[d] && cn->inpipe[d] < FPX_PIPE_SIZE) {
			n = splice(cn->fd[d], NULL, cn->pipe[d][1], NULL,
				   FPX_PIPE_SIZE - cn->inpipe[d],
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n == 0)
				cn->eof[d] = true;
			if (n <= 0)
				break;
			cn->inpipe[d] += (size_t)n;
			cn->spliced += (uint64_t)n;
		}
		if (n < 0 && errno != EAGAIN) {
			fpx_close(x, cn, true);
			return;
		}
	}

	if (x->mode == FPX_SWITCH && cn->spliced >= x->switch_after) {
		size_t inpipe = cn->inpipe[0] + cn->inpipe[1];

		if (fpx_try_fast(x, idx)) {
			x->handover_pipe_bytes += inpipe;
			return;
		}
	}

	for (d = 0; d < 2; d++) {
		n = 0;
		while (cn->inpipe[d]) {
			n = splice(cn->pipe[d][0], NULL, cn->fd[!d], NULL,
				   cn->inpipe[d],
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n <= 0)
				break;
			cn->inpipe[d] -= (size_t)n;
		}
		if (n < 0 && errno != EAGAIN) {
			fpx_close(x, cn, true);
			return;
		}
		if (cn->eof[d] && !cn->inpipe[d] && !cn->shut[!d]) {
			shutdown(cn->fd[!d], SHUT_WR);
			cn->shut[!d] = true;
		}
	}
	if (cn->shut[0] && cn->shut[1]) {
		fpx_close(x, cn, false);
		return;
	}
	for (i = 0; i < 2; i++)
		fpx_watch(x, idx, i);
}

/**
 * fpx_connect() - Connect to the target, from its namespace if given
 * @x:		Driver state
 *
 * Return: connected socket, -1 on failure
 */
static int fpx_connect(struct fpx *x)
{
	int s;

	if (x->ns_fd >= 0 && setns(x->ns_fd, CLONE_NEWNET))
		die_perror("setns to target");
	s = socket(x->dst.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (x->ns_fd >= 0 && setns(x->own_ns, CLONE_NEWNET))
		die_perror("setns back");
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&x->dst, x->dst_len)) {
		close(s);
		return -1;
	}
	if (fcntl(s, F_SETFL, O_NONBLOCK)) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * fpx_accept() - Accept a connection, connect it and start carrying it
 * @x:		Driver state
 */
static void fpx_accept(struct fpx *x)
{
	struct fpx_conn *cn = NULL;
	unsigned idx;
	int a, b, i;

	a = accept4(x->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (a < 0)
		return;
	for (idx = 0; idx < FPX_CONNS; idx++) {
		if (!x->conns[idx].used) {
			cn = &x->conns[idx];
			break;
		}
	}
	b = cn ? fpx_connect(x) : -1;
	if (b < 0) {
		close(a);
		return;
	}
	memset(cn, 0, sizeof(*cn));
	cn->used = true;
	cn->fd[0] = a;
	cn->fd[1] = b;
	for (i = 0; i < 2; i++) {
		if (pipe2(cn->pipe[i], O_NONBLOCK | O_CLOEXEC))
			die_perror("pipe2");
		if (fcntl(cn->pipe[i][0], F_SETPIPE_SZ, FPX_PIPE_SIZE) < 0)
			die_perror("F_SETPIPE_SZ");
	}
	for (i = 0; i < 2; i++) {
		if (epoll_ref_add(x->c.epollfd, EPOLLIN | EPOLLRDHUP,
				  EPOLL_TYPE_TCP, cn->fd[i], idx << 1 | (unsigned)i))
			die("epoll_ctl on connection");
		cn->events[i] = EPOLLIN | EPOLLRDHUP;
	}
	if (x->mode == FPX_FAST && fpx_try_fast(x, idx))
		return;
	fpx_splice(x, idx);
}

/**
 * fpx_event() - Handle an event on a connection socket
 * @x:		Driver state
 * @ref:	Its reference
 * @events:	epoll events
 */
static void fpx_event(struct fpx *x, union epoll_ref ref, uint32_t events)
{
	unsigned idx = ref.data >> 1;
	struct fpx_conn *cn = &x->conns[idx];

	if (idx >= FPX_CONNS || !cn->used)
		return;
	if (cn->fast) {
		tcp_fastpath_sock_handler(&x->c, &cn->fp, (int)(ref.data & 1),
					  events);
		return;
	}
	if (events & EPOLLERR) {
		int e = 0;
		socklen_t sl = sizeof(e);

		getsockopt(cn->fd[ref.data & 1], SOL_SOCKET, SO_ERROR, &e, &sl);
		if (e) {
			fpx_close(x, cn, true);
			return;
		}
	}
	fpx_splice(x, idx);
}

/**
 * fpx_report() - Print counters as key=value lines
 * @x:		Driver state
 */
static void fpx_report(const struct fpx *x)
{
	struct fastpath_counters n = { 0 };
	int rc = fastpath_counters(&x->c, &n);

	printf("fastpath=%s\n", rc == -EOPNOTSUPP ? "off" : "on");
	printf("pairs_fast=%u\npairs_refused=%u\nconns_ended=%u\nresets=%u\n"
	       "handover_pipe_bytes=%llu\nmax_backlog=%llu\nsndbuf=%d\n",
	       x->fast, x->refused, x->ended, x->resets,
	       (unsigned long long)x->handover_pipe_bytes,
	       (unsigned long long)x->max_backlog, x->sndbuf);
	printf("redirected=%llu\nredirected_bytes=%llu\npassed=%llu\n"
	       "passed_bytes=%llu\nempty=%llu\nno_target=%llu\nno_state=%llu\n",
	       (unsigned long long)n.redirected,
	       (unsigned long long)n.redirected_bytes,
	       (unsigned long long)n.passed,
	       (unsigned long long)n.passed_bytes,
	       (unsigned long long)n.empty,
	       (unsigned long long)n.no_target,
	       (unsigned long long)n.no_state);
	fflush(stdout);
}

/**
 * fpx_setup() - Parse options, open sockets, load the fast path
 * @x:		Driver state, zeroed
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void fpx_setup(struct fpx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen",	 required_argument, NULL, 'l' },
		{ "connect",	 required_argument, NULL, 'c' },
		{ "connect-ns",	 required_argument, NULL, 'n' },
		{ "mode",	 required_argument, NULL, 'm' },
		{ "switch-after", required_argument, NULL, 's' },
		{ "count",	 required_argument, NULL, 'N' },
		{ "ready",	 required_argument, NULL, 'r' },
		{ "no-bpf",	 no_argument,	    NULL, 'B' },
		{ "hwm",	 required_argument, NULL, 'H' },
		{ "debug",	 no_argument,	    NULL, 'd' },
		{ 0 },
	};
	struct sockaddr_storage la;
	long long hwm = -1;
	const char *ready = NULL;
	socklen_t la_len = 0;
	int o, one = 1;

	x->c.mode = MODE_PASTA;
	x->c.log.level = LOG_INFO;
	x->c.log.to_stderr = true;
	x->c.log.file_fd = -1;
	x->c.log.ident = "fp_proxy";
	x->ns_fd = x->own_ns = -1;
	x->mode = FPX_FAST;
	while ((o = getopt_long(argc, argv, "d", opts, NULL)) != -1) {
		switch (o) {
		case 'l': fpx_addr(optarg, &la, &la_len);		break;
		case 'c': fpx_addr(optarg, &x->dst, &x->dst_len);	break;
		case 'n':
			x->ns_fd = open(optarg, O_RDONLY | O_CLOEXEC);
			x->own_ns = open("/proc/self/ns/net",
					 O_RDONLY | O_CLOEXEC);
			if (x->ns_fd < 0 || x->own_ns < 0)
				die_perror("--connect-ns %s", optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "fast"))
				x->mode = FPX_FAST;
			else if (!strcmp(optarg, "splice"))
				x->mode = FPX_SPLICE;
			else if (!strcmp(optarg, "switch"))
				x->mode = FPX_SWITCH;
			else
				die("bad --mode %s", optarg);
			break;
		case 's': x->switch_after = strtoull(optarg, NULL, 0);	break;
		case 'N': x->count = (unsigned)atoi(optarg);		break;
		case 'r': ready = optarg;				break;
		case 'B': x->c.no_bpf = true;				break;
		case 'H': hwm = strtoll(optarg, NULL, 0);		break;
		case 'd':
			if (x->c.log.level == LOG_DEBUG)
				x->c.log.trace = true;
			x->c.log.level = LOG_DEBUG;
			break;
		default:  die("bad option, see the file header");
		}
	}
	if (!la_len || !x->dst_len)
		die("--listen and --connect are needed");
	log_setup(&x->c.log);

	x->c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (x->c.epollfd < 0)
		die_perror("epoll_create1");
	fastpath_init(&x->c);
	if (tcp_fastpath_init(&x->c))
		die("tcp_fastpath_init");
	if (hwm >= 0)
		tcp_fastpath_set_hwm(&x->c, (uint64_t)hwm);

	x->listen_fd = socket(la.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			      SOCK_CLOEXEC, 0);
	if (x->listen_fd < 0 ||
	    setsockopt(x->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) ||
	    bind(x->listen_fd, (struct sockaddr *)&la, la_len) ||
	    listen(x->listen_fd, 256))
		die_perror("listening socket");
	if (epoll_ref_add(x->c.epollfd, EPOLLIN, EPOLL_TYPE_TCP_LISTEN,
			  x->listen_fd, 0))
		die("epoll_ctl on listener");
	if (ready && write_file(ready, "ok\n"))
		die("--ready %s", ready);
}

/**
 * main() - Run the proxy until --count connections ended or SIGTERM
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0
 */
int main(int argc, char **argv)
{
	struct fpx *x = calloc(1, sizeof(*x));
	struct epoll_event ev[64];
	sigset_t mask;
	int sfd;

	if (!x)
		die("calloc");
	fpx_setup(x, argc, argv);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		die_perror("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0 || epoll_ref_add(x->c.epollfd, EPOLLIN, EPOLL_TYPE_SIGNAL,
				     sfd, 0))
		die("signalfd");

	while (!x->c.done) {
		int n = epoll_wait(x->c.epollfd, ev, 64, -1), i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_perror("epoll_wait");
		for (i = 0; i < n && !x->c.done; i++) {
			union epoll_ref ref = { .u64 = ev[i].data.u64 };

			switch (ref.type) {
			case EPOLL_TYPE_TCP_LISTEN:
				fpx_accept(x);
				break;
			case EPOLL_TYPE_TCP:
				fpx_event(x, ref, ev[i].events);
				break;
			case EPOLL_TYPE_TCP_FASTPATH:
				tcp_fastpath_timer_handler(&x->c);
				break;
			case EPOLL_TYPE_SIGNAL:
				x->c.done = true;
				break;
			default:
				break;
			}
		}
	}
	fpx_report(x);
	fastpath_exit(&x->c);
	return 0;
}
