// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_fastpath.c - TCP socket pairs moved by the kernel: handover, flow
 *		    control, half-close and reset
 *
 * Theory of operation: direction d of a pair carries data from fd[d] to
 * fd[!d].  Once a pair is in the fast path (fastpath.h), the verdict
 * program redirects what fd[d] receives to fd[!d]'s egress: the data never
 * reaches us, and we watch only EPOLLRDHUP (and EPOLLIN, see below).
 *
 * Handover (tcp_fastpath_add()): bytes the caller already spliced into its
 * pipes must reach fd[!d] before anything the kernel redirects, so the pipes
 * are flushed first, while neither socket is in a map and the caller isn't
 * reading: if a pipe can't be emptied now, the pair stays on splice
 * (-EAGAIN).  A socket already read must have nothing queued, as the
 * verdict would get its partly read skb whole (see tfp_rx_base()).  Byte
 * count baselines are then taken, while SIOCINQ still has plain TCP
 * meaning; both sockets go in fp_targets before either goes in fp_active
 * (a redirect to a missing target would drop data), and SO_RCVLOWAT is set
 * to kick the verdict on data queued before insertion.  Only ESTABLISHED
 * sockets can go in a sockmap: a pair where a FIN arrived stays on splice.
 *
 * Accounting, per direction, from counters that only grow:
 *   received  = tcpi_bytes_received(fd[d]) - FIN - rx_base[d]
 *   delivered = tcpi_bytes_acked(fd[!d]) + SIOCOUTQ(fd[!d]) - tx_base[!d]
 *   backlog   = redirected + moved - delivered
 * where redirected and passed are the program's per-socket counts and moved
 * what we copied ourselves.  backlog is what sits in fd[!d]'s psock queue:
 * the kernel says nothing when it empties, so it is polled (1 ms timer).
 *
 * Flow control: the psock queue has no limit of its own (a stalled
 * receiver let a sender queue 1 GiB).  The program redirects only while
 * redirected stays below the limit we set (bytes already in fd[!d]'s send
 * queue + TCP_FASTPATH_HWM); past it, it leaves skbs in fd[d]'s own queue,
 * where they are charged to fd[d]'s receive buffer, so the window closes
 * and the sender stops.  That wakes us (EPOLLIN); once backlog is 0 we copy
 * the passed bytes to fd[!d] and publish how many (consumed): the program
 * redirects again only when consumed equals passed, so no byte overtakes
 * another.  Sockets are never taken out of a map to pause them: a verdict
 * racing with the removal drops data.
 *
 * The limit is refreshed only while we poll: a pair stays polled ("hot")
 * for TFP_HOT_TICKS ms after data last moved or the limit was last hit, so
 * a busy pair keeps its limit ahead and an idle one costs nothing.
 * The psock queue drains into fd[!d]'s send buffer, and when that is full
 * the kernel worker waits for an ACK to free space: a bigger buffer halves
 * those waits.  Autotuning stops at tcp_wmem's maximum (4 MiB by default),
 * SO_SNDBUF may go to twice net.core.wmem_max: where that is more, pairs
 * get it at handover (measured here, wmem_max 4 MiB: the psock queue
 * drained at 8.6 Gbit/s with autotuning, 22 Gbit/s with 8 MiB).
 *
 * Getting back to redirecting needs a moment where every passed byte was
 * moved, but each byte we consume reopens fd[d]'s window and the sender
 * refills it at once: so while bytes are passed, fd[d]'s window is clamped
 * (TCP_WINDOW_CLAMP) to TFP_CLAMP, and restored with the last copy.
 *
 * EOF: on EPOLLRDHUP from fd[d], shutdown(fd[!d], SHUT_WR) only once every
 * received byte was redirected or moved and backlog is 0, as the FIN then
 * queues behind all of them.  When both directions are complete the
 * sockets leave the maps and are closed; a socket that is fully shut
 * reports EPOLLHUP forever, so it leaves epoll first.  An error (EPOLLERR
 * with SO_ERROR set) resets both sockets (SO_LINGER 0).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "fastpath.h"
#include "log.h"
#include "tcp_fastpath.h"
#include "util.h"

