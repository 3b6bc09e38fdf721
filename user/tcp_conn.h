/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_conn.h - TCP connection entries and the TCP state in struct ctx
 *
 * Connection state is a set of flags rather than RFC 9293 states: we only
 * reflect events from one side to the other, so what matters is which
 * events each side has seen.
 *
 *   outbound (guest connects): TCP_SYN_FROM_TAP (host connect() pending)
 *	-> TCP_SYNACK_TO_TAP (connected, SYN-ACK sent) -> TCP_ESTABLISHED
 *   inbound (-t, host connects): TCP_SYN_TO_TAP (accepted, SYN sent)
 *	-> TCP_ESTABLISHED once the guest's SYN-ACK arrives
 *   closing: TCP_TAP_FIN (guest sent FIN, we shut down writing),
 *	TCP_SOCK_EOF (host sent FIN), TCP_FIN_TO_TAP (our FIN is out),
 *	TCP_FIN_ACKED (the guest acknowledged it).  The entry is freed once
 *	both TCP_TAP_FIN and TCP_FIN_ACKED are set, or on a reset either way.
 *
 * TCP_WND_WAIT marks connections polled for a window update, and
 * TCP_TAP_BLOCKED those whose data didn't fit in the tap: tcp_timer()
 * tries again, as nothing else might (the socket is edge-triggered).
 *
 * Within one batch of frames from the tap, consecutive in-order segments
 * of a connection are collected (tcp_ctx.pend_iov) and written with one
 * sendmsg(); connections touched by the batch are listed once
 * (TCP_PEND_SOCK), and get their ACK (TCP_PEND_ACK) and the data waiting
 * in their socket when tcp_tap_flush() ends the batch.
 */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "siphash.h"
#include "tcp_ooo.h"

#define TCP_CONN_MAX		8192	/* connections, table allocated once */
#define TCP_HASH_BUCKETS	16384	/* power of two */
#define TCP_FRAMES		16	/* segments built per socket read */
#define TCP_MAX_INFLIGHT	(8U << 20)	/* unacknowledged bytes */
#define TCP_PEND_IOV		256	/* guest segments joined in one write */
#define TCP_PEND_MAX		256	/* connections touched in one batch */

#define TCP_SYN_FROM_TAP	(1U << 0)
#define TCP_SYNACK_TO_TAP	(1U << 1)
#define TCP_SYN_TO_TAP		(1U << 2)
#define TCP_ESTABLISHED		(1U << 3)
#define TCP_TAP_FIN		(1U << 4)
#define TCP_SOCK_EOF		(1U << 5)
#define TCP_FIN_TO_TAP		(1U << 6)
#define TCP_FIN_ACKED		(1U << 7)
#define TCP_WND_WAIT		(1U << 8)	/* polled for a window update */
#define TCP_TAP_BLOCKED		(1U << 9)	/* a write to the tap failed */
#define TCP_PEND_SOCK		(1U << 10)	/* in tcp_ctx.pend_list */
#define TCP_PEND_ACK		(1U << 11)	/* owes the guest an ACK */

#define TCP_HANDSHAKE		(TCP_SYN_FROM_TAP | TCP_SYNACK_TO_TAP | \
				 TCP_SYN_TO_TAP)

/**
 * struct tcp_key - what identifies a connection on the guest side
 * @gaddr:	Guest's address (IPv4-mapped for IPv4)
 * @raddr:	Peer's address as the guest sees it (IPv4-mapped for IPv4)
 * @gport:	Guest's port, host order
 * @rport:	Peer's port, host order
 */
struct tcp_key {
	struct in6_addr gaddr;
	struct in6_addr raddr;
	uint16_t gport;
	uint16_t rport;
};

