// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP and ICMPv6 echo through unprivileged ping sockets
 *
 * Theory of operation: an echo request from the guest is sent from a ping
 * socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), see icmp(7)) that we
 * open per echo identifier and bind to that identifier, so the request
 * leaves the host with the guest's identifier.  If the bind fails (the
 * identifier is taken, or a security policy forbids it), the socket is bound
 * to any free identifier: the kernel rewrites the request, and since every
 * reply on that socket belongs to the guest's identifier, we restore it
 * before handing the reply to the guest.  Sockets idle for ICMP_TIMEOUT_S
 * are closed by icmp_timer().
 *
 * Ping sockets need our group in net.ipv4.ping_group_range (icmp(7)).  When
 * the range excludes us (the default "1 0" excludes even root) and we have
 * CAP_NET_RAW, one raw socket per IP version carries requests unchanged,
 * and only echo replies whose identifier we forwarded recently are relayed
 * back.  Without either, requests are dropped with one warning.
 *
 * Destinations and reply sources go through fwd_nat.c, as for TCP and UDP:
 * by default an echo request to the gateway address is answered by the
 * host's loopback, and the reply comes from the gateway address.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksum.h"
#include "epoll_ref.h"
#include "fwd_nat.h"
#include "icmp.h"
#include "log.h"
#include "tap.h"
#include "util.h"

#define ICMP_ECHO_HLEN	8	/* type, code, checksum, id, sequence */
#define ICMP_BUF_SIZE	65535
#define ICMP_SOCK_RAW	(-2)	/* identifier handled by the raw socket */
#define ICMP_REF_V6	(1U << 16)
#define ICMP_REF_RAW	(1U << 17)

/* Raw socket option from linux/icmp.h, which clashes with net/if.h */
#ifndef ICMP_FILTER
#define ICMP_FILTER	1
#endif

/**
 * icmp_init() - Allocate per-identifier socket tables
 * @c:		Execution context
 *
 * Context: setup
 * Return: 0 on success, -ENOMEM on failure
 */
int icmp_init(struct ctx *c)
{
	struct icmp_ctx *ic = &c->icmp;
	size_t i;

	ic->sock4 = calloc(ICMP_ID_NUM, sizeof(*ic->sock4));
	ic->sock6 = calloc(ICMP_ID_NUM, sizeof(*ic->sock6));
	ic->ts4 = calloc(ICMP_ID_NUM, sizeof(*ic->ts4));
	ic->ts6 = calloc(ICMP_ID_NUM, sizeof(*ic->ts6));
	if (!ic->sock4 || !ic->sock6 || !ic->ts4 || !ic->ts6)
		return -ENOMEM;
	for (i = 0; i < ICMP_ID_NUM; i++)
		ic->sock4[i] = ic->sock6[i] = -1;
	ic->raw4 = ic->raw6 = -1;
	return 0;
}

/**
 * icmp_raw_open() - Open the raw socket for one IP version, if allowed
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 *
 * Only echo replies are let through by the socket's ICMP filter.
 *
 * Return: socket, -errno on failure
 *
 * #syscalls socket setsockopt bind epoll_ctl
 */
static int icmp_raw_open(struct ctx *c, bool v6)
{
	int *raw = v6 ? &c->icmp.raw6 : &c->icmp.raw4;
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = c->ip6.addr_out };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr = c->ip4.addr_out };
	int s, rc;

	if (*raw >= 0)
		return *raw;
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (s < 0)
		return -errno;
	if (v6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		rc = setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	} else {
		/* Bitmap of ICMP types to block */
		uint32_t f = ~(1U << ICMP_ECHOREPLY);

		rc = setsockopt(s, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	}
	if (rc ||
	    (*ifname && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				   (socklen_t)strlen(ifname))) ||
	    bind(s, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
		 v6 ? sizeof(a6) : sizeof(a4))) {
		rc = -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_PING, s,
			   ICMP_REF_RAW | (v6 ? ICMP_REF_V6 : 0));
	if (rc) {
		close(s);
		return rc;
	}
	info("ICMP%s: ping sockets not allowed (net.ipv4.ping_group_range), "
	     "using a raw socket", v6 ? "v6" : "");
	*raw = s;
	return s;
}

