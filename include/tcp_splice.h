/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_splice.h - pasta's local TCP bypass: loopback connections spliced
 * between the host and the namespace
 */
#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctx.h"
#include "epoll_ref.h"

int tcp_splice_init(struct ctx *c);
int tcp_splice_listen_open(struct ctx *c, bool v6, uint16_t port);
int tcp_splice_loopback(const struct sockaddr_storage *sa);
void tcp_splice_conn_new(struct ctx *c, int s, int af, uint16_t port,
			 bool ns_to_host);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events);
void tcp_splice_listen_handler(struct ctx *c, union epoll_ref ref,
			       uint32_t events);
void tcp_splice_timer(struct ctx *c);

#endif /* TCP_SPLICE_H */