#define TFP_BUF_SIZE	(64 * 1024)	/* copy buffer for passed bytes */
#define TFP_MOVE_ROUNDS	256		/* at most 16 MiB per pair and tick */
#define TFP_HOT_TICKS	100		/* keep refreshing limits after a pass */
#define TFP_CLAMP	(64 * 1024)	/* window while passed bytes drain */
#define TFP_POLL_NS	1000000		/* 1 ms drain poll */
#define TFP_SNAP_TRIES	16		/* consistent counter snapshots */
#define TFP_FLUSH_ROUNDS 64		/* pipe flush attempts at handover */

/* From include/net/tcp_states.h: <netinet/tcp.h> has them too, but can't
 * be included together with <linux/tcp.h>, which has the 64-bit byte counts
 */
#define TFP_ESTABLISHED	1
#define TFP_TIME_WAIT	6
#define TFP_CLOSE	7
#define TFP_CLOSE_WAIT	8
#define TFP_LAST_ACK	9
#define TFP_CLOSING	11

/**
 * struct tcp_fastpath_ctx - fast-path TCP state, allocated at setup
 * @timerfd:	1 ms periodic timer while @head isn't empty
 * @armed:	@timerfd is running
 * @head:	Pairs being polled
 * @buf:	Copy buffer for passed bytes, TFP_BUF_SIZE
 * @hwm:	Backlog limit per direction, 0 for none (tests only)
 * @sndbuf:	SO_SNDBUF for the sockets of new pairs, 0 to keep autotuning
 */
struct tcp_fastpath_ctx {
	int timerfd;
	int sndbuf;
	bool armed;
	struct tcp_fastpath_pair *head;
	char *buf;
	uint64_t hwm;
};

/**
 * tfp_sndbuf_pick() - Send buffer size for pair sockets, if beats autotuning
 *
 * SO_SNDBUF turns send buffer autotuning off and the kernel doubles the
 * value, capped at net.core.wmem_max: worth it only if twice wmem_max is
 * more than autotuning can reach (the third value of net.ipv4.tcp_wmem).
 *
 * Context: setup, /proc readable
 *
 * Return: bytes for SO_SNDBUF, 0 to leave autotuning on
 */