/**
 * icmp_raw_init() - Open raw sockets now if ping sockets are not allowed
 * @c:		Execution context, epoll ready
 *
 * CAP_NET_RAW goes with the sandbox (isolation.c), so a daemon that will
 * need raw sockets opens them before: if a ping socket can't be opened for
 * an IP version we serve, try the raw one.  Failing that is not an error:
 * icmp_echo_send() warns once at the first request.
 *
 * Context: setup, before the sandbox
 */
void icmp_raw_init(struct ctx *c)
{
	int v, s;

	if (c->no_icmp)
		return;
	for (v = 0; v <= 1; v++) {
		if (!(v ? c->ifi6 : c->ifi4))
			continue;
		s = socket(v ? AF_INET6 : AF_INET,
			   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   v ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
		if (s >= 0) {
			close(s);
			continue;
		}
		if (errno == EACCES || errno == EPERM)
			icmp_raw_open(c, v);
	}
}

/**
 * icmp_sock_open() - Open and bind a ping socket for a guest identifier
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @id:		Guest's echo identifier, host order
 *
 * Return: socket, -errno on failure
 *
 * #syscalls socket bind setsockopt epoll_ctl
 */
static int icmp_sock_open(const struct ctx *c, bool v6, uint16_t id)
{
	int af = v6 ? AF_INET6 : AF_INET;
	int s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa = v6 ? (struct sockaddr *)&a6 :
				   (struct sockaddr *)&a4;
	socklen_t sl = v6 ? sizeof(a6) : sizeof(a4);
	int rc;

	if (s < 0)
		return -errno;
	if (*ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)))
		debug_perror("ICMP: can't bind to interface %s", ifname);

	a4.sin_addr = c->ip4.addr_out;
	a6.sin6_addr = c->ip6.addr_out;
	a4.sin_port = a6.sin6_port = htons(id);
	if (bind(s, sa, sl)) {
		debug("ICMP: can't bind to identifier %u, using another", id);
		a4.sin_port = a6.sin6_port = 0;
		if (bind(s, sa, sl))
			goto fail;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_PING, s,
			   (uint32_t)id | (v6 ? ICMP_REF_V6 : 0));
	if (rc) {
		close(s);
		return rc;
	}
	return s;
fail:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * icmp_echo_send() - Send a guest's echo request from the matching socket
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @dst:	Destination address (struct in_addr or in6_addr)
 * @msg:	ICMP message, echo header first
 * @len:	Message length
 *
 * Return: 1 (the frame was ours)
 *
 * #syscalls sendto
 */
static int icmp_echo_send(struct ctx *c, bool v6, const void *dst,
			  const uint8_t *msg, size_t len)
{
	int *socks = v6 ? c->icmp.sock6 : c->icmp.sock4;
	time_t *ts = v6 ? c->icmp.ts6 : c->icmp.ts4;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	uint16_t id = (uint16_t)(msg[4] << 8 | msg[5]);
	int s = socks[id];
	ssize_t n;

	if (s == -1) {
		s = icmp_sock_open(c, v6, id);
		if (s == -EACCES || s == -EPERM) {
			s = icmp_raw_open(c, v6);
			if (s >= 0) {
				socks[id] = ICMP_SOCK_RAW;
			} else if (!c->icmp_warned) {
				warn("ICMP: can't open ping socket (check "
				     "net.ipv4.ping_group_range)");
				c->icmp_warned = true;
			}
		} else if (s < 0) {
			debug("ICMP: can't open ping socket: %s",
			      strerror_(-s));
		} else {
			socks[id] = s;
		}
		if (s < 0)
			return 1;
	} else if (s == ICMP_SOCK_RAW) {
		s = v6 ? c->icmp.raw6 : c->icmp.raw4;
	}
	ts[id] = c->now.tv_sec;

	if (v6) {
		memcpy(&a6.sin6_addr, dst, sizeof(a6.sin6_addr));
		if (fwd_nat_dst6(c, &a6.sin6_addr) == FWD_NAT_NONE &&
		    IN6_IS_ADDR_LINKLOCAL(&a6.sin6_addr))
			a6.sin6_scope_id = c->ifi6;
	} else {
		memcpy(&a4.sin_addr, dst, sizeof(a4.sin_addr));
		fwd_nat_dst4(c, &a4.sin_addr);
	}
	/* Ping sockets set identifier and checksum; raw ones send as is */
	n = sendto(s, msg, len, MSG_NOSIGNAL,
		   v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
		   v6 ? sizeof(a6) : sizeof(a4));
	if (n < 0)
		debug_perror("ICMP: echo request for identifier %u dropped", id);
	else
		trace("ICMP%s: echo request, identifier %u, %zu bytes",
		      v6 ? "v6" : "", id, len);
	return 1;
}

