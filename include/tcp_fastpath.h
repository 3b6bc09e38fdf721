/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_fastpath.h - a connected TCP socket pair handed to the eBPF fast path
 *
 * The caller (a spliced connection: two ESTABLISHED sockets, two pipes)
 * embeds a struct tcp_fastpath_pair, offers it with tcp_fastpath_add(),
 * and from then on passes every epoll event of the two sockets to
 * tcp_fastpath_sock_handler() until @closed is called.  See tcp_fastpath.c.
 */
#ifndef TCP_FASTPATH_H
#define TCP_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

/* Bytes redirected to a socket and not yet in its send queue, at most:
 * smaller limits cost throughput (see man/passt.1, "The eBPF fast path")
 */
#define TCP_FASTPATH_HWM	(32U << 20)

/**
 * struct tcp_fastpath_pair - one TCP socket pair in the fast path
 * @fd:		Sockets, data from fd[d] goes to fd[!d] (direction d)
 * @ref:	Caller's epoll data for each socket
 * @events:	epoll events currently watched on each socket, 0 if removed
 * @cookie:	Socket cookies, the map keys
 * @rx_base:	Bytes userspace read from fd[d] before the handover
 * @tx_base:	Bytes userspace wrote to fd[d] before the handover
 * @moved:	Bytes of direction d moved by userspace after the handover
 * @owed:	Bytes of @moved already written to fd[!d] but not consumed
 *		from fd[d] yet (a read refused with EAGAIN, retried)
 * @clamp:	fd[d]'s TCP_WINDOW_CLAMP before we clamped it, 0 if not
 * @eof:	fd[d] got a FIN
 * @shut:	We shut fd[d] for writing: direction !d is complete
 * @user:	fd[d] couldn't be activated: userspace moves direction d
 * @polling:	On the poll list (draining, or moving passed bytes)
 * @hot:	Poll ticks left since data last moved or the limit was hit
 * @seen:	Redirected count at the last poll, per direction
 * @max_backlog: Largest backlog seen, either direction (for tests)
 * @bytes:	Bytes of direction d delivered since the handover, set when
 *		the pair closes (before @closed runs)
 * @prev:	Poll list, previous entry
 * @next:	Poll list, next entry
 * @closed:	Called once the sockets are closed: @reset if by a reset
 */
struct tcp_fastpath_pair {
	int fd[2];
	uint64_t ref[2];
	uint32_t events[2];
	uint64_t cookie[2];
	uint64_t rx_base[2];
	uint64_t tx_base[2];
	uint64_t moved[2];
	size_t owed[2];
	int clamp[2];
	bool eof[2];
	bool shut[2];
	bool user[2];
	bool polling;
	unsigned hot;
	uint64_t seen[2];
	uint64_t max_backlog;
	uint64_t bytes[2];
	struct tcp_fastpath_pair *prev;
	struct tcp_fastpath_pair *next;
	void (*closed)(struct ctx *c, struct tcp_fastpath_pair *p, bool reset);
};

int tcp_fastpath_init(struct ctx *c);
int tcp_fastpath_add(struct ctx *c, struct tcp_fastpath_pair *p,
		     const int fd[2], const uint64_t ref[2],
		     const int pipe_r[2], size_t flushed[2]);
void tcp_fastpath_sock_handler(struct ctx *c, struct tcp_fastpath_pair *p,
			       int side, uint32_t events);
void tcp_fastpath_timer_handler(struct ctx *c);
void tcp_fastpath_set_hwm(const struct ctx *c, uint64_t hwm);

#endif /* TCP_FASTPATH_H */
