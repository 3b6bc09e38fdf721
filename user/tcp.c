// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation between the guest's segments and host sockets
 *
 * Theory of operation: there is no TCP stack here.  Each connection the
 * guest opens (a SYN from the tap) becomes a non-blocking host socket that
 * connect()s to the same destination, and each connection accepted on a
 * forwarded port (-t) becomes a SYN to the guest.  From then on we reflect
 * one side's events to the other, keeping just enough state (tcp_conn.h) to
 * number segments towards the guest and to acknowledge its segments:
 *
 * - guest to host: in-order payload is written to the socket, and only what
 *   the socket took is acknowledged; the window we advertise is the free
 *   space in the socket's send buffer, so the guest rarely sends what can't
 *   be written (if it does, it retransmits).  A FIN becomes
 *   shutdown(SHUT_WR), a RST an abortive close (SO_LINGER 0).
 *
 * - host to guest: data is read with MSG_PEEK and stays in the socket until
 *   the guest acknowledges it, so the socket's receive queue is our
 *   retransmission buffer.  SO_PEEK_OFF (TCP: Linux 6.10) makes the kernel
 *   keep the offset of the first byte not sent yet; without it, what was
 *   already sent is peeked again into a discard buffer.  Segments are at
 *   most the guest's MSS and stay within its window.  A timeout (1 s,
 *   doubling) or three duplicate ACKs rewind to the first unacknowledged
 *   byte.  End of file is sent as FIN once every byte went out.
 *
 * Connections are found by their guest-side 4-tuple in a table of
 * TCP_CONN_MAX entries hashed with SipHash under a random key; the table is
 * allocated once in tcp_init(), and a SYN finding it full gets a RST.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "checksum.h"
#include "epoll_ref.h"
#include "fwd_nat.h"
#include "log.h"
#include "probe.h"
#include "siphash.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_conn.h"
#include "tcp_info.h"
#include "tcp_ooo.h"
#include "tcp_seq.h"
#include "tcp_splice.h"
#include "util.h"

#define TCP_HLEN		20
#define TCP_MSS4_DEFAULT	536	/* RFC 9293, 3.7.1 */
#define TCP_MSS6_DEFAULT	1220	/* RFC 8200, 8.3 */
#define TCP_WS_TO_TAP		8	/* our window scale towards the guest */
#define TCP_HANDSHAKE_MS	10000
#define TCP_FIN_MS		60000
#define TCP_IDLE_MS		(2LL * 3600 * 1000)
#define TCP_RTO_MS		1000
#define TCP_RETRIES_MAX		8
#define TCP_ACCEPT_BATCH	32
#define TCP_READ_ROUNDS		16
#define TCP_LISTEN_V6		(1U << 16)
#define TCP_WND_POLL_NS		2000000	/* window update poll, 2 ms */
#define TCP_WND_STEP		16384U	/* window growth worth an update */
#define TCP_SNDWND_SLACK	(1LL << 20)	/* queued beyond peer window */
#define TCP_FD_RESERVE		32	/* descriptors left to everything else */

#define TCP_F_FIN		0x01
#define TCP_F_SYN		0x02
#define TCP_F_RST		0x04
#define TCP_F_PSH		0x08
#define TCP_F_ACK		0x10

/**
 * tcp_now_ms() - Current loop time in milliseconds
 * @c:		Execution context
 *
 * Return: c->now in milliseconds
 */
static long long tcp_now_ms(const struct ctx *c)
{
	return (long long)c->now.tv_sec * 1000 + c->now.tv_nsec / 1000000;
}

/**
 * tcp_v4_mapped() - Store an IPv4 address as IPv4-mapped IPv6
 * @dst:	Destination
 * @a4:		IPv4 address
 */
static void tcp_v4_mapped(struct in6_addr *dst, struct in_addr a4)
{
	memset(dst, 0, sizeof(*dst));
	dst->s6_addr[10] = dst->s6_addr[11] = 0xff;
	memcpy(&dst->s6_addr[12], &a4, sizeof(a4));
}

/**
 * tcp_v4_of() - IPv4 address of an IPv4-mapped one
 * @a:		IPv4-mapped address
 *
 * Return: IPv4 address
 */
static struct in_addr tcp_v4_of(const struct in6_addr *a)
{
	struct in_addr a4;

	memcpy(&a4, &a->s6_addr[12], sizeof(a4));
	return a4;
}

/**
 * tcp_bucket() - Hash bucket of a guest-side 4-tuple
 * @tc:		TCP state
 * @k:		Key
 *
 * Return: bucket index
 */
static size_t tcp_bucket(const struct tcp_ctx *tc, const struct tcp_key *k)
{
	return (size_t)(siphash_2_4(tc->hash_key, k, sizeof(*k)) &
			(TCP_HASH_BUCKETS - 1));
}

/**
 * tcp_lookup() - Find a connection by its guest-side 4-tuple
 * @tc:		TCP state
 * @k:		Key
 *
 * Return: connection, NULL if none
 */
static struct tcp_conn *tcp_lookup(const struct tcp_ctx *tc,
				   const struct tcp_key *k)
{
	int i, n;

	for (i = tc->hash[tcp_bucket(tc, k)], n = 0;
	     i >= 0 && n < TCP_CONN_MAX; i = tc->conn[i].next, n++) {
		if (!memcmp(&tc->conn[i].key, k, sizeof(*k)))
			return &tc->conn[i];
	}
	return NULL;
}

/**
 * tcp_conn_alloc() - Take a free entry and hash it under a key
 * @c:		Execution context
 * @k:		Key
 * @v6:		IPv6 on the guest side
 *
 * Return: zeroed entry (socket still -1), NULL if the table is full
 */
static struct tcp_conn *tcp_conn_alloc(const struct ctx *c,
				       const struct tcp_key *k, bool v6)
{
	struct tcp_ctx *tc = c->tcp;
	struct tcp_conn *conn;
	size_t b;
	int i = tc->free;

	if (i < 0)
		return NULL;
	conn = &tc->conn[i];
	tc->free = conn->next;
	memset(conn, 0, sizeof(*conn));
	conn->sock = -1;
	conn->key = *k;
	conn->v6 = v6;
	b = tcp_bucket(tc, k);
	conn->next = tc->hash[b];
	tc->hash[b] = i;
	tc->count++;
	conn->ts_start = conn->ts_ack = conn->ts_active = tcp_now_ms(c);
	{
		uint8_t in[sizeof(*k) + sizeof(c->now)];

		memcpy(in, k, sizeof(*k));
		memcpy(in + sizeof(*k), &c->now, sizeof(c->now));
		/* RFC 6528: a keyed hash of the 4-tuple plus a clock */
		conn->seq_isn = (uint32_t)siphash_2_4(tc->hash_key, in,
						      sizeof(in)) +
				(uint32_t)(c->now.tv_nsec >> 12) +
				(uint32_t)c->now.tv_sec * 250000U;
	}
	return conn;
}

/**
 * tcp_wnd_wait_end() - Stop polling a connection for window updates
 * @c:		Execution context
 * @conn:	Connection
 *
 * #syscalls timerfd_settime
 */
static void tcp_wnd_wait_end(const struct ctx *c, struct tcp_conn *conn)
{
	if (!(conn->flags & TCP_WND_WAIT))
		return;
	conn->flags &= ~TCP_WND_WAIT;
	if (!--c->tcp->wnd_wait) {
		struct itimerspec its = { { 0, 0 }, { 0, 0 } };

		if (timerfd_settime(c->tcp->timerfd, 0, &its, NULL))
			debug_perror("TCP: timerfd_settime");
	}
}

/**
 * tcp_conn_free() - Close the socket of a connection and free its entry
 * @c:		Execution context
 * @conn:	Connection
 * @reset:	Close abortively (SO_LINGER 0): the host peer sees a reset
 *
 * #syscalls close setsockopt timerfd_settime
 */
static void tcp_conn_free(const struct ctx *c, struct tcp_conn *conn,
			  bool reset)
{
	struct tcp_ctx *tc = c->tcp;
	int idx = (int)(conn - tc->conn);
	size_t b = tcp_bucket(tc, &conn->key);
	int *pp = &tc->hash[b];
	int n;

	tcp_wnd_wait_end(c, conn);
	tcp_ooo_drop(&tc->ooo, idx);
	if (tc->pend == idx) {
		tc->pend = -1;
		tc->pend_n = tc->pend_len = 0;
	}
	for (n = 0; *pp >= 0 && n < TCP_CONN_MAX; n++) {
		if (*pp == idx) {
			*pp = conn->next;
			break;
		}
		pp = &tc->conn[*pp].next;
	}
	if (conn->sock >= 0) {
		if (reset) {
			struct linger l = { 1, 0 };

			if (setsockopt(conn->sock, SOL_SOCKET, SO_LINGER, &l,
				       sizeof(l)))
				debug_perror("TCP: SO_LINGER");
		}
		close(conn->sock);
	}
	conn->sock = -1;
	conn->flags = 0;
	conn->next = tc->free;
	tc->free = idx;
	tc->count--;
}