/**
 * icmp_tap4() - Handle an ICMP message from the guest
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the ICMP header
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: 1 if handled (sent or dropped)
 */
int icmp_tap4(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	      struct in_addr saddr, struct in_addr daddr)
{
	/* IPv4 total length, already checked against the frame by tap.c */
	const uint8_t *tot_p = packet_get(p, idx, ETH_HLEN_ + 2, 2, NULL);
	const uint8_t *msg;
	size_t len, end;

	(void)saddr;
	if (!tot_p)
		return 1;
	end = ETH_HLEN_ + (size_t)(tot_p[0] << 8 | tot_p[1]);
	if (end <= l4off)
		return 1;
	len = end - l4off;
	msg = packet_get(p, idx, l4off, len, NULL);
	if (c->no_icmp || !msg || len < ICMP_ECHO_HLEN)
		return 1;
	if (msg[0] != ICMP_ECHO) {
		trace("ICMP: type %u from guest dropped", msg[0]);
		return 1;
	}
	return icmp_echo_send(c, false, &daddr, msg, len);
}

/**
 * icmp_tap6() - Handle an ICMPv6 message from the guest (NDP excluded)
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the ICMPv6 header
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: 1 if handled (sent or dropped)
 */
int icmp_tap6(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	      const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	const uint8_t *plen_p = packet_get(p, idx, ETH_HLEN_ + 4, 2, NULL);
	size_t len, end;
	const uint8_t *msg;

	(void)saddr;
	if (!plen_p)
		return 1;
	end = ETH_HLEN_ + IP6_HLEN + (size_t)(plen_p[0] << 8 | plen_p[1]);
	if (end <= l4off)
		return 1;
	len = end - l4off;
	msg = packet_get(p, idx, l4off, len, NULL);
	if (c->no_icmp || !msg || len < ICMP_ECHO_HLEN)
		return 1;
	if (msg[0] != ICMP6_ECHO_REQUEST) {
		trace("ICMPv6: type %u from guest dropped", msg[0]);
		return 1;
	}
	if (IN6_IS_ADDR_MULTICAST(daddr))
		return 1;
	return icmp_echo_send(c, true, daddr, msg, len);
}

