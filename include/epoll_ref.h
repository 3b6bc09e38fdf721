/* SPDX-License-Identifier: GPL-2.0-or-later */
/* epoll_ref.h - what an epoll event refers to: a type, a fd and a payload */
#ifndef EPOLL_REF_H
#define EPOLL_REF_H

#include <stdint.h>
#include <sys/epoll.h>

/**
 * enum epoll_type - kind of file descriptor an epoll event refers to
 * @EPOLL_TYPE_NONE:	Unused
 * @EPOLL_TYPE_TAP:	Tap device (pasta) carrying frames to and from the guest
 * @EPOLL_TYPE_TIMER:	Periodic timerfd driving protocol timers
 * @EPOLL_TYPE_PING:	Ping socket, payload: echo identifier and IP version
 * @EPOLL_TYPE_SIGNAL:	signalfd (child exit, termination)
 * @EPOLL_TYPE_NSQUIT:	inotify watch for removal of the target namespace
 * @EPOLL_TYPE_TAP_LISTEN: passt's listening UNIX socket
 * @EPOLL_TYPE_UDP:	UDP socket, payload: flow index, or a forwarded port
 * @EPOLL_TYPE_TCP:	Host socket of a TCP connection, payload: table index
 * @EPOLL_TYPE_TCP_LISTEN: Listening socket for -t, payload: port, IP version
 * @EPOLL_TYPE_TCP_TIMER: timerfd polling TCP sockets for window updates
 * @EPOLL_TYPE_TCP_SPLICE: Spliced TCP socket, payload: pair index << 1 | side
 * @EPOLL_TYPE_TCP_LISTEN_NS: Listening socket for -T in the namespace,
 *			payload: port, IP version
 * @EPOLL_TYPE_FWD_AUTO: timerfd driving automatic forwarding rescans
 * @EPOLL_TYPE_TCP_FASTPATH: timerfd polling TCP pairs in the eBPF fast path
 * @EPOLL_TYPE_NUM:	Sentinel
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP,
	EPOLL_TYPE_TIMER,
	EPOLL_TYPE_PING,
	EPOLL_TYPE_SIGNAL,
	EPOLL_TYPE_NSQUIT,
	EPOLL_TYPE_TAP_LISTEN,
	EPOLL_TYPE_UDP,
	EPOLL_TYPE_TCP,
	EPOLL_TYPE_TCP_LISTEN,
	EPOLL_TYPE_TCP_TIMER,
	EPOLL_TYPE_TCP_SPLICE,
	EPOLL_TYPE_TCP_LISTEN_NS,
	EPOLL_TYPE_FWD_AUTO,
	EPOLL_TYPE_TCP_FASTPATH,
	EPOLL_TYPE_NUM,
};

/**
 * union epoll_ref - packed into epoll_data.u64 for each registered fd
 * @type:	enum epoll_type
 * @fd:		File descriptor (24 bits: fds above 16M are refused)
 * @data:	Type-specific payload, e.g. an index into a table
 * @u64:	Whole value, as stored by epoll
 */
union epoll_ref {
	struct {
		uint32_t type:8;
		int32_t fd:24;
		uint32_t data;
	};
	uint64_t u64;
};

_Static_assert(sizeof(union epoll_ref) <= sizeof(((struct epoll_event *)0)->data),
	       "epoll_ref must fit epoll_data");
_Static_assert(EPOLL_TYPE_NUM <= 256, "epoll type must fit 8 bits");

#define EPOLL_REF_FD_MAX	((1 << 23) - 1)

int epoll_ref_add(int epollfd, uint32_t events, enum epoll_type type, int fd,
		  uint32_t data);
const char *epoll_type_str(enum epoll_type type);

#endif /* EPOLL_REF_H */