/**
 * tcp_epoll_set() - Set the epoll events watched on a connection's socket
 * @c:		Execution context
 * @conn:	Connection, socket open
 * @events:	epoll events
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls epoll_ctl
 */
static int tcp_epoll_set(const struct ctx *c, struct tcp_conn *conn,
			 uint32_t events)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP, .fd = conn->sock,
				.data = (uint32_t)(conn - c->tcp->conn) };
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };
	int op = conn->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (conn->sock > EPOLL_REF_FD_MAX)
		return -EBADF;
	if (epoll_ctl(c->epollfd, op, conn->sock, &ev))
		return -errno;
	conn->events = events;
	return 0;
}

/**
 * tcp_payload_off() - Offset of the TCP payload in a frame to the guest
 * @v6:		IPv6
 * @optlen:	TCP options length
 *
 * Return: offset from the start of the Ethernet header
 */
static size_t tcp_payload_off(bool v6, size_t optlen)
{
	return ETH_HLEN_ + (v6 ? IP6_HLEN : IP4_HLEN) + TCP_HLEN + optlen;
}

/**
 * tcp_frame_send() - Complete a segment to the guest in @buf and send it
 * @c:		Execution context
 * @v6:		IPv6
 * @k:		Guest-side 4-tuple: the segment goes from raddr to gaddr
 * @buf:	Frame buffer, PKT_MAX_FRAME bytes; payload already in place at
 *		tcp_payload_off(@v6, @optlen)
 * @seq:	Sequence number
 * @ack:	Acknowledgment number
 * @flags:	TCP_F_* flags
 * @wnd:	Window field, host order
 * @opts:	Options, NULL if none
 * @optlen:	Options length, multiple of 4
 * @plen:	Payload length
 *
 * Return: 0 on success, -errno if the frame was dropped
 */
static int tcp_frame_send(const struct ctx *c, bool v6,
			  const struct tcp_key *k, uint8_t *buf, uint32_t seq,
			  uint32_t ack, uint8_t flags, uint16_t wnd,
			  const uint8_t *opts, size_t optlen, size_t plen)
{
	size_t l4len = TCP_HLEN + optlen + plen, off;
	struct in_addr s4 = tcp_v4_of(&k->raddr), d4 = tcp_v4_of(&k->gaddr);
	struct tcphdr th = { 0 };
	uint32_t sum;

	off = tap_l3_hdr(c, buf, v6, v6 ? (const void *)&k->raddr : &s4,
			 v6 ? (const void *)&k->gaddr : &d4, IPPROTO_TCP,
			 l4len);
	th.th_sport = htons(k->rport);
	th.th_dport = htons(k->gport);
	th.th_seq = htonl(seq);
	th.th_ack = htonl(ack);
	th.th_off = (uint8_t)((TCP_HLEN + optlen) / 4);
	th.th_flags = flags;
	th.th_win = htons(wnd);
	memcpy(buf + off, &th, sizeof(th));
	if (optlen)
		memcpy(buf + off + TCP_HLEN, opts, optlen);

	if (v6)
		sum = csum_pseudo6(&k->raddr, &k->gaddr, IPPROTO_TCP,
				   (uint32_t)l4len);
	else
		sum = csum_pseudo4(s4, d4, IPPROTO_TCP, (uint16_t)l4len);
	th.th_sum = csum(buf + off, l4len, sum);
	memcpy(buf + off + offsetof(struct tcphdr, th_sum), &th.th_sum,
	       sizeof(th.th_sum));
	return tap_send(c, buf, off + l4len);
}

/**
 * tcp_sock_wnd() - Window to advertise: free space in the send buffer
 * @conn:	Connection, socket open
 *
 * SO_SNDBUF counts bookkeeping overhead too (socket(7)), so only three
 * quarters of it are taken as room for payload.  Where the kernel reports
 * the host peer's window (tcpi_snd_wnd), we don't offer more than that
 * window plus one buffer's worth beyond it.
 *
 * Return: window in bytes
 *
 * #syscalls getsockopt ioctl
 */
static uint32_t tcp_sock_wnd(const struct tcp_conn *conn)
{
	int sndbuf = 0, outq = 0;
	socklen_t sl = sizeof(sndbuf);
	uint32_t snd_wnd;
	long long room;

	if (getsockopt(conn->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    ioctl(conn->sock, SIOCOUTQ, &outq))
		return TCP_MSS4_DEFAULT;
	room = (long long)sndbuf / 4 * 3 - outq;
	if (tcp_info_snd_wnd(conn->sock, &snd_wnd))
		room = MIN(room, (long long)snd_wnd + TCP_SNDWND_SLACK - outq);
	if (room < 0)
		return 0;
	return room > (1LL << 30) ? 1U << 30 : (uint32_t)room;
}

/**
 * tcp_wnd_to_tap() - Compute the window field for the next segment
 * @c:		Execution context
 * @conn:	Connection
 *
 * Arms EPOLLOUT when the window is below one segment, so that the guest
 * gets an update once the host socket drains.
 *
 * Return: window field, host order
 *
 * #syscalls timerfd_settime
 */
static uint16_t tcp_wnd_to_tap(const struct ctx *c, struct tcp_conn *conn)
{
	uint32_t wnd;

	if (conn->flags & TCP_TAP_FIN)
		return tcp_wnd_to_raw(conn->wnd_to_tap, conn->ws_to_tap);
	wnd = tcp_sock_wnd(conn);
	conn->wnd_to_tap = wnd;
	if (wnd < 2U * conn->mss && !(conn->flags & TCP_WND_WAIT) &&
	    (conn->flags & TCP_ESTABLISHED)) {
		struct itimerspec its = { { 0, TCP_WND_POLL_NS },
					  { 0, TCP_WND_POLL_NS } };

		conn->flags |= TCP_WND_WAIT;
		if (!c->tcp->wnd_wait++ &&
		    timerfd_settime(c->tcp->timerfd, 0, &its, NULL))
			debug_perror("TCP: timerfd_settime");
	}
	return tcp_wnd_to_raw(wnd, conn->ws_to_tap);
}

/**
 * tcp_send_ctl() - Send a segment without payload for a connection
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TCP_F_* flags; SYN segments carry MSS (and window scale)
 *
 * Return: 0 on success, -errno if dropped
 */
static int tcp_send_ctl(const struct ctx *c, struct tcp_conn *conn,
			uint8_t flags)
{
	uint8_t *buf = c->tcp->frames;
	uint8_t opts[8];
	size_t optlen = 0;
	uint32_t seq = conn->seq_to_tap;
	uint16_t wnd;

	/* Our FIN took one sequence number: later segments come after it */
	if ((conn->flags & TCP_FIN_TO_TAP) && !(flags & TCP_F_FIN))
		seq++;
	if (flags & TCP_F_SYN) {
		int mtu = c->mtu ? c->mtu : MTU_DEFAULT;
		uint16_t mss = (uint16_t)(mtu - (conn->v6 ? IP6_HLEN : IP4_HLEN) -
					  TCP_HLEN);

		opts[0] = 2;
		opts[1] = 4;
		opts[2] = (uint8_t)(mss >> 8);
		opts[3] = (uint8_t)mss;
		optlen = 4;
		if (conn->ws_to_tap || (conn->flags & TCP_SYN_TO_TAP)) {
			opts[4] = 1;	/* NOP */
			opts[5] = 3;
			opts[6] = 3;
			opts[7] = TCP_WS_TO_TAP;
			optlen = 8;
		}
		seq = conn->seq_isn;
		wnd = tcp_wnd_to_raw(conn->sock >= 0 ? tcp_sock_wnd(conn) :
				     0xffff, 0);
	} else if (flags & TCP_F_RST) {
		wnd = 0;
	} else {
		wnd = tcp_wnd_to_tap(c, conn);
	}
	return tcp_frame_send(c, conn->v6, &conn->key, buf, seq,
			      (flags & TCP_F_ACK) ? conn->seq_from_tap : 0,
			      flags, wnd, opts, optlen, 0);
}

/**
 * tcp_send_ack_old() - Send an ACK carrying an old sequence number
 * @c:		Execution context
 * @conn:	Connection, established
 * @same_wnd:	Repeat the last window advertised, instead of a fresh one
 *
 * With @same_wnd, this is a duplicate ACK the guest counts for its fast
 * retransmit (RFC 5681, 2: the window must not change).  Without, it's a
 * probe: the sequence number is one before the next one, which the guest
 * answers with an ACK carrying its current window (RFC 9293, 3.8.6.1), so
 * a lost window update can't stall us.
 */
static void tcp_send_ack_old(const struct ctx *c, struct tcp_conn *conn,
			     bool same_wnd)
{
	uint32_t seq = conn->seq_to_tap;
	uint16_t wnd;

	if (same_wnd)
		wnd = tcp_wnd_to_raw(conn->wnd_to_tap, conn->ws_to_tap);
	else
		wnd = tcp_wnd_to_tap(c, conn);
	/* Our FIN took one sequence number */
	if ((conn->flags & TCP_FIN_TO_TAP) && same_wnd)
		seq++;
	else if (!(conn->flags & TCP_FIN_TO_TAP) && !same_wnd)
		seq--;
	tcp_frame_send(c, conn->v6, &conn->key, c->tcp->frames, seq,
		       conn->seq_from_tap, TCP_F_ACK, wnd, NULL, 0, 0);
}

/**
 * tcp_rst() - Reset a connection towards the guest, close the host socket
 * @c:		Execution context
 * @conn:	Connection
 * @host_too:	Also reset the host peer (SO_LINGER 0)
 */
static void tcp_rst(const struct ctx *c, struct tcp_conn *conn, bool host_too)
{
	tcp_send_ctl(c, conn, TCP_F_RST | TCP_F_ACK);
	tcp_conn_free(c, conn, host_too);
}

/**
 * tcp_rewind() - Resend from the first byte the guest didn't acknowledge
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * #syscalls setsockopt
 */
static void tcp_rewind(const struct ctx *c, struct tcp_conn *conn)
{
	int zero = 0;

	conn->seq_to_tap = conn->seq_ack_from_tap;
	if (c->tcp->peek_off &&
	    setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
		       sizeof(zero)))
		debug_perror("TCP: SO_PEEK_OFF");
	if (!(conn->flags & TCP_FIN_ACKED))
		conn->flags &= ~TCP_FIN_TO_TAP;
	conn->dup_acks = 0;
}