static int tfp_sndbuf_pick(void)
{
	long long wmem_max, tune_min, tune_def, tune_max;
	char buf[64];

	if (read_file("/proc/sys/net/core/wmem_max", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lld", &wmem_max) != 1 ||
	    read_file("/proc/sys/net/ipv4/tcp_wmem", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lld %lld %lld", &tune_min, &tune_def, &tune_max) != 3)
		return 0;
	if (wmem_max <= 0 || wmem_max > INT_MAX / 2 || 2 * wmem_max <= tune_max)
		return 0;
	return (int)wmem_max;
}

/**
 * tcp_fastpath_init() - Set up pair handling if the fast path is loaded
 * @c:		Execution context, epoll ready, after fastpath_init()
 *
 * Context: setup
 *
 * Return: 0 on success (also when the fast path is off), -errno on failure
 */
int tcp_fastpath_init(struct ctx *c)
{
	struct tcp_fastpath_ctx *t;
	int rc;

	c->tcp_fp = NULL;
	if (!fastpath_active(c))
		return 0;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->buf = malloc(TFP_BUF_SIZE);
	if (!t->buf) {
		rc = -ENOMEM;
		goto err_free;
	}
	t->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->timerfd < 0) {
		rc = -errno;
		goto err_free_buf;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_FASTPATH,
			   t->timerfd, 0);
	if (rc)
		goto err_close;
	t->hwm = TCP_FASTPATH_HWM;
	t->sndbuf = tfp_sndbuf_pick();
	if (t->sndbuf)
		debug("fast path: pair send buffers %d bytes", 2 * t->sndbuf);
	c->tcp_fp = t;
	return 0;

err_close:
	close(t->timerfd);
err_free_buf:
	free(t->buf);
err_free:
	free(t);
	return rc;
}

/**
 * tfp_info() - TCP_INFO of a socket, with the 64-bit byte counts
 * @fd:		TCP socket
 * @ti:		Filled on success
 *
 * Return: 0 on success, -errno on failure, -EOPNOTSUPP if too old a kernel
 */
static int tfp_info(int fd, struct tcp_info *ti)
{
	socklen_t sl = sizeof(*ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &sl))
		return -errno;
	if (sl < offsetof(struct tcp_info, tcpi_bytes_received) +
		 sizeof(ti->tcpi_bytes_received))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * tfp_fin() - Does tcpi_bytes_received include the peer's FIN
 * @state:	tcpi_state
 *
 * Return: 1 in states reached by receiving a FIN, else 0
 */
static uint64_t tfp_fin(uint8_t state)
{
	switch (state) {
	case TFP_CLOSE_WAIT:
	case TFP_LAST_ACK:
	case TFP_CLOSING:
	case TFP_TIME_WAIT:
	case TFP_CLOSE:
		return 1;
	default:
		return 0;
	}
}

/**
 * tfp_rx_total() - Data bytes a socket received so far
 * @fd:		TCP socket
 * @total:	Set on success
 *
 * Return: 0 on success, -errno on failure
 */
static int tfp_rx_total(int fd, uint64_t *total)
{
	struct tcp_info ti;
	int rc = tfp_info(fd, &ti);

	if (rc)
		return rc;
	*total = ti.tcpi_bytes_received - tfp_fin(ti.tcpi_state);
	return 0;
}

/**
 * tfp_snapshot() - TCP_INFO and a queue length, taken consistently
 * @fd:		TCP socket
 * @cmd:	SIOCINQ or SIOCOUTQ
 * @ti:		Filled with TCP_INFO after the ioctl
 * @q:		Set to the queue length
 *
 * The two values come from two calls: they match only if the counter the
 * queue length goes with (bytes received for SIOCINQ, bytes acknowledged
 * for SIOCOUTQ) didn't move in between, so retry until it's the same
 * before and after the ioctl.
 *
 * #syscalls getsockopt ioctl
 *
 * Return: 0 on success, -EAGAIN if the counter kept moving, -errno
 */
static int tfp_snapshot(int fd, unsigned long cmd, struct tcp_info *ti,
			int *q)
{
	int i;

	for (i = 0; i < TFP_SNAP_TRIES; i++) {
		struct tcp_info a;
		int rc = tfp_info(fd, &a);

		if (rc)
			return rc;
		if (ioctl(fd, cmd, q))
			return -errno;
		rc = tfp_info(fd, ti);
		if (rc)
			return rc;
		if (cmd == SIOCINQ ?
		    a.tcpi_bytes_received == ti->tcpi_bytes_received :
		    a.tcpi_bytes_acked == ti->tcpi_bytes_acked)
			return 0;
	}
	return -EAGAIN;
}

/**
 * tfp_tx_total() - Bytes ever queued for sending on a socket
 * @fd:		TCP socket, not shut for writing
 * @total:	Set on success: acknowledged plus still queued
 *
 * Return: 0 on success, -EAGAIN if acknowledgements kept coming, -errno
 */
static int tfp_tx_total(int fd, uint64_t *total)
{
	struct tcp_info ti = { 0 };
	int q = 0, rc = tfp_snapshot(fd, SIOCOUTQ, &ti, &q);

	if (!rc)
		*total = ti.tcpi_bytes_acked + (uint64_t)q;
	return rc;
}

/**
 * tfp_rx_base() - Bytes read from an ESTABLISHED socket so far
 * @fd:		TCP socket, in no map yet (SIOCINQ has its TCP meaning)
 * @base:	Set on success: received minus still queued
 *
 * The verdict gets whole skbs from tcp_read_skb(), which ignores how much
 * of the first one was already read: handed over with a partly read skb
 * at the head of its queue, a socket sends that part again (seen here:
 * 65483 bytes duplicated after a switch from splice).  So the socket must
 * either never have been read, or have nothing queued.
 *
 * Return: 0 on success, -EOPNOTSUPP if not ESTABLISHED, -EAGAIN if data
 *	   kept arriving or a read may have left a partial skb, -errno
 */
static int tfp_rx_base(int fd, uint64_t *base)
{
	struct tcp_info ti = { 0 };
	int q = 0, rc = tfp_snapshot(fd, SIOCINQ, &ti, &q);

	if (rc)
		return rc;
	if (ti.tcpi_state != TFP_ESTABLISHED)
		return -EOPNOTSUPP;
	*base = ti.tcpi_bytes_received - (uint64_t)q;
	return (*base && q) ? -EAGAIN : 0;
}

/**
 * tfp_pipe_flush() - Write what a pipe holds to a socket, without waiting
 * @pipe_r:	Read end of the pipe, -1 if none
 * @dst:	Socket
 * @flushed:	Incremented by the bytes written
 *
 * #syscalls ioctl splice
 *
 * Return: 0 if the pipe is empty, -EAGAIN if the socket is full, -errno
 */
static int tfp_pipe_flush(int pipe_r, int dst, size_t *flushed)
{
	int i, q;

	if (pipe_r < 0)
		return 0;
	for (i = 0; i < TFP_FLUSH_ROUNDS; i++) {
		if (ioctl(pipe_r, FIONREAD, &q))
			return -errno;
		if (!q)
			return 0;
		ssize_t n = splice(pipe_r, NULL, dst, NULL, (size_t)q,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -EAGAIN : -errno;
		}
		*flushed += (size_t)n;
	}
	return -EAGAIN;
}

/**
 * tfp_epoll_sync() - Watch what the pair's state calls for on one socket
 * @c:		Execution context
 * @p:		Pair
 * @i:		Socket index
 *
 * While the pair is polled the timer does the work: EPOLLIN (passed
 * bytes) would only wake us over and over.  After EOF only errors matter,
 * and a socket shut both ways (EPOLLHUP forever) leaves epoll.
 *
 * #syscalls epoll_ctl
 */
static void tfp_epoll_sync(const struct ctx *c, struct tcp_fastpath_pair *p,
			   int i)
{
	struct epoll_event ev = { .data.u64 = p->ref[i] };
	uint32_t want;

	if (!p->events[i])
		return;
	if (p->eof[i] && p->shut[i]) {
		if (epoll_ctl(c->epollfd, EPOLL_CTL_DEL, p->fd[i], NULL))
			debug_perror("fast path: epoll_ctl del");
		p->events[i] = 0;
		return;
	}
	if (p->eof[i])
		want = EPOLLERR;
	else
		want = EPOLLRDHUP | (p->polling ? 0 : EPOLLIN);
	if (want == p->events[i])
		return;
	ev.events = want;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, p->fd[i], &ev))
		debug_perror("fast path: epoll_ctl mod");
	else
		p->events[i] = want;
}