/**
 * struct tcp_conn - one translated connection
 * @key:	Guest-side addresses and ports
 * @sock:	Host socket, -1 if the entry is free
 * @next:	Next entry in the same hash bucket (or free list), -1 at the end
 * @flags:	TCP_* state flags
 * @v6:		IPv6 on the guest side
 * @ws_from_tap: Guest's window scale, 0 if it didn't offer scaling
 * @ws_to_tap:	Our window scale towards the guest
 * @dup_acks:	Duplicate ACKs seen from the guest in a row
 * @retries:	Retransmissions since the guest last acknowledged anything
 * @events:	epoll events currently requested on @sock
 * @mss:	Largest payload we send to the guest in one segment
 * @seq_to_tap:	Next sequence number we send to the guest (data only)
 * @seq_ack_from_tap: Highest of our sequence numbers the guest acknowledged
 * @seq_max_to_tap: Highest sequence number we sent, plus one (data only)
 * @seq_from_tap: Next sequence number we expect from the guest
 * @wnd_from_tap: Guest's receive window in bytes, from @seq_ack_from_tap
 * @wnd_to_tap:	Window we last advertised to the guest, bytes
 * @seq_isn:	Our initial sequence number (SYN and SYN-ACK resends)
 * @ts_start:	When the connection started, ms (CLOCK_MONOTONIC)
 * @ts_ack:	When the guest last acknowledged new data (or we last
 *		retransmitted), ms
 * @ts_active:	Last activity either way, ms
 */
struct tcp_conn {
	struct tcp_key key;
	int sock;
	int next;
	uint32_t flags;
	bool v6;
	uint8_t ws_from_tap;
	uint8_t ws_to_tap;
	uint8_t dup_acks;
	uint8_t retries;
	uint32_t events;
	uint16_t mss;
	uint32_t seq_to_tap;
	uint32_t seq_ack_from_tap;
	uint32_t seq_max_to_tap;
	uint32_t seq_from_tap;
	uint32_t wnd_from_tap;
	uint32_t wnd_to_tap;
	uint32_t seq_isn;
	long long ts_start;
	long long ts_ack;
	long long ts_active;
};

/**
 * struct tcp_ctx - TCP state, allocated once by tcp_init()
 * @conn:	Connection table, TCP_CONN_MAX entries
 * @hash:	Hash buckets: first entry index, -1 if empty
 * @free:	First free entry, -1 if the table is full
 * @count:	Entries in use
 * @hash_key:	SipHash key, random per run
 * @timerfd:	Window update poll timer, armed while @wnd_wait
 * @wnd_wait:	Connections waiting for their socket to drain
 * @peek_off:	SO_PEEK_OFF works on TCP sockets (Linux 6.10 or later)
 * @frames:	TCP_FRAMES buffers of PKT_MAX_FRAME bytes, for segments
 * @discard:	TCP_MAX_INFLIGHT bytes to peek already sent data into, when
 *		SO_PEEK_OFF doesn't work; NULL otherwise
 * @pend:	Connection whose payload is collected in @pend_iov, -1 if none
 * @pend_n:	Segments in @pend_iov
 * @pend_len:	Bytes in @pend_iov
 * @pend_iov:	Payload of in-order guest segments, pointing into the tap
 *		pool (valid until the batch ends)
 * @pend_cnt:	Entries in @pend_list
 * @pend_list:	Connections to finish at the end of the batch
 * @ooo:	Guest segments held until the hole before them is filled
 */
struct tcp_ctx {
	struct tcp_conn *conn;
	int *hash;
	int free;
	int count;
	uint8_t hash_key[SIPHASH_KEY_LEN];
	int timerfd;
	int wnd_wait;
	bool peek_off;
	uint8_t *frames;
	uint8_t *discard;
	int pend;
	size_t pend_n;
	size_t pend_len;
	struct iovec pend_iov[TCP_PEND_IOV];
	int pend_cnt;
	int pend_list[TCP_PEND_MAX];
	struct tcp_ooo ooo;
};

#endif /* TCP_CONN_H */