/**
 * tcp_peek_off_set() - Point the peek offset at the first byte not sent
 * @c:		Execution context
 * @conn:	Connection
 *
 * #syscalls setsockopt
 */
static void tcp_peek_off_set(const struct ctx *c, const struct tcp_conn *conn)
{
	int off = (int)(conn->seq_to_tap - conn->seq_ack_from_tap);

	if (c->tcp->peek_off &&
	    setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		debug_perror("TCP: SO_PEEK_OFF");
}

/**
 * tcp_fin_maybe() - Send FIN to the guest if the host is done and all sent
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * #syscalls ioctl
 */
static void tcp_fin_maybe(const struct ctx *c, struct tcp_conn *conn)
{
	int inq = 0;

	if (!(conn->flags & TCP_SOCK_EOF) || (conn->flags & TCP_FIN_TO_TAP))
		return;
	if (ioctl(conn->sock, SIOCINQ, &inq) ||
	    (uint32_t)inq != conn->seq_to_tap - conn->seq_ack_from_tap)
		return;
	if (conn->seq_to_tap == conn->seq_ack_from_tap)
		conn->ts_ack = tcp_now_ms(c);
	if (!tcp_send_ctl(c, conn, TCP_F_FIN | TCP_F_ACK))
		conn->flags |= TCP_FIN_TO_TAP;
}

/**
 * tcp_data_from_sock() - Send what the host sent, within the guest's window
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * Return: 0, or -1 if the connection was reset (entry freed)
 *
 * #syscalls recvmsg setsockopt
 */
static int tcp_data_from_sock(const struct ctx *c, struct tcp_conn *conn)
{
	struct tcp_ctx *tc = c->tcp;
	size_t off = tcp_payload_off(conn->v6, 0);
	struct iovec iov[TCP_FRAMES + 1];
	int round;

	conn->flags &= ~TCP_TAP_BLOCKED;
	for (round = 0; round < TCP_READ_ROUNDS; round++) {
		uint32_t inflight = conn->seq_to_tap - conn->seq_ack_from_tap;
		uint32_t room = tcp_send_room(conn->seq_ack_from_tap,
					      conn->wnd_from_tap,
					      conn->seq_to_tap);
		struct msghdr mh = { .msg_iov = iov };
		size_t total = 0, nseg = 0, got, s;
		uint16_t wnd;
		ssize_t n;

		if (inflight >= TCP_MAX_INFLIGHT)
			break;
		room = MIN(room, TCP_MAX_INFLIGHT - inflight);
		if (!room)
			break;
		if (!tc->peek_off && inflight) {
			iov[0].iov_base = tc->discard;
			iov[0].iov_len = inflight;
			mh.msg_iovlen = 1;
		}
		for (; nseg < TCP_FRAMES && total < room; nseg++) {
			size_t len = MIN(conn->mss, room - total);

			iov[mh.msg_iovlen].iov_base = tc->frames +
						       nseg * PKT_MAX_FRAME + off;
			iov[mh.msg_iovlen].iov_len = len;
			mh.msg_iovlen++;
			total += len;
		}
		n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			debug_perror("TCP: recvmsg");
			tcp_rst(c, conn, false);
			return -1;
		}
		if (!tc->peek_off)
			n = n > (ssize_t)inflight ? n - (ssize_t)inflight : 0;
		if (!n)
			break;
		if (!inflight)
			conn->ts_ack = tcp_now_ms(c);

		got = (size_t)n;
		wnd = tcp_wnd_to_tap(c, conn);
		for (s = 0; s < nseg && n > 0; s++) {
			size_t len = MIN((size_t)n, conn->mss);
			uint8_t flags = TCP_F_ACK;

			if ((size_t)n <= conn->mss)
				flags |= TCP_F_PSH;	/* last one */
			if (tcp_frame_send(c, conn->v6, &conn->key,
					   tc->frames + s * PKT_MAX_FRAME,
					   conn->seq_to_tap, conn->seq_from_tap,
					   flags, wnd, NULL, 0, len)) {
				tcp_peek_off_set(c, conn);
				conn->flags |= TCP_TAP_BLOCKED;
				return 0;
			}
			/* Now, not after the loop: a later send may fail and
			 * return, and acknowledgements beyond seq_max_to_tap
			 * are ignored, which would stall the connection
			 */
			conn->seq_to_tap += (uint32_t)len;
			if (tcp_seq_lt(conn->seq_max_to_tap, conn->seq_to_tap))
				conn->seq_max_to_tap = conn->seq_to_tap;
			n -= (ssize_t)len;
		}
		if (got < total)
			break;
	}
	tcp_fin_maybe(c, conn);
	return 0;
}

/**
 * tcp_sock_bufsize() - Set the largest send buffer allowed (wmem_max)
 * @s:		Socket
 *
 * The kernel grows a send buffer only after send() found it full
 * (tcp_check_space()), which never happens since we advertise no more than
 * fits: without a fixed size, the window we offer the guest stays at the
 * initial buffer size.
 */
static void tcp_sock_bufsize(int s)
{
	if (sock_sndbuf_max(s))
		debug_perror("TCP: SO_SNDBUF");
}

/**
 * tcp_fd_room() - Check that a new socket leaves descriptors to spare
 * @s:		Socket just opened (descriptors are allocated lowest first, so
 *		its number is about the count of open ones)
 *
 * Near RLIMIT_NOFILE, new connections are refused (with a RST) so that
 * TCP_FD_RESERVE descriptors stay free for what existing connections and
 * other protocols still need.  The limit is read each time: it may be
 * changed from outside (prlimit(1)).
 *
 * Return: true if @s is far enough below the limit
 *
 * #syscalls prlimit64 getrlimit
 */
static bool tcp_fd_room(int s)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return true;
	return (rlim_t)s + TCP_FD_RESERVE < rl.rlim_cur;
}

/**
 * tcp_sock_open() - Open a non-blocking TCP socket for a guest connection
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @loopback:	The destination is on the host: don't bind to -o addresses
 *
 * Return: socket, -errno on failure
 *
 * #syscalls socket setsockopt close
 */
static int tcp_sock_open(const struct ctx *c, int af, bool loopback)
{
	const char *ifname = af == AF_INET6 ? c->ip6.ifname_out :
					      c->ip4.ifname_out;
	int s = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP);
	int one = 1, zero = 0, rc;

	if (s < 0)
		return -errno;
	tcp_sock_bufsize(s);
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		debug_perror("TCP: TCP_NODELAY");
	if (c->tcp->peek_off &&
	    setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		debug_perror("TCP: SO_PEEK_OFF");
	if (loopback)
		return s;
	if (*ifname && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				  (socklen_t)strlen(ifname)))
		goto fail;
	if (af == AF_INET && c->ip4.addr_out.s_addr) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr = c->ip4.addr_out };

		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			goto fail;
	} else if (af == AF_INET6 &&
		   !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_out)) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6,
					  .sin6_addr = c->ip6.addr_out };

		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			goto fail;
	}
	return s;
fail:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * tcp_rst_unknown() - Answer a segment for no known connection with a RST
 * @c:		Execution context
 * @v6:		IPv6
 * @k:		Guest-side 4-tuple of the segment
 * @th:		Its TCP header
 * @plen:	Its payload length
 */
