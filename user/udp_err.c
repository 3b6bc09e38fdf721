// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_err.c - ICMP errors on host UDP sockets, relayed to the guest
 *
 * Theory of operation: every UDP socket we open has IP_RECVERR (and
 * IPV6_RECVERR) set, so an ICMP error about a datagram it sent lands on the
 * socket's error queue with the ICMP type and code, the original
 * destination and the start of the original payload (ip(7), ipv6(7)).  The
 * socket then polls with EPOLLERR, and udp_err_handler() drains the queue.
 *
 * For a guest flow, destination unreachable and time exceeded messages go
 * to the guest as the same ICMP or ICMPv6 message, from the remote address
 * the guest used, quoting an IP and UDP header rebuilt from the flow and the
 * payload the kernel kept: that is what the guest's stack needs to find the
 * socket, so a connected socket there fails with ECONNREFUSED for a port
 * unreachable.  On a forwarded port's socket, the original destination
 * tells which flow (which peer) the error is about.  Fragmentation needed
 * and packet too big are not relayed: the host's path MTU is the host
 * kernel's business.  Errors on loopback bypass sockets are dropped.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "checksum.h"
#include "log.h"
#include "tap.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "util.h"

#define UDP_ERR_MAX	16	/* error queue entries handled per event */
#define UDP_ERR_QUOTE4	512	/* payload bytes quoted, IPv4: within 576 */
#define UDP_ERR_QUOTE6	1184	/* IPv6: the message within 1280 bytes */

/**
 * udp_err_relay4() - Send an ICMP error about an IPv4 flow to the guest
 * @c:		Execution context
 * @f:		Flow, IPv4
 * @type:	ICMP type
 * @code:	ICMP code
 * @data:	Start of the original payload
 * @len:	Bytes of @data
 */
static void udp_err_relay4(const struct ctx *c, const struct udp_flow *f,
			   uint8_t type, uint8_t code, const uint8_t *data,
			   size_t len)
{
	uint8_t msg[8 + IP4_HLEN + UDP_HLEN + UDP_ERR_QUOTE4] = { type, code };
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64,
			    .protocol = IPPROTO_UDP };
	struct udphdr uh = { .source = htons(f->key.gport),
			     .dest = htons(f->key.rport) };
	size_t mlen;
	struct in_addr g, r;
	uint16_t ck;

	len = MIN(len, (size_t)UDP_ERR_QUOTE4);
	mlen = 8 + IP4_HLEN + UDP_HLEN + len;
	memcpy(&g, &f->key.gaddr.s6_addr[12], sizeof(g));
	memcpy(&r, &f->key.raddr.s6_addr[12], sizeof(r));
	uh.len = htons((uint16_t)(UDP_HLEN + len));
	ip.tot_len = htons((uint16_t)(IP4_HLEN + UDP_HLEN + len));
	ip.saddr = g.s_addr;
	ip.daddr = r.s_addr;
	ip.check = csum(&ip, sizeof(ip), 0);
	memcpy(msg + 8, &ip, sizeof(ip));
	memcpy(msg + 8 + IP4_HLEN, &uh, sizeof(uh));
	memcpy(msg + 8 + IP4_HLEN + UDP_HLEN, data, len);
	ck = csum(msg, mlen, 0);
	memcpy(msg + 2, &ck, sizeof(ck));
	tap_send_ip4(c, r, g, IPPROTO_ICMP, msg, mlen);
}

/**
 * udp_err_relay6() - Send an ICMPv6 error about an IPv6 flow to the guest
 * @c:		Execution context
 * @f:		Flow, IPv6
 * @type:	ICMPv6 type
 * @code:	ICMPv6 code
 * @data:	Start of the original payload
 * @len:	Bytes of @data
 */
static void udp_err_relay6(const struct ctx *c, const struct udp_flow *f,
			   uint8_t type, uint8_t code, const uint8_t *data,
			   size_t len)
{
	uint8_t msg[8 + IP6_HLEN + UDP_HLEN + UDP_ERR_QUOTE6] = { type, code };
	struct udphdr uh = { .source = htons(f->key.gport),
			     .dest = htons(f->key.rport) };
	struct ip6_hdr ip6 = { 0 };
	size_t mlen;

	len = MIN(len, (size_t)UDP_ERR_QUOTE6);
	mlen = 8 + IP6_HLEN + UDP_HLEN + len;
	uh.len = htons((uint16_t)(UDP_HLEN + len));
	ip6.ip6_flow = htonl(6U << 28);
	ip6.ip6_plen = htons((uint16_t)(UDP_HLEN + len));
	ip6.ip6_nxt = IPPROTO_UDP;
	ip6.ip6_hlim = 64;
	ip6.ip6_src = f->key.gaddr;
	ip6.ip6_dst = f->key.raddr;
	memcpy(msg + 8, &ip6, sizeof(ip6));
	memcpy(msg + 8 + IP6_HLEN, &uh, sizeof(uh));
	memcpy(msg + 8 + IP6_HLEN + UDP_HLEN, data, len);
	tap_send_icmp6(c, NULL, &f->key.raddr, &f->key.gaddr, msg, mlen);
}

