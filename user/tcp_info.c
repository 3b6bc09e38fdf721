// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_info.c - the peer's receive window of a host socket (TCP_INFO)
 *
 * glibc's struct tcp_info stops before tcpi_snd_wnd (Linux 5.19), and
 * <linux/tcp.h>, which has it, can't be included together with
 * <netinet/tcp.h>: this file includes only the kernel's header.
 */

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "tcp_info.h"

/**
 * tcp_info_snd_wnd() - Peer's advertised receive window, as the kernel has it
 * @s:		Connected TCP socket
 * @wnd:	Window in bytes, set on success
 *
 * Return: true if the kernel reports it (Linux 5.19 or later)
 *
 * #syscalls getsockopt
 */
bool tcp_info_snd_wnd(int s, uint32_t *wnd)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);

	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &sl) ||
	    sl < offsetof(struct tcp_info, tcpi_snd_wnd) +
		 sizeof(ti.tcpi_snd_wnd))
		return false;
	*wnd = ti.tcpi_snd_wnd;
	return true;
}