static void tcp_rst_unknown(const struct ctx *c, bool v6,
			    const struct tcp_key *k, const struct tcphdr *th,
			    size_t plen)
{
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCP_F_RST;

	if (th->th_flags & TCP_F_RST)
		return;
	if (th->th_flags & TCP_F_ACK) {
		seq = ntohl(th->th_ack);
	} else {
		ack = ntohl(th->th_seq) + (uint32_t)plen +
		      !!(th->th_flags & TCP_F_SYN) + !!(th->th_flags & TCP_F_FIN);
		flags |= TCP_F_ACK;
	}
	tcp_frame_send(c, v6, k, c->tcp->frames, seq, ack, flags, 0, NULL, 0,
		       0);
}

/**
 * tcp_opts_parse() - Read MSS and window scale from a SYN's options
 * @conn:	Connection: mss, ws_from_tap and ws_to_tap are set
 * @opts:	Options, NULL if none
 * @len:	Options length
 * @mtu:	Our MTU towards the guest
 */
static void tcp_opts_parse(struct tcp_conn *conn, const uint8_t *opts,
			   size_t len, int mtu)
{
	size_t i = 0, cap = (size_t)mtu - (conn->v6 ? IP6_HLEN : IP4_HLEN) -
			    TCP_HLEN;
	unsigned mss = conn->v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT;

	conn->ws_from_tap = conn->ws_to_tap = 0;
	while (opts && i < len) {
		uint8_t kind = opts[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = opts[i + 1];
		if (olen < 2 || i + olen > len)
			break;
		if (kind == 2 && olen == 4)
			mss = (unsigned)opts[i + 2] << 8 | opts[i + 3];
		if (kind == 3 && olen == 3) {
			conn->ws_from_tap = MIN(opts[i + 2], TCP_WS_MAX);
			conn->ws_to_tap = TCP_WS_TO_TAP;
		}
		i += olen;
	}
	if (cap > PKT_MAX_FRAME - tcp_payload_off(true, 0))
		cap = PKT_MAX_FRAME - tcp_payload_off(true, 0);
	conn->mss = (uint16_t)MIN(MAX(mss, 64U), cap);
}

/**
 * tcp_conn_new_tap() - Open a connection for a SYN from the guest
 * @c:		Execution context
 * @v6:		IPv6
 * @k:		Guest-side 4-tuple
 * @th:		SYN header
 * @opts:	Its options, NULL if none
 * @optlen:	Options length
 *
 * #syscalls socket setsockopt bind connect
 */
static void tcp_conn_new_tap(struct ctx *c, bool v6, const struct tcp_key *k,
			     const struct tcphdr *th, const uint8_t *opts,
			     size_t optlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(k->rport),
				   .sin6_addr = k->raddr };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(k->rport),
				  .sin_addr = tcp_v4_of(&k->raddr) };
	struct tcp_conn *conn;
	bool loopback;
	int s, rc;

	/* DNS over TCP to the --dns-forward address: the first resolver */
	if (!v6 && c->ip4.dns_match.s_addr && k->rport == 53 &&
	    a4.sin_addr.s_addr == c->ip4.dns_match.s_addr &&
	    c->ip4.dns[0].s_addr) {
		a4.sin_addr = c->ip4.dns[0];
		loopback = ntohl(a4.sin_addr.s_addr) >> 24 == IN_LOOPBACKNET;
	} else if (v6 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
		   k->rport == 53 &&
		   IN6_ARE_ADDR_EQUAL(&k->raddr, &c->ip6.dns_match) &&
		   !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0])) {
		a6.sin6_addr = c->ip6.dns[0];
		loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
	} else {
		/* Mapped destinations are on this host: -o must not apply */
		loopback = (v6 ? fwd_nat_dst6(c, &a6.sin6_addr) :
				 fwd_nat_dst4(c, &a4.sin_addr)) != FWD_NAT_NONE;
	}
	if (v6 && !loopback && IN6_IS_ADDR_LINKLOCAL(&a6.sin6_addr))
		a6.sin6_scope_id = c->ifi6;

	conn = tcp_conn_alloc(c, k, v6);
	if (!conn) {
		debug("TCP: connection table full, resetting new connection");
		tcp_rst_unknown(c, v6, k, th, 0);
		return;
	}
	conn->seq_from_tap = ntohl(th->th_seq) + 1;
	conn->seq_to_tap = conn->seq_ack_from_tap = conn->seq_max_to_tap =
		conn->seq_isn + 1;
	conn->wnd_from_tap = ntohs(th->th_win);
	tcp_opts_parse(conn, opts, optlen, c->mtu ? c->mtu : MTU_DEFAULT);
	conn->flags = TCP_SYN_FROM_TAP;

	s = tcp_sock_open(c, v6 ? AF_INET6 : AF_INET, loopback);
	if (s >= 0 && !tcp_fd_room(s)) {
		close(s);
		s = -EMFILE;
	}
	if (s < 0) {
		debug("TCP: can't open socket: %s", strerror_(-s));
		tcp_rst(c, conn, false);
		return;
	}
	conn->sock = s;
	if (v6)
		rc = connect(s, (struct sockaddr *)&a6, sizeof(a6));
	else
		rc = connect(s, (struct sockaddr *)&a4, sizeof(a4));
	if (rc && errno != EINPROGRESS) {
		debug_perror("TCP: connect");
		tcp_rst(c, conn, false);
		return;
	}
	if (tcp_epoll_set(c, conn, EPOLLOUT | EPOLLIN | EPOLLRDHUP | EPOLLET)) {
		tcp_rst(c, conn, false);
		return;
	}
}

/**
 * tcp_tap_ack() - Process the acknowledgment and window in a guest segment
 * @c:		Execution context
 * @conn:	Connection, established
 * @th:		TCP header
 * @plen:	Payload length
 *
 * Return: 0, -1 if the connection was reset (entry freed)
 *
 * #syscalls recvfrom
 */
static int tcp_tap_ack(const struct ctx *c, struct tcp_conn *conn,
		       const struct tcphdr *th, size_t plen)
{
	uint32_t ack = ntohl(th->th_ack);
	uint32_t wnd = tcp_wnd_from_raw(ntohs(th->th_win), conn->ws_from_tap);

	if (!(th->th_flags & TCP_F_ACK))
		return 0;
	if ((conn->flags & TCP_SOCK_EOF) && (conn->flags & TCP_FIN_TO_TAP) &&
	    ack == conn->seq_max_to_tap + 1) {
		conn->flags |= TCP_FIN_ACKED;
		ack = conn->seq_max_to_tap;
	}
	if (tcp_seq_lt(conn->seq_ack_from_tap, ack) &&
	    tcp_seq_le(ack, conn->seq_max_to_tap)) {
		uint32_t acked = ack - conn->seq_ack_from_tap;
		/* MSG_TRUNC: discard, no buffer needed (tcp(7)) */
		// cppcheck-suppress nullPointer
		ssize_t n = recv(conn->sock, NULL, acked,
				 MSG_TRUNC | MSG_DONTWAIT);

		if (n < 0 || (size_t)n != acked) {
			debug("TCP: consumed %zd of %u acknowledged bytes",
			      n, acked);
			tcp_rst(c, conn, true);
			return -1;
		}
		conn->seq_ack_from_tap = ack;
		if (tcp_seq_lt(conn->seq_to_tap, ack))
			conn->seq_to_tap = ack;
		conn->dup_acks = 0;
		conn->retries = 0;
		conn->ts_ack = tcp_now_ms(c);
	} else if (ack == conn->seq_ack_from_tap && !plen &&
		   !(th->th_flags & (TCP_F_SYN | TCP_F_FIN)) &&
		   conn->seq_to_tap != conn->seq_ack_from_tap &&
		   wnd == conn->wnd_from_tap) {
		if (++conn->dup_acks == 3) {
			debug("TCP: 3 duplicate ACKs, resending from %u", ack);
			tcp_rewind(c, conn);
		}
	}
	/* Not from an older ACK that arrived late (reordered): its window is
	 * stale (RFC 9293, 3.10.7.4, SND.WL2)
	 */
	if (tcp_seq_le(conn->seq_ack_from_tap, ack) &&
	    tcp_seq_le(ack, conn->seq_max_to_tap))
		conn->wnd_from_tap = wnd;
	return 0;
}

/**
 * tcp_sock_send() - Write guest payload to the host socket, as it continues
 * the stream
 * @c:		Execution context
 * @conn:	Connection, established
 * @data:	Payload starting at seq_from_tap
 * @len:	Length
 *
 * Advances seq_from_tap by what the socket took.
 *
 * Return: bytes written (0 if the socket is full), -1 if the write failed
 * and the connection was reset (entry freed)
 *
 * #syscalls sendto
 */
static ssize_t tcp_sock_send(const struct ctx *c, struct tcp_conn *conn,
			     const uint8_t *data, size_t len)
{
	ssize_t n = send(conn->sock, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			debug_perror("TCP: send");
			tcp_rst(c, conn, true);
			return -1;
		}
		return 0;
	}
	conn->seq_from_tap += (uint32_t)n;
	return n;
}

/**
 * tcp_tap_data() - Write a guest segment's payload to the socket, handle FIN
 * @c:		Execution context
 * @conn:	Connection, established
 * @th:		TCP header
 * @data:	Payload
 * @plen:	Payload length
 *
 * Return: 0, -1 if the connection was reset (entry freed)
 *
 * #syscalls shutdown
 */