/**
 * icmp_sock_handler() - Relay echo replies from a ping socket to the guest
 * @c:		Execution context
 * @ref:	epoll reference: identifier in the low 16 bits, bit 16 for IPv6
 *
 * #syscalls recvfrom
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref)
{
	bool v6 = ref.data & ICMP_REF_V6, raw = ref.data & ICMP_REF_RAW;
	uint8_t buf[ICMP_BUF_SIZE];
	struct sockaddr_in6 a6 = { 0 };
	struct sockaddr_in a4 = { 0 };
	int i;

	for (i = 0; i < 64; i++) {	/* bounded: others wait for next round */
		socklen_t sl = v6 ? sizeof(a6) : sizeof(a4);
		ssize_t n = recvfrom(ref.fd, buf, sizeof(buf), MSG_DONTWAIT,
				     v6 ? (struct sockaddr *)&a6 :
					  (struct sockaddr *)&a4, &sl);
		uint16_t id = (uint16_t)ref.data;
		uint8_t *msg = buf;

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				debug_perror("ICMP: receive on identifier %u",
					     id);
			return;
		}
		if (raw && !v6) {	/* raw IPv4 sockets see the IP header */
			size_t hlen = (size_t)(buf[0] & 0xf) * 4;

			if (n < IP4_HLEN || (size_t)n < hlen)
				continue;
			msg += hlen;
			n -= (ssize_t)hlen;
		}
		if (n < ICMP_ECHO_HLEN)
			continue;
		if (raw) {	/* ours only if the guest used it recently */
			const int *socks = v6 ? c->icmp.sock6 : c->icmp.sock4;

			/* On loopback, raw sockets also see the request */
			if (msg[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
				continue;

			id = (uint16_t)(msg[4] << 8 | msg[5]);
			if (socks[id] != ICMP_SOCK_RAW)
				continue;
		}
		msg[4] = (uint8_t)(id >> 8);
		msg[5] = (uint8_t)id;
		msg[2] = msg[3] = 0;
		if (v6) {
			const struct in6_addr *dst =
				IN6_IS_ADDR_LINKLOCAL(&a6.sin6_addr) &&
				!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_ll_seen) ?
				&c->ip6.addr_ll_seen :
				IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen) ?
				&c->ip6.addr : &c->ip6.addr_seen;

			c->icmp.ts6[id] = c->now.tv_sec;
			fwd_nat_src6(c, &a6.sin6_addr, false);
			tap_send_icmp6(c, NULL, &a6.sin6_addr, dst, msg,
				       (size_t)n);
		} else {
			struct in_addr dst = c->ip4.addr_seen.s_addr ?
					     c->ip4.addr_seen : c->ip4.addr;
			uint16_t ck = csum(msg, (size_t)n, 0);

			memcpy(msg + 2, &ck, 2);
			c->icmp.ts4[id] = c->now.tv_sec;
			fwd_nat_src4(c, &a4.sin_addr, false);
			tap_send_ip4(c, a4.sin_addr, dst, IPPROTO_ICMP, msg,
				     (size_t)n);
		}
		trace("ICMP%s: echo reply, identifier %u, %zd bytes",
		      v6 ? "v6" : "", id, n);
	}
}

/**
 * icmp_timer() - Close ping sockets idle for ICMP_TIMEOUT_S
 * @c:		Execution context
 *
 * #syscalls close
 */
void icmp_timer(struct ctx *c)
{
	struct icmp_ctx *ic = &c->icmp;
	size_t i;

	if (!ic->sock4)
		return;
	for (i = 0; i < ICMP_ID_NUM; i++) {
		if (ic->sock4[i] != -1 &&
		    c->now.tv_sec - ic->ts4[i] > ICMP_TIMEOUT_S) {
			if (ic->sock4[i] >= 0)
				close(ic->sock4[i]);
			ic->sock4[i] = -1;
		}
		if (ic->sock6[i] != -1 &&
		    c->now.tv_sec - ic->ts6[i] > ICMP_TIMEOUT_S) {
			if (ic->sock6[i] >= 0)
				close(ic->sock6[i]);
			ic->sock6[i] = -1;
		}
	}
}

/**
 * icmp_reset() - Close every ping socket: the guest they served is gone
 * @c:		Execution context
 */
void icmp_reset(struct ctx *c)
{
	struct icmp_ctx *ic = &c->icmp;
	size_t i;

	if (!ic->sock4)
		return;
	for (i = 0; i < ICMP_ID_NUM; i++) {
		if (ic->sock4[i] >= 0)
			close(ic->sock4[i]);
		if (ic->sock6[i] >= 0)
			close(ic->sock6[i]);
		ic->sock4[i] = ic->sock6[i] = -1;
	}
}
