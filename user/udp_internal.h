/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_internal.h - UDP state and helpers shared by udp*.c only */
#ifndef UDP_INTERNAL_H
#define UDP_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "udp_flow.h"

#define UDP_BATCH	32	/* datagrams per recvmmsg()/sendmmsg() */
#define UDP_HEADROOM	64	/* room for Ethernet, IPv6 and UDP headers */
#define UDP_PAYLOAD_MAX	65536	/* above the largest UDP payload (65527) */
#define UDP_SLOT	(UDP_HEADROOM + UDP_PAYLOAD_MAX)
#define UDP_SOCK_BUF	(4 << 20)	/* SO_RCVBUF, SO_SNDBUF asked for */

/* epoll reference payload of a listening socket: flags, then the port */
#define UDP_REF_LISTEN	(1U << 31)	/* a forwarded port, not a flow */
#define UDP_REF_NS	(1U << 30)	/* -U: bound in the namespace */
#define UDP_REF_PORT	0xffffU

/* Values of udp_flow_key.kind */
#define UDP_KIND_TAP	0	/* guest flow, through the tap */
#define UDP_KIND_IN	1	/* host loopback to namespace loopback (-u) */
#define UDP_KIND_OUT	2	/* namespace loopback to host loopback (-U) */

/**
 * struct udp_ctx - UDP state, reached through c->udp
 * @flows:	Flow table: tap flows and loopback bypass flows
 * @buf:	UDP_BATCH slots of UDP_SLOT bytes: headroom for the headers of
 *		a frame to the guest, then the payload as received
 * @mm:		recvmmsg() vector over @buf
 * @iov:	One per slot, the payload part
 * @sa:		Source address per received datagram
 * @smm:	sendmmsg() vector, for the loopback bypass
 * @ctl:	Ancillary data of each received datagram (its local address,
 *		on forwarded ports)
 * @out_ctl:	Ancillary data for @out_mm: the source address of replies
 * @out_mm:	Guest datagrams waiting for one sendmmsg() on @out_flow
 * @out_iov:	Their payloads, inside the tap pool
 * @out_flow:	Flow @out_mm goes to, NULL if nothing waits
 * @out_n:	Datagrams in @out_mm
 * @spliced_in:	Datagrams relayed host to namespace by the loopback bypass
 * @spliced_out: Datagrams relayed namespace to host (and replies both ways
 *		count in the direction they travel)
 */
/**
 * union udp_ctl - room for the IP_PKTINFO or IPV6_PKTINFO messages of a
 *		   datagram, aligned
 * @buf:	The messages
 * @align:	Alignment of a struct cmsghdr (itself not usable here: its
 *		flexible array member makes a union of it variable-sized)
 */
union udp_ctl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		 CMSG_SPACE(sizeof(struct in_pktinfo))];
	size_t align;
};

struct udp_ctx {
	struct udp_flowtab *flows;
	uint8_t *buf;
	struct mmsghdr mm[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_in6 sa[UDP_BATCH];
	union udp_ctl ctl[UDP_BATCH];
	union udp_ctl out_ctl;
	struct mmsghdr smm[UDP_BATCH];
	struct mmsghdr out_mm[UDP_BATCH];
	struct iovec out_iov[UDP_BATCH];
	struct udp_flow *out_flow;
	unsigned out_n;
	unsigned long long spliced_in;
	unsigned long long spliced_out;
};

/**
 * udp_slot() - Start of the payload in receive slot @i
 * @u:		UDP state
 * @i:		Slot, less than UDP_BATCH
 *
 * Return: pointer to UDP_PAYLOAD_MAX bytes, with UDP_HEADROOM before them
 */
static inline uint8_t *udp_slot(const struct udp_ctx *u, unsigned i)
{
	return u->buf + (size_t)i * UDP_SLOT + UDP_HEADROOM;
}

int udp_recv_batch(struct udp_ctx *u, int fd);
int udp_sock_opts(int s, int af);
bool udp_sa_is_loopback(const struct sockaddr_in6 *sa);
bool udp_listen_key(const struct ctx *c, uint16_t port,
		    const struct sockaddr_in6 *sa, struct udp_flow_key *k);

/* udp_err.c */
void udp_err_handler(struct ctx *c, union epoll_ref ref,
		     struct udp_flow *f);

/* udp_splice.c */
int udp_splice_init(struct ctx *c);
int udp_splice_listen_open(const struct ctx *c, uint16_t port, bool v6);
struct udp_flow *udp_splice_flow(struct ctx *c, union epoll_ref ref,
				 const struct sockaddr_in6 *sa, socklen_t sl);
void udp_splice_send(struct ctx *c, struct udp_flow *f, unsigned first,
		     unsigned n);
void udp_splice_reply(struct ctx *c, struct udp_flow *f);

#endif /* UDP_INTERNAL_H */
