/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation between the guest's segments and host sockets */
#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "packet.h"

int tcp_init(struct ctx *c);
void tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct pool *p, size_t idx,
		     size_t l4off, size_t l4len);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void tcp_listen_handler(struct ctx *c, union epoll_ref ref, uint32_t events);
void tcp_tap_flush(struct ctx *c);
void tcp_wnd_handler(struct ctx *c);
void tcp_timer(struct ctx *c);
void tcp_reset(struct ctx *c);
int tcp_listen_open(struct ctx *c, bool ns_side, bool v6, uint16_t port);

#endif /* TCP_H */
