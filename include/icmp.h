/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp.h - ICMP and ICMPv6 echo through unprivileged ping sockets */
#ifndef ICMP_H
#define ICMP_H

#include <netinet/in.h>
#include <stddef.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "packet.h"

#define ICMP_TIMEOUT_S	60	/* close a ping socket idle this long */

int icmp_init(struct ctx *c);
void icmp_raw_init(struct ctx *c);
int icmp_tap4(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	      struct in_addr saddr, struct in_addr daddr);
int icmp_tap6(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	      const struct in6_addr *saddr, const struct in6_addr *daddr);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref);
void icmp_timer(struct ctx *c);
void icmp_reset(struct ctx *c);

#endif /* ICMP_H */