/**
 * tfp_timer_set() - Start or stop the 1 ms poll timer
 * @c:		Execution context
 * @on:		Start if true, stop if false
 *
 * #syscalls timerfd_settime
 */
static void tfp_timer_set(const struct ctx *c, bool on)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct tcp_fastpath_ctx *t = c->tcp_fp;

	if (t->armed == on)
		return;
	if (on)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = TFP_POLL_NS;
	if (timerfd_settime(t->timerfd, 0, &its, NULL)) {
		debug_perror("fast path: timerfd_settime");
		return;
	}
	t->armed = on;
}

/**
 * tfp_poll_set() - Put a pair on the poll list or take it off
 * @c:		Execution context
 * @p:		Pair
 * @on:		Poll it if true
 */
static void tfp_poll_set(const struct ctx *c, struct tcp_fastpath_pair *p,
			 bool on)
{
	struct tcp_fastpath_ctx *t = c->tcp_fp;

	if (p->polling == on)
		return;
	if (on) {
		p->prev = NULL;
		p->next = t->head;
		if (t->head)
			t->head->prev = p;
		t->head = p;
	} else {
		if (p->prev)
			p->prev->next = p->next;
		else
			t->head = p->next;
		if (p->next)
			p->next->prev = p->prev;
		p->prev = p->next = NULL;
	}
	p->polling = on;
	tfp_timer_set(c, t->head != NULL);
}

/**
 * tfp_close() - Take a pair out of the maps, close its sockets, tell owner
 * @c:		Execution context
 * @p:		Pair
 * @reset:	Send RST to both peers (SO_LINGER 0) instead of a clean close
 *
 * Graceful only once nothing is in flight: removing a redirect target
 * drops its psock queue.
 *
 * #syscalls epoll_ctl setsockopt close
 */
