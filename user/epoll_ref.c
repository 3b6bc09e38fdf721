// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll_ref.c - registering file descriptors with typed epoll references */

#include <errno.h>
#include <sys/epoll.h>

#include "epoll_ref.h"
#include "util.h"

static const char *const epoll_type_names[] = {
	[EPOLL_TYPE_NONE]	= "none",
	[EPOLL_TYPE_TAP]	= "tap",
	[EPOLL_TYPE_TIMER]	= "timer",
	[EPOLL_TYPE_PING]	= "ping socket",
	[EPOLL_TYPE_SIGNAL]	= "signal",
	[EPOLL_TYPE_NSQUIT]	= "namespace watch",
	[EPOLL_TYPE_TAP_LISTEN]	= "listening UNIX socket",
	[EPOLL_TYPE_UDP]	= "UDP socket",
	[EPOLL_TYPE_TCP]	= "TCP socket",
	[EPOLL_TYPE_TCP_LISTEN]	= "TCP listening socket",
	[EPOLL_TYPE_TCP_TIMER]	= "TCP window timer",
	[EPOLL_TYPE_TCP_SPLICE]	= "spliced TCP socket",
	[EPOLL_TYPE_TCP_LISTEN_NS] = "TCP listening socket in namespace",
	[EPOLL_TYPE_FWD_AUTO]	= "automatic forwarding timer",
	[EPOLL_TYPE_TCP_FASTPATH] = "TCP fast-path timer",
};
_Static_assert(ARRAY_SIZE(epoll_type_names) == EPOLL_TYPE_NUM,
	       "epoll_type_names must name every epoll type");

/**
 * epoll_ref_add() - Watch a file descriptor with a typed reference
 * @epollfd:	epoll instance
 * @events:	EPOLLIN etc.
 * @type:	enum epoll_type
 * @fd:		File descriptor
 * @data:	Type-specific payload
 *
 * Return: 0 on success, -errno on failure (-EBADF if @fd does not fit)
 *
 * #syscalls epoll_ctl
 */
int epoll_ref_add(int epollfd, uint32_t events, enum epoll_type type, int fd,
		  uint32_t data)
{
	union epoll_ref ref = { .type = type, .fd = fd, .data = data };
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	if (fd < 0 || fd > EPOLL_REF_FD_MAX)
		return -EBADF;
	if (epoll_ctl(epollfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_type_str() - Name of an epoll reference type, for logs
 * @type:	enum epoll_type
 *
 * Return: constant string
 */
const char *epoll_type_str(enum epoll_type type)
{
	return type < EPOLL_TYPE_NUM ? epoll_type_names[type] : "?";
}