/**
 * udp_err_relay() - Relay one error queue entry about a guest flow
 * @c:		Execution context
 * @f:		Flow
 * @ee:		Extended error from the queue
 * @data:	Start of the original payload
 * @len:	Bytes of @data
 *
 * Return: true if something was sent to the guest
 */
static bool udp_err_relay(const struct ctx *c, const struct udp_flow *f,
			  const struct sock_extended_err *ee,
			  const uint8_t *data, size_t len)
{
	if (!f->key.v6 && ee->ee_origin == SO_EE_ORIGIN_ICMP &&
	    ((ee->ee_type == ICMP_DEST_UNREACH &&
	      ee->ee_code != ICMP_FRAG_NEEDED) ||
	     ee->ee_type == ICMP_TIME_EXCEEDED)) {
		udp_err_relay4(c, f, ee->ee_type, ee->ee_code, data, len);
		return true;
	}
	if (f->key.v6 && ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
	    (ee->ee_type == ICMP6_DST_UNREACH ||
	     ee->ee_type == ICMP6_TIME_EXCEEDED)) {
		udp_err_relay6(c, f, ee->ee_type, ee->ee_code, data, len);
		return true;
	}
	return false;
}

/**
 * udp_err_flow() - Which guest flow an error queue entry is about
 * @c:		Execution context
 * @ref:	epoll reference of the socket
 * @f:		Flow owning the socket, NULL for a forwarded port's socket
 * @dst:	Original destination of the datagram, from the queue
 *
 * Return: flow, NULL if there is no guest flow to tell
 */
static const struct udp_flow *udp_err_flow(const struct ctx *c,
					   union epoll_ref ref,
					   const struct udp_flow *f,
					   const struct sockaddr_in6 *dst)
{
	struct udp_flow_key k;

	if (f)
		return f->key.kind == UDP_KIND_TAP ? f : NULL;
	/* -U ports, and replies to loopback clients: bypass flows */
	if ((ref.data & UDP_REF_NS) ||
	    (c->mode == MODE_PASTA && udp_sa_is_loopback(dst)))
		return NULL;
	if (!udp_listen_key(c, (uint16_t)(ref.data & UDP_REF_PORT), dst, &k))
		return NULL;
	f = udp_flow_lookup(c->udp->flows, &k);
	return f && f->key.kind == UDP_KIND_TAP ? f : NULL;
}

/**
 * udp_err_handler() - Drain a socket's error queue, tell the guest
 * @c:		Execution context
 * @ref:	epoll reference of the socket
 * @f:		Flow owning the socket, NULL for a forwarded port's socket
 *
 * #syscalls recvmsg
 */
void udp_err_handler(struct ctx *c, union epoll_ref ref, struct udp_flow *f)
{
	int i;

	for (i = 0; i < UDP_ERR_MAX; i++) {
		/* Forwarded ports' sockets also get their IP_PKTINFO or
		 * IPV6_PKTINFO messages here, ahead of the error
		 */
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6)) +
				 CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} u;
		uint8_t data[UDP_ERR_QUOTE6];
		struct sockaddr_in6 dst = { 0 };
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = { .msg_name = &dst,
				     .msg_namelen = sizeof(dst),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		const struct sock_extended_err *ee = NULL;
		const struct udp_flow *ff;
		struct cmsghdr *cmsg;
		ssize_t n;

		n = recvmsg(ref.fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug_perror("UDP: error queue");
			return;
		}
		for (cmsg = CMSG_FIRSTHDR(&mh); cmsg;
		     cmsg = CMSG_NXTHDR(&mh, cmsg)) {
			if ((cmsg->cmsg_level == IPPROTO_IP &&
			     cmsg->cmsg_type == IP_RECVERR) ||
			    (cmsg->cmsg_level == IPPROTO_IPV6 &&
			     cmsg->cmsg_type == IPV6_RECVERR)) {
				if (cmsg->cmsg_len >= CMSG_LEN(sizeof(*ee)))
					ee = (const void *)CMSG_DATA(cmsg);
				break;
			}
		}
		if (!ee) {
			debug("UDP: error queue entry without an error");
			continue;
		}
		ff = udp_err_flow(c, ref, f, &dst);
		if (ff && udp_err_relay(c, ff, ee, data, (size_t)n)) {
			debug("UDP: ICMP type %u code %u (%s) relayed to guest "
			      "port %u", ee->ee_type, ee->ee_code,
			      strerror_((int)ee->ee_errno), ff->key.gport);
		} else {
			debug("UDP: socket error not relayed: %s (origin %u, "
			      "type %u, code %u)", strerror_((int)ee->ee_errno),
			      ee->ee_origin, ee->ee_type, ee->ee_code);
		}
	}
}