static void tfp_close(struct ctx *c, struct tcp_fastpath_pair *p, bool reset)
{
	const struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	int i;

	tfp_poll_set(c, p, false);
	for (i = 0; i < 2; i++) {
		uint64_t redirected = 0, passed = 0;

		if (!p->user[i] &&
		    fastpath_sock_stats(c, p->cookie[i], &redirected, &passed))
			redirected = 0;
		p->bytes[i] = redirected + p->moved[i];
	}
	for (i = 0; i < 2; i++)
		fastpath_sock_forget(c, p->cookie[i]);
	for (i = 0; i < 2; i++) {
		if (p->events[i] &&
		    epoll_ctl(c->epollfd, EPOLL_CTL_DEL, p->fd[i], NULL))
			debug_perror("fast path: epoll_ctl del");
		p->events[i] = 0;
		if (reset && setsockopt(p->fd[i], SOL_SOCKET, SO_LINGER,
					&lin, sizeof(lin)))
			debug_perror("fast path: SO_LINGER");
		if (close(p->fd[i]))
			debug_perror("fast path: close");
		p->fd[i] = -1;
	}
	if (p->closed)
		p->closed(c, p, reset);
}

/**
 * tfp_clamp() - Shrink fd[d]'s receive window while passed bytes drain, or
 *		 give it back
 * @p:		Pair
 * @d:		Direction
 * @on:		Shrink if true, restore if false
 *
 * Only TCP_WINDOW_CLAMP: SO_RCVBUF would hold the window too, but setting
 * it turns receive buffer autotuning off for good, and rmem_max caps it:
 * measured here, throughput fell from 4 to 0.7 Gbit/s.  Autotuning can
 * raise the clamp again, but only while the buffer still grows.
 *
 * #syscalls getsockopt setsockopt
 */
static void tfp_clamp(struct tcp_fastpath_pair *p, int d, bool on)
{
	int small = TFP_CLAMP, clamp;
	socklen_t sl = sizeof(clamp);

	if (on) {
		if (getsockopt(p->fd[d], IPPROTO_TCP, TCP_WINDOW_CLAMP, &clamp,
			       &sl) ||
		    setsockopt(p->fd[d], IPPROTO_TCP, TCP_WINDOW_CLAMP, &small,
			       sizeof(small))) {
			debug_perror("fast path: shrinking the window");
			return;
		}
		p->clamp[d] = clamp;
		return;
	}
	if (setsockopt(p->fd[d], IPPROTO_TCP, TCP_WINDOW_CLAMP, &p->clamp[d],
		       sizeof(p->clamp[d])))
		debug_perror("fast path: restoring the window");
	p->clamp[d] = 0;
}

/**
 * tfp_consume() - Drop from fd[d] the bytes already written to fd[!d]
 * @c:		Execution context
 * @p:		Pair
 * @d:		Direction
 *
 * Peeked bytes are at the head of fd[d]'s queue, but the read that takes
 * them can still fail with EAGAIN: before reading, the kernel hands skbs
 * still in the TCP receive queue to the verdict, and says EAGAIN if some
 * stay there (memory pressure, as when passed bytes fill fd[d]'s buffer).
 * Seen here about once a minute at full speed.  The bytes are owed, not
 * lost: take them on the next try, before peeking anything else.
 *
 * #syscalls recvfrom
 *
 * Return: 0 on success (@p->owed[d] may still be set), -errno on errors
 */
static int tfp_consume(const struct ctx *c, struct tcp_fastpath_pair *p,
		       int d)
{
	char *sink = c->tcp_fp->buf;
	int i;

	for (i = 0; i < TFP_MOVE_ROUNDS && p->owed[d]; i++) {
		ssize_t r = recv(p->fd[d], sink, p->owed[d], MSG_DONTWAIT);

		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			trace("fast path: dir %d: %zu bytes to drop later", d,
			      p->owed[d]);
			return 0;
		}
		if (!r)
			return -EIO;
		p->owed[d] -= (size_t)r;
	}
	return 0;
}