static int tcp_tap_data(const struct ctx *c, struct tcp_conn *conn,
			const struct tcphdr *th, const uint8_t *data,
			size_t plen)
{
	bool fin = th->th_flags & TCP_F_FIN;
	int64_t skip;
	size_t len;
	ssize_t n = 0;

	if (!plen && !fin) {
		/* Window probe or keepalive (RFC 9293, 3.10.7.4): answer */
		if (ntohl(th->th_seq) != conn->seq_from_tap)
			tcp_send_ctl(c, conn, TCP_F_ACK);
		return 0;
	}
	if (conn->flags & TCP_TAP_FIN) {
		tcp_send_ctl(c, conn, TCP_F_ACK);
		return 0;
	}
	skip = tcp_seg_skip(ntohl(th->th_seq), (uint32_t)plen,
			    conn->seq_from_tap);
	if (skip < 0) {
		/* A hole before this segment: hold it if we can, until the
		 * hole is filled, and send a duplicate ACK either way, for the
		 * guest's fast retransmit (RFC 5681, 4.2)
		 */
		if (!(th->th_flags & ~(TCP_F_ACK | TCP_F_PSH)) &&
		    !tcp_ooo_store(&c->tcp->ooo, (int)(conn - c->tcp->conn),
				   ntohl(th->th_seq), data, plen))
			trace("TCP: no room to hold segment %u", ntohl(th->th_seq));
		tcp_send_ack_old(c, conn, true);
		return 0;
	}
	len = plen - (size_t)skip;
	if (len) {
		n = tcp_sock_send(c, conn, data + skip, len);
		if (n < 0)
			return -1;
	}
	trace("TCP: from guest seq %u len %zu skip %lld, wrote %zd",
	      ntohl(th->th_seq), plen, (long long)skip, n);
	if (fin && (size_t)n == len) {
		if (shutdown(conn->sock, SHUT_WR))
			debug_perror("TCP: shutdown");
		conn->seq_from_tap++;
		conn->flags |= TCP_TAP_FIN;
	}
	tcp_send_ctl(c, conn, TCP_F_ACK);
	return 0;
}

/**
 * tcp_ooo_drain() - Write held guest segments that now continue the stream
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * Stops when nothing held continues the stream, or when the socket is full
 * (a segment partly written stays held, for the rest).
 *
 * Return: bytes written, -1 if the connection was reset (entry freed)
 */
static ssize_t tcp_ooo_drain(const struct ctx *c, struct tcp_conn *conn)
{
	struct tcp_ooo *q = &c->tcp->ooo;
	int idx = (int)(conn - c->tcp->conn), i;
	ssize_t total = 0;

	if (conn->flags & TCP_TAP_FIN)
		return 0;
	for (i = 0; i < TCP_OOO_SLOTS && q->used; i++) {
		size_t skip = 0, len;
		int slot;
		ssize_t n;

		slot = tcp_ooo_next(q, idx, conn->seq_from_tap, &skip);
		if (slot < 0)
			break;
		len = q->slot[slot].len - skip;
		n = tcp_sock_send(c, conn, tcp_ooo_data(q, slot) + skip, len);
		if (n < 0)
			return -1;
		total += n;
		if ((size_t)n < len)
			break;
		tcp_ooo_free(q, slot);
	}
	return total;
}

/**
 * tcp_pend_finish() - Send an owed ACK, and what waits in the host socket
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * Held guest segments that the batch made contiguous are written first, so
 * that the ACK covers them.
 */
static void tcp_pend_finish(const struct ctx *c, struct tcp_conn *conn)
{
	ssize_t n = tcp_ooo_drain(c, conn);

	if (n < 0)
		return;
	if (n > 0)
		conn->flags |= TCP_PEND_ACK;
	if (conn->flags & TCP_PEND_ACK) {
		conn->flags &= ~TCP_PEND_ACK;
		tcp_send_ctl(c, conn, TCP_F_ACK);
	}
	tcp_data_from_sock(c, conn);
}

/**
 * tcp_pend_mark() - Finish a connection once the batch of tap frames ends
 * @c:		Execution context
 * @conn:	Connection, established
 * @ack:	The guest is owed an ACK
 *
 * If the list of connections to finish is full, finish this one now.
 */
static void tcp_pend_mark(const struct ctx *c, struct tcp_conn *conn,
			  bool ack)
{
	struct tcp_ctx *tc = c->tcp;

	if (ack)
		conn->flags |= TCP_PEND_ACK;
	if (conn->flags & TCP_PEND_SOCK)
		return;
	if (tc->pend_cnt >= TCP_PEND_MAX) {
		tcp_pend_finish(c, conn);
		return;
	}
	conn->flags |= TCP_PEND_SOCK;
	tc->pend_list[tc->pend_cnt++] = (int)(conn - tc->conn);
}

/**
 * tcp_pend_data_flush() - Write the collected guest payload to its socket
 * @c:		Execution context
 *
 * What the socket doesn't take is dropped: it isn't acknowledged, and the
 * guest sends it again.
 *
 * #syscalls sendmsg
 */
static void tcp_pend_data_flush(const struct ctx *c)
{
	struct tcp_ctx *tc = c->tcp;
	struct msghdr mh = { .msg_iov = tc->pend_iov };
	struct tcp_conn *conn;
	ssize_t n;

	if (tc->pend < 0)
		return;
	conn = &tc->conn[tc->pend];
	mh.msg_iovlen = tc->pend_n;
	tc->pend = -1;
	tc->pend_n = tc->pend_len = 0;

	n = sendmsg(conn->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			debug_perror("TCP: sendmsg");
			tcp_rst(c, conn, true);
			return;
		}
		n = 0;
	}
	conn->seq_from_tap += (uint32_t)n;
	tcp_pend_mark(c, conn, true);
}

/**
 * tcp_tap_append() - Collect an in-order guest segment for one write
 * @c:		Execution context
 * @conn:	Connection, established
 * @th:		TCP header
 * @data:	Payload, in the tap pool
 * @plen:	Payload length
 *
 * Only plain data segments (ACK, maybe PSH) that continue exactly where
 * the collected payload ends are taken; anything else goes the slow way,
 * tcp_tap_data(), after the collected payload is written.
 *
 * Return: true if the segment was taken (or its connection was reset)
 */
static bool tcp_tap_append(const struct ctx *c, struct tcp_conn *conn,
			   const struct tcphdr *th, const uint8_t *data,
			   size_t plen)
{
	struct tcp_ctx *tc = c->tcp;
	int idx = (int)(conn - tc->conn);
	uint32_t seq = ntohl(th->th_seq);
	struct iovec *iov;

	if (!plen || (th->th_flags & ~(TCP_F_ACK | TCP_F_PSH)) ||
	    !(th->th_flags & TCP_F_ACK) || (conn->flags & TCP_TAP_FIN))
		return false;
	if (seq != conn->seq_from_tap +
		   (tc->pend == idx ? (uint32_t)tc->pend_len : 0))
		return false;
	if (tc->pend != idx || tc->pend_n >= TCP_PEND_IOV) {
		tcp_pend_data_flush(c);
		if (conn->sock < 0)
			return true;
		if (seq != conn->seq_from_tap)
			return false;
	}
	tc->pend = idx;
	iov = &tc->pend_iov[tc->pend_n++];
	/* Only read from: sendmsg() takes a non-const iovec */
	iov->iov_base = (void *)(uintptr_t)data;
	iov->iov_len = plen;
	tc->pend_len += plen;
	tcp_pend_mark(c, conn, true);
	return true;
}

/**
 * tcp_tap_handler() - Handle a TCP segment from the guest
 * @c:		Execution context
 * @af:		AF_INET (addresses are struct in_addr) or AF_INET6
 * @saddr:	Source address
 * @daddr:	Destination address
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the TCP header in the frame
 * @l4len:	TCP header and payload length, from the IP header
 */
void tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct pool *p, size_t idx,
		     size_t l4off, size_t l4len)
{
	const struct tcphdr *th;
	const uint8_t *opts = NULL, *data = NULL;
	struct tcp_conn *conn;
	struct tcp_key k = { 0 };
	bool v6 = af == AF_INET6;
	size_t hlen, plen;
	uint8_t fl;

	if (c->no_tcp || !c->tcp)
		return;
	th = packet_get(p, idx, l4off, TCP_HLEN, NULL);
	if (!th)
		return;
	hlen = (size_t)th->th_off * 4;
	if (hlen < TCP_HLEN || hlen > l4len)
		return;
	if (hlen > TCP_HLEN) {
		opts = packet_get(p, idx, l4off + TCP_HLEN, hlen - TCP_HLEN,
				  NULL);
		if (!opts)
			return;
	}
	plen = l4len - hlen;
	if (plen) {
		data = packet_get(p, idx, l4off + hlen, plen, NULL);
		if (!data)
			return;
	}
	if (v6) {
		memcpy(&k.gaddr, saddr, sizeof(k.gaddr));
		memcpy(&k.raddr, daddr, sizeof(k.raddr));
	} else {
		struct in_addr s4, d4;

		memcpy(&s4, saddr, sizeof(s4));
		memcpy(&d4, daddr, sizeof(d4));
		tcp_v4_mapped(&k.gaddr, s4);
		tcp_v4_mapped(&k.raddr, d4);
	}
	k.gport = ntohs(th->th_sport);
	k.rport = ntohs(th->th_dport);
	fl = th->th_flags;

	conn = tcp_lookup(c->tcp, &k);
	if (!conn) {
		if ((fl & (TCP_F_SYN | TCP_F_ACK | TCP_F_RST)) == TCP_F_SYN)
			tcp_conn_new_tap(c, v6, &k, th, opts, hlen - TCP_HLEN);
		else
			tcp_rst_unknown(c, v6, &k, th, plen);
		return;
	}
	conn->ts_active = tcp_now_ms(c);

	if (fl & TCP_F_RST) {
		tcp_conn_free(c, conn, true);
		return;
	}

	if (conn->flags & TCP_SYN_TO_TAP) {
		if ((fl & (TCP_F_SYN | TCP_F_ACK)) != (TCP_F_SYN | TCP_F_ACK) ||
		    ntohl(th->th_ack) != conn->seq_isn + 1)
			return;
		conn->seq_from_tap = ntohl(th->th_seq) + 1;
		conn->wnd_from_tap = ntohs(th->th_win);
		tcp_opts_parse(conn, opts, hlen - TCP_HLEN,
			       c->mtu ? c->mtu : MTU_DEFAULT);
		conn->flags = (conn->flags & ~TCP_SYN_TO_TAP) | TCP_ESTABLISHED;
		conn->retries = 0;
		tcp_send_ctl(c, conn, TCP_F_ACK);
		tcp_data_from_sock(c, conn);
		return;
	}
	if (conn->flags & TCP_SYN_FROM_TAP)
		return;		/* SYN resent while we connect */
	if (conn->flags & TCP_SYNACK_TO_TAP) {
		if (fl & TCP_F_SYN) {
			tcp_send_ctl(c, conn, TCP_F_SYN | TCP_F_ACK);
			return;
		}
		if (!(fl & TCP_F_ACK) || ntohl(th->th_ack) != conn->seq_isn + 1)
			return;
		conn->flags = (conn->flags & ~TCP_SYNACK_TO_TAP) |
			      TCP_ESTABLISHED;
		conn->retries = 0;
	}
	if (fl & TCP_F_SYN) {
		/* The guest resent its SYN-ACK: our ACK was lost.  Any other
		 * SYN on an established connection gets an ACK too (RFC 5961,
		 * 4.2)
		 */
		tcp_send_ctl(c, conn, TCP_F_ACK);
		return;
	}

	if (tcp_tap_ack(c, conn, th, plen))
		return;
	if (tcp_tap_append(c, conn, th, data, plen))
		return;
	if (c->tcp->pend == (int)(conn - c->tcp->conn)) {
		tcp_pend_data_flush(c);
		if (conn->sock < 0)
			return;
	}
	if (tcp_tap_data(c, conn, th, data, plen))
		return;
	if ((conn->flags & TCP_TAP_FIN) && (conn->flags & TCP_FIN_ACKED)) {
		tcp_conn_free(c, conn, false);
		return;
	}
	tcp_pend_mark(c, conn, false);
}

/**
 * tcp_sock_handler() - Handle events on a connection's host socket
 * @c:		Execution context
 * @ref:	epoll reference: data is the connection index
 * @events:	epoll events
 *
 * #syscalls getsockopt
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	struct tcp_conn *conn;
	int err = 0;
	socklen_t sl = sizeof(err);

	if (ref.data >= TCP_CONN_MAX)
		return;
	conn = &c->tcp->conn[ref.data];
	if (conn->sock < 0 || conn->sock != ref.fd)
		return;

	if (conn->flags & TCP_SYN_FROM_TAP) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl) ||
		    err || (events & (EPOLLERR | EPOLLHUP))) {
			debug("TCP: connect failed: %s", strerror_(err));
			tcp_rst(c, conn, false);
			return;
		}
		conn->flags = TCP_SYNACK_TO_TAP;
		conn->ts_ack = tcp_now_ms(c);
		tcp_send_ctl(c, conn, TCP_F_SYN | TCP_F_ACK);
		if (tcp_epoll_set(c, conn, EPOLLIN | EPOLLRDHUP | EPOLLET))
			tcp_rst(c, conn, true);
		return;
	}

	if (events & EPOLLERR) {
		if (getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl))
			err = errno;
		debug("TCP: host socket error: %s", strerror_(err));
		tcp_rst(c, conn, false);
		return;
	}
	conn->ts_active = tcp_now_ms(c);
	if (events & (EPOLLRDHUP | EPOLLHUP))
		conn->flags |= TCP_SOCK_EOF;
	if (!(conn->flags & TCP_ESTABLISHED))
		return;

	tcp_data_from_sock(c, conn);
}

/**
 * tcp_guest_addr() - Address of the guest for a connection from the host
 * @c:		Execution context
 * @v6:		IPv6
 * @dst:	Guest address, IPv4-mapped for IPv4
 */
static void tcp_guest_addr(const struct ctx *c, bool v6, struct in6_addr *dst)
{
	if (!v6) {
		tcp_v4_mapped(dst, c->ip4.addr_seen.s_addr ? c->ip4.addr_seen :
							      c->ip4.addr);
		return;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		*dst = c->ip6.addr_seen;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		*dst = c->ip6.addr;
	else
		*dst = c->ip6.addr_ll_seen;
}

/**
 * tcp_sa_unmap() - Turn an IPv4-mapped IPv6 socket address into IPv4
 * @sa:		Socket address, rewritten in place if IPv4-mapped
 *
 * Dual-stack listeners (tcp_listen_dual(), for -t all) see IPv4 peers, and
 * their own IPv4 addresses, as ::ffff:a.b.c.d: the rest of this file wants
 * them as what they are.
 *
 * Return: true if @sa is IPv4 (now)
 */
static bool tcp_sa_unmap(struct sockaddr_storage *sa)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6;

	if (sa->ss_family == AF_INET)
		return true;
	if (sa->ss_family != AF_INET6)
		return false;
	memcpy(&a6, sa, sizeof(a6));
	if (!IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr))
		return false;
	a4.sin_port = a6.sin6_port;
	memcpy(&a4.sin_addr, &a6.sin6_addr.s6_addr[12], sizeof(a4.sin_addr));
	memset(sa, 0, sizeof(*sa));
	memcpy(sa, &a4, sizeof(a4));
	return true;
}

/**
 * tcp_peer_addr() - Address the guest sees for a host-side peer
 * @c:		Execution context
 * @s:		Accepted socket
 * @v6:		IPv6
 * @sa:		Peer address from accept()
 * @k:		Key: raddr and rport are set
 *
 * Loopback and local sources are translated by fwd_nat_src4/6(): by
 * default they become the gateway address (passt(1), NOTES).  A source is
 * local if it's our address, or the guest's, or the address the connection
 * came to (a client on this host connecting to one of its own addresses
 * gets that same address as source).
 *
 * #syscalls getsockname
 */
static void tcp_peer_addr(const struct ctx *c, int s, bool v6,
			  const struct sockaddr_storage *sa, struct tcp_key *k)
{
	struct sockaddr_storage self = { 0 };
	socklen_t sl = sizeof(self);

	if (getsockname(s, (struct sockaddr *)&self, &sl))
		memset(&self, 0, sizeof(self));
	if (!v6 && !tcp_sa_unmap(&self))
		memset(&self, 0, sizeof(self));
	if (!v6) {
		struct sockaddr_in a4;
		struct in_addr a;

		memcpy(&a4, sa, sizeof(a4));
		a = a4.sin_addr;

		memcpy(&a4, &self, sizeof(a4));
		fwd_nat_src4(c, &a, a.s_addr == a4.sin_addr.s_addr);
		memcpy(&a4, sa, sizeof(a4));
		tcp_v4_mapped(&k->raddr, a);
		k->rport = ntohs(a4.sin_port);
	} else {
		struct sockaddr_in6 a6;
		struct in6_addr to;

		memcpy(&a6, &self, sizeof(a6));
		to = a6.sin6_addr;
		memcpy(&a6, sa, sizeof(a6));
		k->raddr = a6.sin6_addr;
		fwd_nat_src6(c, &k->raddr, IN6_ARE_ADDR_EQUAL(&k->raddr, &to));
		k->rport = ntohs(a6.sin6_port);
	}
}

