/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: guest datagrams to host sockets and back */
#ifndef UDP_H
#define UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "packet.h"

#define UDP_TIMEOUT_S	180	/* a flow idle this long (both ways) goes */
#define UDP_FLOWS	4096	/* flows at most, table allocated at start */

int udp_init(struct ctx *c);
int udp_tap_handler(struct ctx *c, const struct pool *p, size_t idx,
		    size_t l4off, size_t l4len, bool v6,
		    const void *saddr, const void *daddr);
void udp_tap_flush(struct ctx *c);
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void udp_timer(struct ctx *c);
void udp_reset(struct ctx *c);
int udp_listen_open(const struct ctx *c, bool ns_side, bool v6, uint16_t port);
void udp_listen_close(struct ctx *c, int fd);

#endif /* UDP_H */