/**
 * tfp_move() - Copy bytes left in fd[d] (passed, or never redirected) to
 *		fd[!d], without waiting, and publish the flow-control state
 * @c:		Execution context
 * @p:		Pair
 * @d:		Direction, with backlog 0: these bytes follow every redirected
 *		one, and nothing is redirected until we publish
 * @limit:	Redirect limit to publish
 *
 * Peek, send what fd[!d] takes, then consume exactly that much: nothing is
 * held here if fd[!d] is full.  Publishing consumed lets the program
 * redirect again, and so ends the round: anything passed afterwards must
 * wait for backlog 0 again.  When the peek found less than a full buffer
 * (likely all there is), we publish before consuming: consuming reopens
 * fd[d]'s window, and on loopback the sender's next segment, processed
 * before recv() even returns, would otherwise always find us one step
 * behind and be passed too.  That's safe, as those bytes are already
 * written to fd[!d].
 *
 * #syscalls recvfrom sendto
 * #syscalls:bpf bpf
 *
 * Return: 0 on success (maybe nothing moved), -errno on socket errors
 */
static int tfp_move(const struct ctx *c, struct tcp_fastpath_pair *p, int d,
		    uint64_t limit)
{
	char *buf = c->tcp_fp->buf;
	bool published = false;
	int i, rc;

	rc = tfp_consume(c, p, d);
	if (rc)
		return rc;

	for (i = 0; i < TFP_MOVE_ROUNDS && !published && !p->owed[d]; i++) {
		ssize_t n, w;

		n = recv(p->fd[d], buf, TFP_BUF_SIZE, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		w = send(p->fd[!d], buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		if (w == n && n < TFP_BUF_SIZE && !p->user[d]) {
			rc = fastpath_sock_ctl(c, p->cookie[d], limit,
					       p->moved[d] + (uint64_t)w);
			if (rc)
				return rc;
			published = true;
			/* Reopen the window now: the recv() below sends the
			 * update, nothing would later
			 */
			if (p->clamp[d])
				tfp_clamp(p, d, false);
		}
		p->moved[d] += (uint64_t)w;
		p->owed[d] = (size_t)w;
		rc = tfp_consume(c, p, d);
		if (rc)
			return rc;
		if (w < n)
			break;
	}
	if (published || p->user[d])
		return 0;
	return fastpath_sock_ctl(c, p->cookie[d], limit, p->moved[d]);
}

/**
 * tfp_dir() - Move, limit, or complete one direction
 * @c:		Execution context
 * @p:		Pair
 * @d:		Direction, not complete yet
 * @poll:	Set if this direction needs polling
 *
 * #syscalls getsockopt ioctl shutdown
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -errno on errors that call for a reset
 */
static int tfp_dir(const struct ctx *c, struct tcp_fastpath_pair *p, int d,
		   bool *poll)
{
	uint64_t rx = 0, tx = 0, redirected = 0, passed = 0;
	uint64_t delivered, backlog, received, limit;
	uint64_t moved = p->moved[d];
	int rc;

	rc = tfp_rx_total(p->fd[d], &rx);
	if (!rc)
		rc = fastpath_sock_stats(c, p->cookie[d], &redirected, &passed);
	if (!rc)
		rc = tfp_tx_total(p->fd[!d], &tx);
	if (rc == -EAGAIN) {
		*poll = true;
		return 0;
	}
	if (rc)
		return rc;

	if (p->clamp[d] && passed == moved)
		tfp_clamp(p, d, false);
	else if (!p->clamp[d] && passed > moved && !p->user[d])
		tfp_clamp(p, d, true);

	received = rx - p->rx_base[d];
	delivered = tx - p->tx_base[!d];
	backlog = redirected + moved - delivered;

	/* delivered - moved: redirected bytes now in fd[!d]'s send queue */
	if (c->tcp_fp->hwm)
		limit = delivered - moved + c->tcp_fp->hwm;
	else
		limit = UINT64_MAX;
	if (!backlog && (passed > moved || p->user[d] || p->owed[d]))
		rc = tfp_move(c, p, d, limit);
	else if (!p->user[d])
		rc = fastpath_sock_ctl(c, p->cookie[d], limit, moved);
	if (rc)
		return rc;

	if (p->eof[d] && !backlog && !p->owed[d] &&
	    received == redirected + p->moved[d]) {
		if (shutdown(p->fd[!d], SHUT_WR) && errno != ENOTCONN)
			return -errno;
		p->shut[!d] = true;
		return 0;
	}
	trace("fast path: dir %d: received %llu redirected %llu passed %llu "
	      "moved %llu backlog %llu", d, (unsigned long long)received,
	      (unsigned long long)redirected, (unsigned long long)passed,
	      (unsigned long long)p->moved[d], (unsigned long long)backlog);
	if (backlog > p->max_backlog && backlog < (1ULL << 62))
		p->max_backlog = backlog;
	if (passed > p->moved[d] || redirected != p->seen[d] ||
	    !c->tcp_fp->hwm)
		p->hot = TFP_HOT_TICKS;
	p->seen[d] = redirected;
	if (p->eof[d] || p->user[d] || passed > p->moved[d] || p->owed[d] ||
	    p->hot)
		*poll = true;
	return 0;
}

/**
 * tfp_step() - Bring a pair forward: both directions, then poll or close
 * @c:		Execution context
 * @p:		Pair
 * @tick:	Called by the poll timer (a millisecond passed)
 */
static void tfp_step(struct ctx *c, struct tcp_fastpath_pair *p, bool tick)
{
	bool poll = false;
	int d, rc;

	if (tick && p->hot)
		p->hot--;

	for (d = 0; d < 2; d++) {
		if (p->shut[!d])
			continue;
		rc = tfp_dir(c, p, d, &poll);
		if (rc) {
			debug("fast path: direction %d: %s, resetting", d,
			      strerror_(-rc));
			tfp_close(c, p, true);
			return;
		}
	}
	if (p->shut[0] && p->shut[1]) {
		tfp_close(c, p, false);
		return;
	}
	tfp_poll_set(c, p, poll);
	tfp_epoll_sync(c, p, 0);
	tfp_epoll_sync(c, p, 1);
}

/**
 * tcp_fastpath_add() - Hand a connected pair over to the kernel
 * @c:		Execution context
 * @p:		Pair to fill, @p->closed set by the caller
 * @fd:		Both sockets, ESTABLISHED, registered with c->epollfd
 * @ref:	Caller's epoll data for each socket, kept on changes
 * @pipe_r:	Read ends of the caller's pipes, pipe_r[d] holding data from
 *		fd[d] to fd[!d], -1 if none: flushed first
 * @flushed:	Set to the bytes taken out of each pipe, whatever the result
 *
 * On success the caller must stop reading the sockets and pass their
 * events to tcp_fastpath_sock_handler(); the sockets are ours to close.
 * On failure, nothing changed and the caller keeps splicing (it can try
 * again later on -EAGAIN).
 *
 * #syscalls getsockopt setsockopt ioctl splice epoll_ctl
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if the fast path is off or a socket is
 *	   not ESTABLISHED, -EAGAIN if a pipe can't be flushed yet, -errno
 */
int tcp_fastpath_add(struct ctx *c, struct tcp_fastpath_pair *p,
		     const int fd[2], const uint64_t ref[2],
		     const int pipe_r[2], size_t flushed[2])
{
	void (*closed)(struct ctx *, struct tcp_fastpath_pair *, bool);
	const int one = 1;
	int i, rc;

	flushed[0] = flushed[1] = 0;
	if (!c->tcp_fp)
		return -EOPNOTSUPP;

	closed = p->closed;
	memset(p, 0, sizeof(*p));
	p->closed = closed;
	for (i = 0; i < 2; i++) {
		p->fd[i] = fd[i];
		p->ref[i] = ref[i];
	}

	for (i = 0; i < 2; i++) {
		rc = tfp_pipe_flush(pipe_r[i], fd[!i], &flushed[i]);
		if (rc)
			return rc;
	}
	for (i = 0; i < 2; i++) {
		rc = tfp_rx_base(fd[i], &p->rx_base[i]);
		if (!rc)
			rc = tfp_tx_total(fd[i], &p->tx_base[i]);
		if (rc)
			return rc;
	}

	for (i = 0; i < 2; i++) {
		rc = fastpath_sock_prepare(c, fd[i], &p->cookie[i]);
		if (!rc)
			rc = fastpath_sock_ctl(c, p->cookie[i],
					       c->tcp_fp->hwm ? c->tcp_fp->hwm :
					       UINT64_MAX, 0);
		if (rc)
			goto err_forget;
	}
	/* Targets first: a verdict may run as soon as a socket is active */
	for (i = 0; i < 2; i++) {
		rc = fastpath_sock_target(c, p->cookie[i], fd[!i]);
		if (rc)
			goto err_forget;
	}
	rc = fastpath_sock_activate(c, p->cookie[0], fd[0]);
	if (rc)
		goto err_forget;
	rc = fastpath_sock_activate(c, p->cookie[1], fd[1]);
	if (rc) {
		/* fd[0] may already be redirecting: no way back.  fd[1] most
		 * likely got a FIN meanwhile: move what it has left ourselves
		 */
		debug("fast path: second socket refused (%s), copying its "
		      "data", strerror_(-rc));
		p->user[1] = true;
	}

	for (i = 0; i < 2; i++) {
		const int sndbuf = c->tcp_fp->sndbuf;

		if (sndbuf && setsockopt(fd[i], SOL_SOCKET, SO_SNDBUF, &sndbuf,
					 sizeof(sndbuf)))
			debug_perror("fast path: SO_SNDBUF");
		/* Run the verdict on data queued before insertion */
		if (!p->user[i] && setsockopt(fd[i], SOL_SOCKET, SO_RCVLOWAT,
					      &one, sizeof(one)))
			debug_perror("fast path: SO_RCVLOWAT kick");
		p->events[i] = EPOLLIN | EPOLLOUT;	/* force an update */
	}
	p->hot = TFP_HOT_TICKS;	/* a bulk transfer finds its limit kept ahead */
	tfp_step(c, p, false);
	return 0;

err_forget:
	for (i = 0; i < 2; i++)
		if (p->cookie[i])
			fastpath_sock_forget(c, p->cookie[i]);
	return rc;
}

/**
 * tcp_fastpath_sock_handler() - Handle an epoll event on a pair's socket
 * @c:		Execution context
 * @p:		Pair
 * @side:	Which socket, 0 or 1
 * @events:	epoll events
 *
 * #syscalls getsockopt
 */
void tcp_fastpath_sock_handler(struct ctx *c, struct tcp_fastpath_pair *p,
			       int side, uint32_t events)
{
	int e = 0;
	socklen_t sl = sizeof(e);

	if (p->fd[side] < 0)
		return;
	if (events & EPOLLERR) {
		if (getsockopt(p->fd[side], SOL_SOCKET, SO_ERROR, &e, &sl))
			e = errno;
		if (e) {
			debug("fast path: socket error: %s, resetting",
			      strerror_(e));
			tfp_close(c, p, true);
			return;
		}
	}
	if (events & (EPOLLRDHUP | EPOLLHUP))
		p->eof[side] = true;
	tfp_step(c, p, false);
}

/**
 * tcp_fastpath_set_hwm() - Change the backlog limit of new and active pairs
 * @c:		Execution context
 * @hwm:	Bytes, 0 for no limit: only to measure what the limit saves,
 *		and then pairs are polled all the time to see their backlog
 */
void tcp_fastpath_set_hwm(const struct ctx *c, uint64_t hwm)
{
	if (c->tcp_fp)
		c->tcp_fp->hwm = hwm;
}

/**
 * tcp_fastpath_timer_handler() - Poll the pairs that need it (1 ms)
 * @c:		Execution context
 *
 * #syscalls read
 */
void tcp_fastpath_timer_handler(struct ctx *c)
{
	struct tcp_fastpath_pair *p, *next;
	uint64_t expirations;

	if (!c->tcp_fp)
		return;
	if (read(c->tcp_fp->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		debug_perror("fast path: timerfd");
	for (p = c->tcp_fp->head; p; p = next) {
		next = p->next;
		tfp_step(c, p, true);
	}
}