/**
 * tcp_listen_handler() - Accept connections on a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference: data is the port, TCP_LISTEN_V6 for IPv6
 * @events:	epoll events
 *
 * #syscalls accept4 setsockopt close
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	bool listen_v6 = ref.data & TCP_LISTEN_V6;
	uint16_t port = (uint16_t)ref.data;
	int i;

	if (!(events & EPOLLIN))
		return;
	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		struct sockaddr_storage sa = { 0 };
		socklen_t sl = sizeof(sa);
		struct tcp_conn *conn;
		struct tcp_key k = { 0 };
		bool v6 = listen_v6;
		int s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
				SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1, zero = 0;

		if (s < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug_perror("TCP: accept");
			return;
		}
		/* IPv4 client of a dual-stack listener (-t all) */
		if (v6 && tcp_sa_unmap(&sa))
			v6 = false;
		/* pasta: loopback clients bypass the tap (tcp_splice.c) */
		if (c->tcp_splice && tcp_splice_loopback(&sa)) {
			tcp_splice_conn_new(c, s, tcp_splice_loopback(&sa),
					    (uint16_t)(port +
						       c->tcp_in.delta[port]),
					    false);
			continue;
		}
		tcp_guest_addr(c, v6, &k.gaddr);
		tcp_peer_addr(c, s, v6, &sa, &k);
		k.gport = (uint16_t)(port + c->tcp_in.delta[port]);

		conn = !tcp_fd_room(s) || tcp_lookup(c->tcp, &k) ? NULL :
		       tcp_conn_alloc(c, &k, v6);
		if (!conn) {
			struct linger l = { 1, 0 };

			debug("TCP: can't track connection to port %u, reset",
			      port);
			if (setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
				debug_perror("TCP: SO_LINGER");
			close(s);
			continue;
		}
		conn->sock = s;
		tcp_sock_bufsize(s);
		if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			debug_perror("TCP: TCP_NODELAY");
		if (c->tcp->peek_off &&
		    setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
			debug_perror("TCP: SO_PEEK_OFF");
		conn->flags = TCP_SYN_TO_TAP;
		conn->seq_to_tap = conn->seq_ack_from_tap =
			conn->seq_max_to_tap = conn->seq_isn + 1;
		conn->mss = conn->v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT;
		if (tcp_epoll_set(c, conn, EPOLLIN | EPOLLRDHUP | EPOLLET)) {
			tcp_conn_free(c, conn, true);
			continue;
		}
		tcp_send_ctl(c, conn, TCP_F_SYN);
	}
}

/**
 * tcp_listen_one() - Open a listening socket for one forwarded port
 * @c:		Execution context
 * @v6:		IPv6
 * @port:	Port, host order
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_listen_one(const struct ctx *c, bool v6, uint16_t port)
{
	const struct fwd_ports *fwd = &c->tcp_in;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int s, rc;

	if (fwd->addr_family == AF_INET)
		a4.sin_addr = fwd->addr4;
	if (fwd->addr_family == AF_INET6)
		a6.sin6_addr = fwd->addr6;
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return -errno;
	rc = sock_bind_fwd(s, v6, &a4, &a6, fwd->ifname);
	if (rc || listen(s, SOMAXCONN)) {
		rc = rc ? rc : -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_LISTEN, s,
			   (uint32_t)port | (v6 ? TCP_LISTEN_V6 : 0));
	if (rc) {
		close(s);
		return rc;
	}
	return 0;
}

/**
 * tcp_listen_dual() - Open one dual-stack listening socket for both versions
 * @c:		Execution context
 * @port:	Port, host order
 *
 * Half the descriptors of two sockets per port, for -t all, where
 * RLIMIT_NOFILE bounds how many ports can be had.  IPv4 clients then show
 * up as IPv4-mapped addresses: tcp_listen_handler() unmaps them.  Only for
 * sets without a bind address (else one version only is served anyway).
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_listen_dual(const struct ctx *c, uint16_t port)
{
	const struct fwd_ports *fwd = &c->tcp_in;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	int one = 1, zero = 0, s, rc;

	s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_TCP);
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    (*fwd->ifname &&
	     setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, fwd->ifname,
			(socklen_t)strlen(fwd->ifname))) ||
	    bind(s, (struct sockaddr *)&a6, sizeof(a6)) ||
	    listen(s, SOMAXCONN)) {
		rc = -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_LISTEN, s,
			   (uint32_t)port | TCP_LISTEN_V6);
	if (rc)
		close(s);
	return rc;
}

/**
 * tcp_listen_all() - Bind every port of an "all" set, best effort
 * @c:		Execution context
 *
 * Ports in use or needing privileges are skipped, and binding stops before
 * descriptors run short (see fwd_bind.c): one summary line says how it
 * went.  With both IP versions and no bind address, one dual-stack socket
 * serves a port; if that fails other than for privileges (the port may be
 * taken for one version only), each version gets its own socket.
 *
 * Context: setup
 */
static void tcp_listen_all(const struct ctx *c)
{
	const struct fwd_ports *fwd = &c->tcp_in;
	bool dual = c->ifi4 && c->ifi6 && fwd->addr_family == AF_UNSPEC;
	unsigned budget = fwd_fd_budget(c->epollfd, false), used = 0, port;
	struct fwd_all_stats st = { 0 };

	for (port = 1; port < NUM_PORTS; port++) {
		int rc4, rc6, rc;

		if (!fwd_port_isset(fwd, port))
			continue;
		rc4 = rc6 = -EAFNOSUPPORT;
		if (used + (dual ? 1 : 2) > budget) {
			st.first_left = port;
			break;
		}
		if (dual) {
			rc = tcp_listen_dual(c, (uint16_t)port);
			if (!rc || rc == -EACCES) {
				used += !rc;
				fwd_all_count(&st, rc);
				if (rc)
					trace("-t all: port %u skipped: %s",
					      port, strerror_(-rc));
				continue;
			}
			/* Taken for one version, perhaps not the other; or no
			 * dual-stack sockets here: one socket per version
			 */
			if (used + 2 > budget) {
				st.first_left = port;
				break;
			}
		}
		if (c->ifi4 && fwd->addr_family != AF_INET6)
			rc4 = tcp_listen_one(c, false, (uint16_t)port);
		if (c->ifi6 && fwd->addr_family != AF_INET)
			rc6 = tcp_listen_one(c, true, (uint16_t)port);
		used += (unsigned)!rc4 + (unsigned)!rc6;
		rc = !rc4 || !rc6 ? 0 : rc4 != -EAFNOSUPPORT ? rc4 : rc6;
		fwd_all_count(&st, rc);
		if (rc)
			trace("-t all: port %u skipped: %s", port,
			      strerror_(-rc));
	}
	fwd_all_report("-t", &st);
}

/**
 * tcp_listen_init() - Bind listening sockets for every port given with -t
 * @c:		Execution context
 *
 * Context: setup; exits if a port given explicitly can't be bound for any
 * IP version
 */
static void tcp_listen_init(const struct ctx *c)
{
	const struct fwd_ports *fwd = &c->tcp_in;
	unsigned port;

	if (fwd->all && (fwd->mode == FWD_ALL || fwd->mode == FWD_SPEC)) {
		tcp_listen_all(c);
		return;
	}
	if (fwd->mode != FWD_SPEC)
		return;
	for (port = 0; port < NUM_PORTS; port++) {
		int rc4, rc6;

		if (!fwd_port_isset(fwd, port))
			continue;
		rc4 = rc6 = -EAFNOSUPPORT;
		if (c->ifi4 && fwd->addr_family != AF_INET6)
			rc4 = tcp_listen_one(c, false, (uint16_t)port);
		if (c->ifi6 && fwd->addr_family != AF_INET)
			rc6 = tcp_listen_one(c, true, (uint16_t)port);
		if (rc4 && rc6)
			die("-t: can't bind TCP port %u: %s", port,
			    strerror_(rc4 != -EAFNOSUPPORT ? -rc4 : -rc6));
		if (rc4 && rc4 != -EAFNOSUPPORT)
			warn("-t: can't bind TCP port %u for IPv4: %s", port,
			     strerror_(-rc4));
		if (rc6 && rc6 != -EAFNOSUPPORT)
			warn("-t: can't bind TCP port %u for IPv6: %s", port,
			     strerror_(-rc6));
	}
}

/**
 * tcp_init() - Allocate the connection table, bind forwarded ports
 * @c:		Execution context, epoll instance ready
 *
 * Context: setup; exits if a forwarded port can't be bound
 * Return: 0 on success, -errno on failure
 */
