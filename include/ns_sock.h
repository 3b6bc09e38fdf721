/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns_sock.h - a socket factory living in the target network namespace */
#ifndef NS_SOCK_H
#define NS_SOCK_H

#include "ctx.h"

#define NS_SOCK_BATCH	32	/* most sockets handed over per request */

int ns_sock_init(struct ctx *c);
int ns_sock_many(const struct ctx *c, int domain, int type, int protocol,
		 int *fds, int n);
int ns_sock(const struct ctx *c, int domain, int type, int protocol);

#endif /* NS_SOCK_H */