int tcp_init(struct ctx *c)
{
	struct tcp_ctx *tc;
	struct rlimit rl;
	int i, ooo_err;

	if (c->no_tcp)
		return 0;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			debug_perror("can't raise RLIMIT_NOFILE");
	}
	tc = calloc(1, sizeof(*tc));
	if (!tc)
		return -ENOMEM;
	tc->conn = calloc(TCP_CONN_MAX, sizeof(*tc->conn));
	tc->hash = malloc(TCP_HASH_BUCKETS * sizeof(*tc->hash));
	tc->frames = malloc((size_t)TCP_FRAMES * PKT_MAX_FRAME);
	tc->peek_off = probe_tcp_peek_off();
	ooo_err = tcp_ooo_init(&tc->ooo);
	if (!tc->peek_off)
		tc->discard = malloc(TCP_MAX_INFLIGHT);
	if (!tc->conn || !tc->hash || !tc->frames || ooo_err ||
	    (!tc->peek_off && !tc->discard)) {
		free(tc->ooo.data);
		free(tc->conn);
		free(tc->hash);
		free(tc->frames);
		free(tc->discard);
		free(tc);
		return -ENOMEM;
	}
	if (getrandom(tc->hash_key, sizeof(tc->hash_key), 0) !=
	    (ssize_t)sizeof(tc->hash_key))
		die_perror("TCP: getrandom");
	for (i = 0; i < TCP_HASH_BUCKETS; i++)
		tc->hash[i] = -1;
	for (i = 0; i < TCP_CONN_MAX; i++) {
		tc->conn[i].sock = -1;
		tc->conn[i].next = i + 1 < TCP_CONN_MAX ? i + 1 : -1;
	}
	tc->free = 0;
	tc->pend = -1;
	tc->timerfd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (tc->timerfd < 0)
		die_perror("TCP: timerfd_create");
	if (epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_TIMER,
			  tc->timerfd, 0))
		die("TCP: can't watch the window timer");
	c->tcp = tc;
	debug("TCP: SO_PEEK_OFF %s", tc->peek_off ? "available" :
			"not available, peeking into a discard buffer");
	tcp_listen_init(c);
	return tcp_splice_init(c);
}

/**
 * tcp_timer_conn() - Timeouts and retransmission for one connection
 * @c:		Execution context
 * @conn:	Connection in use
 * @now:	Current time, ms
 */
static void tcp_timer_conn(const struct ctx *c, struct tcp_conn *conn,
			   long long now)
{
	bool unacked;
	int inq = 0;

	if (conn->flags & TCP_HANDSHAKE) {
		if (now - conn->ts_start > TCP_HANDSHAKE_MS) {
			debug("TCP: handshake timeout");
			tcp_rst(c, conn, true);
			return;
		}
		if ((conn->flags & (TCP_SYN_TO_TAP | TCP_SYNACK_TO_TAP)) &&
		    now - conn->ts_ack >= TCP_RTO_MS) {
			conn->ts_ack = now;
			tcp_send_ctl(c, conn, (conn->flags & TCP_SYN_TO_TAP) ?
				     TCP_F_SYN : TCP_F_SYN | TCP_F_ACK);
		}
		return;
	}
	if (now - conn->ts_active > TCP_IDLE_MS ||
	    ((conn->flags & (TCP_TAP_FIN | TCP_FIN_TO_TAP)) &&
	     now - conn->ts_active > TCP_FIN_MS)) {
		debug("TCP: connection timed out");
		tcp_rst(c, conn, true);
		return;
	}
	if (c->tcp->ooo.used && (conn->flags & TCP_ESTABLISHED)) {
		/* Held segments the socket had no room for earlier */
		ssize_t n = tcp_ooo_drain(c, conn);

		if (n < 0)
			return;
		if (n > 0)
			tcp_send_ctl(c, conn, TCP_F_ACK);
	}
	if (conn->flags & TCP_TAP_BLOCKED) {
		if (tcp_data_from_sock(c, conn))
			return;
	}
	unacked = conn->seq_max_to_tap != conn->seq_ack_from_tap ||
		  ((conn->flags & TCP_FIN_TO_TAP) &&
		   !(conn->flags & TCP_FIN_ACKED));
	if (!unacked && (conn->flags & TCP_ESTABLISHED) &&
	    !(conn->flags & TCP_FIN_TO_TAP) &&
	    tcp_send_room(conn->seq_ack_from_tap, conn->wnd_from_tap,
			  conn->seq_to_tap) < conn->mss &&
	    now - conn->ts_ack >= TCP_RTO_MS &&
	    !ioctl(conn->sock, SIOCINQ, &inq) && inq > 0) {
		/* Window closed, data waiting: the update may be lost */
		conn->ts_ack = now;
		tcp_send_ack_old(c, conn, false);
		return;
	}
	if (unacked &&
	    now - conn->ts_ack >= (long long)TCP_RTO_MS << MIN(conn->retries, 3)) {
		if (conn->retries >= TCP_RETRIES_MAX) {
			debug("TCP: guest stopped acknowledging, reset");
			tcp_rst(c, conn, true);
			return;
		}
		conn->retries++;
		conn->ts_ack = now;
		debug("TCP: timeout, resending from %u (retry %u)",
		      conn->seq_ack_from_tap, conn->retries);
		tcp_rewind(c, conn);
		tcp_data_from_sock(c, conn);
	}
}

/**
 * tcp_tap_flush() - End a batch of tap frames: write, acknowledge, reply
 * @c:		Execution context
 *
 * Writes the guest payload still collected, then, for every connection the
 * batch touched, sends the ACK it owes and whatever its socket holds.
 */
void tcp_tap_flush(struct ctx *c)
{
	struct tcp_ctx *tc = c->tcp;
	int i;

	if (!tc)
		return;
	tcp_pend_data_flush(c);
	for (i = 0; i < tc->pend_cnt; i++) {
		struct tcp_conn *conn = &tc->conn[tc->pend_list[i]];

		if (conn->sock < 0 || !(conn->flags & TCP_PEND_SOCK))
			continue;
		conn->flags &= ~TCP_PEND_SOCK;
		tcp_pend_finish(c, conn);
	}
	tc->pend_cnt = 0;
}

/**
 * tcp_wnd_handler() - Send window updates where the host socket drained
 * @c:		Execution context
 *
 * The kernel wakes up writers only after a send() found the buffer full
 * (SOCK_NOSPACE), which doesn't happen as we advertise no more than fits:
 * connections whose window went below two segments are polled instead,
 * every TCP_WND_POLL_NS while any is waiting.
 *
 * #syscalls read
 */
void tcp_wnd_handler(struct ctx *c)
{
	struct tcp_ctx *tc = c->tcp;
	uint64_t exp;
	int i;

	if (read(tc->timerfd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		debug_perror("TCP: timerfd");
	for (i = 0; i < TCP_CONN_MAX && tc->wnd_wait; i++) {
		struct tcp_conn *conn = &tc->conn[i];
		uint32_t wnd;

		if (conn->sock < 0 || !(conn->flags & TCP_WND_WAIT))
			continue;
		if (conn->flags & TCP_TAP_FIN) {
			tcp_wnd_wait_end(c, conn);
			continue;
		}
		wnd = tcp_sock_wnd(conn);
		if (wnd >= conn->wnd_to_tap + MIN(conn->mss, TCP_WND_STEP)) {
			tcp_wnd_wait_end(c, conn);
			tcp_send_ctl(c, conn, TCP_F_ACK);
		}
	}
}

/**
 * tcp_timer() - Run connection timers, once a second
 * @c:		Execution context
 */
void tcp_timer(struct ctx *c)
{
	long long now = tcp_now_ms(c);
	int i;

	if (!c->tcp || !c->tcp->count)
		return;
	for (i = 0; i < TCP_CONN_MAX; i++) {
		if (c->tcp->conn[i].sock >= 0)
			tcp_timer_conn(c, &c->tcp->conn[i], now);
	}
}

/**
 * tcp_reset() - Close every connection: the guest they belonged to is gone
 * @c:		Execution context
 *
 * Host peers get a RST (SO_LINGER 0), as the guest's side can't be closed
 * cleanly any more.
 */
void tcp_reset(struct ctx *c)
{
	int i;

	if (!c->tcp || !c->tcp->count)
		return;
	for (i = 0; i < TCP_CONN_MAX; i++) {
		if (c->tcp->conn[i].sock >= 0)
			tcp_conn_free(c, &c->tcp->conn[i], true);
	}
}

/**
 * tcp_listen_open() - Open a listening socket for automatic forwarding
 * @c:		Execution context
 * @ns_side:	Listen in the namespace (-T auto), else on the host (-t)
 * @v6:		IPv6 (IPV6_V6ONLY: IPv4 gets its own socket)
 * @port:	Port, host order, not translated
 *
 * Host-side sockets bind any address and go through tcp_listen_handler(),
 * exactly as ports given with -t do.
 *
 * Namespace-side sockets (-T auto) are the spliced path's: see
 * tcp_splice_listen_open().
 *
 * Return: listening socket, watched by epoll, or -errno
 *
 * #syscalls:pasta socket setsockopt bind listen epoll_ctl close
 */
int tcp_listen_open(struct ctx *c, bool ns_side, bool v6, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int s, rc;

	if (ns_side)
		return c->tcp_splice ? tcp_splice_listen_open(c, v6, port) :
				       -ENOTCONN;
	if (!c->tcp)
		return -ENOTCONN;
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return -errno;
	rc = sock_bind_fwd(s, v6, &a4, &a6, "");
	if (rc || listen(s, SOMAXCONN)) {
		rc = rc ? rc : -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TCP_LISTEN, s,
			   (uint32_t)port | (v6 ? TCP_LISTEN_V6 : 0));
	if (rc) {
		close(s);
		return rc;
	}
	return s;
}
