// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation: guest datagrams to host sockets and back
 *
 * Theory of operation: a flow is what the guest sees, the 5-tuple (IP
 * version, guest address and port, remote address and port), kept in a
 * fixed-size hash table (udp_flow.c).  Each flow is carried on the host by
 * one socket:
 *
 * - Guest-initiated flows own a socket, connected to the host-side peer and
 *   bound, where possible, to the guest's source port (else to an ephemeral
 *   one), so that remote peers see the same port as the guest used.  Being
 *   connected, the socket only receives from that peer, and the kernel
 *   reports ICMP errors for it as ECONNREFUSED / EHOSTUNREACH on recv()
 *   (udp(7)); those are relayed to the guest as ICMP/ICMPv6 destination
 *   unreachable for the flow, so connected sockets in the guest fail the
 *   same way.
 *
 * - Host-initiated flows (ports forwarded with -u) share the listening
 *   socket of their port: the first datagram from a new peer creates the
 *   flow, and the guest's replies are sent back from that socket with
 *   sendto() to the peer.
 *
 * Addresses: a datagram from the guest to the --dns-forward address, port
 * 53, goes to the first resolver of that IP version (which may be a host
 * stub resolver on a loopback address: conf_derive.c then makes the gateway
 * the forward address unless one is given), and one to the gateway
 * address goes to the host's loopback address unless --no-map-gw.  Towards
 * the guest, loopback sources and the host's own address (which the guest
 * shares in pasta) appear as the gateway address.  Because the flow key is
 * the guest's view, replies always come from the address the guest used.
 *
 * Flows expire after UDP_TIMEOUT_S without traffic in either direction.
 * Nothing is allocated after udp_init(): a full table drops the datagram
 * that wanted a new flow.  Datagrams are never truncated: one longer than
 * the receive buffer (MSG_TRUNC) is dropped with a debug message.
 *
 * Not yet: the same ports as -t when -u isn't given (needs TCP forwarding,
 * issue 3), automatic forwarding and the local bypass (issue 5), batching
 * with recvmmsg()/sendmmsg().
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksum.h"
#include "epoll_ref.h"
#include "log.h"
#include "tap.h"
#include "udp.h"
#include "udp_flow.h"
#include "util.h"

#define UDP_BUF_SIZE	65536	/* above the largest UDP payload (65527) */
#define UDP_REF_LISTEN	(1U << 31)	/* epoll data: listening socket */
#define UDP_BATCH	64	/* datagrams per event, others wait a round */

/**
 * struct udp_ctx - UDP state, reached through c->udp
 * @flows:	Flow table
 * @buf:	Receive buffer for host sockets, UDP_BUF_SIZE bytes
 */
struct udp_ctx {
	struct udp_flowtab *flows;
	uint8_t *buf;
};

/**
 * udp_listen_port() - Open the listening socket of one forwarded port
 * @c:		Execution context
 * @port:	Port on the host side
 *
 * With no bind address, one dual-stack socket serves IPv4 and IPv6 (an
 * IPv6 port is forwarded for IPv4 too); with -4 or -6, or an address of
 * one version, only that version is served.
 *
 * Context: setup
 * Return: 0 on success, -errno on failure
 *
 * #syscalls socket setsockopt bind epoll_ctl
 */
static int udp_listen_port(const struct ctx *c, uint16_t port)
{
	const struct fwd_ports *fwd = &c->udp_in;
	bool v6 = c->ifi6 && fwd->addr_family != AF_INET;
	int v6only = !c->ifi4 || fwd->addr_family == AF_INET6;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, s, rc;

	if (fwd->addr_family == AF_INET6)
		a6.sin6_addr = fwd->addr6;
	if (fwd->addr_family == AF_INET)
		a4.sin_addr = fwd->addr4;
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			      sizeof(v6only))) ||
	    (*fwd->ifname &&
	     setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, fwd->ifname,
			(socklen_t)strlen(fwd->ifname))) ||
	    bind(s, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
		 v6 ? sizeof(a6) : sizeof(a4)))
		goto err_close;
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_UDP, s,
			   UDP_REF_LISTEN | port);
	if (rc) {
		close(s);
		return rc;
	}
	return 0;
err_close:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * udp_init() - Allocate the flow table, open sockets for forwarded ports
 * @c:		Execution context
 *
 * Context: setup
 * Return: 0 on success, -errno on failure (the caller dies)
 *
 * #syscalls getrandom
 */
int udp_init(struct ctx *c)
{
	uint8_t key[UDP_FLOW_KEY_LEN];
	struct udp_ctx *u;
	unsigned port;
	int rc;

	if (c->no_udp)
		return 0;
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return errno ? -errno : -EIO;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->buf = malloc(UDP_BUF_SIZE);
	u->flows = udp_flowtab_new(UDP_FLOWS, key);
	if (!u->buf || !u->flows) {
		udp_flowtab_free(u->flows);
		free(u->buf);
		free(u);
		return -ENOMEM;
	}
	c->udp = u;

	if (c->udp_in.mode != FWD_SPEC)
		return 0;
	for (port = 0; port < NUM_PORTS; port++) {
		if (!fwd_port_isset(&c->udp_in, port))
			continue;
		rc = udp_listen_port(c, (uint16_t)port);
		if (rc) {
			err("-u: can't bind UDP port %u: %s", port,
			    strerror_(-rc));
			return rc;
		}
	}
	return 0;
}

/**
 * udp_guest4() - Guest address for host-initiated IPv4 flows
 * @c:		Execution context
 *
 * Return: address last seen from the guest, else the assigned one
 */
static struct in_addr udp_guest4(const struct ctx *c)
{
	return c->ip4.addr_seen.s_addr ? c->ip4.addr_seen : c->ip4.addr;
}

/**
 * udp_guest6() - Guest address for host-initiated IPv6 flows
 * @c:		Execution context
 * @ll:		The source is link-local
 *
 * Return: link-local address seen if @ll and known, else the global one
 * last seen, else the assigned one
 */
static const struct in6_addr *udp_guest6(const struct ctx *c, bool ll)
{
	if (ll && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_ll_seen))
		return &c->ip6.addr_ll_seen;
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		return &c->ip6.addr_seen;
	return &c->ip6.addr;
}

/**
 * udp_tap_dst4() - Host-side destination of a guest's IPv4 datagram
 * @c:		Execution context
 * @daddr:	Destination as sent by the guest
 * @dport:	Destination port, host order
 *
 * Return: address to connect to
 */
static struct in_addr udp_tap_dst4(const struct ctx *c, struct in_addr daddr,
				   uint16_t dport)
{
	if (c->ip4.dns_match.s_addr && daddr.s_addr == c->ip4.dns_match.s_addr &&
	    dport == 53 && c->ip4.dns[0].s_addr)
		return c->ip4.dns[0];
	if (!c->no_map_gw && c->ip4.gw.s_addr &&
	    daddr.s_addr == c->ip4.gw.s_addr) {
		struct in_addr lo = { htonl(INADDR_LOOPBACK) };

		return lo;
	}
	return daddr;
}

/**
 * udp_tap_dst6() - Host-side destination of a guest's IPv6 datagram
 * @c:		Execution context
 * @daddr:	Destination as sent by the guest
 * @dport:	Destination port, host order
 *
 * Return: address to connect to
 */
static struct in6_addr udp_tap_dst6(const struct ctx *c,
				    const struct in6_addr *daddr,
				    uint16_t dport)
{
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
	    IN6_ARE_ADDR_EQUAL(daddr, &c->ip6.dns_match) && dport == 53 &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]))
		return c->ip6.dns[0];
	if (!c->no_map_gw && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) &&
	    (IN6_ARE_ADDR_EQUAL(daddr, &c->ip6.gw) ||
	     IN6_ARE_ADDR_EQUAL(daddr, &c->ip6.our_tap_ll)))
		return in6addr_loopback;
	return *daddr;
}

/**
 * udp_flow_open() - Open, bind, connect and watch a guest flow's socket
 * @c:		Execution context
 * @f:		New flow, @f->host already set
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls socket setsockopt bind connect epoll_ctl
 */
static int udp_flow_open(const struct ctx *c, struct udp_flow *f)
{
	bool v6 = f->key.v6;
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	const struct sockaddr_in *h4 = (const struct sockaddr_in *)&f->host;
	bool lo = v6 ? IN6_IS_ADDR_LOOPBACK(&f->host.sin6_addr) :
		       (ntohl(h4->sin_addr.s_addr) >> 24) == IN_LOOPBACKNET;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(f->key.gport) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(f->key.gport) };
	struct sockaddr *sa = v6 ? (struct sockaddr *)&a6 :
				   (struct sockaddr *)&a4;
	socklen_t sl = v6 ? sizeof(a6) : sizeof(a4);
	int one = 1, s, rc;

	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0)
		return -errno;
	if (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto err_close;
	/* -o and --outbound-if* would make loopback unreachable */
	if (!lo) {
		a4.sin_addr = c->ip4.addr_out;
		a6.sin6_addr = c->ip6.addr_out;
		if (*ifname &&
		    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			       (socklen_t)strlen(ifname)))
			debug_perror("UDP: can't bind to interface %s", ifname);
	}
	if (bind(s, sa, sl)) {
		a4.sin_port = a6.sin6_port = 0;
		if (bind(s, sa, sl))
			goto err_close;
	}
	if (connect(s, (const struct sockaddr *)&f->host, f->hostlen))
		goto err_close;
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_UDP, s,
			   udp_flow_idx(c->udp->flows, f));
	if (rc) {
		close(s);
		return rc;
	}
	f->fd = s;
	f->owned = true;
	return 0;
err_close:
	rc = -errno;
	close(s);
	return rc;
}

/**
 * udp_flow_new() - Create the flow for a guest's datagram
 * @c:		Execution context
 * @k:		Flow key
 *
 * Return: flow, NULL if the datagram must be dropped
 */
static struct udp_flow *udp_flow_new(struct ctx *c,
				     const struct udp_flow_key *k)
{
	struct udp_flowtab *t = c->udp->flows;
	struct udp_flow *f = udp_flow_insert(t, k, c->now.tv_sec);
	int rc;

	if (!f) {
		debug("UDP: no room for a new flow (%zu in use)", t->count);
		return NULL;
	}
	if (k->v6) {
		struct sockaddr_in6 *h = &f->host;

		h->sin6_family = AF_INET6;
		h->sin6_port = htons(k->rport);
		h->sin6_addr = udp_tap_dst6(c, &k->raddr, k->rport);
		if (IN6_IS_ADDR_LINKLOCAL(&h->sin6_addr))
			h->sin6_scope_id = c->ifi6;
		f->hostlen = sizeof(*h);
	} else {
		struct sockaddr_in *h = (struct sockaddr_in *)&f->host;
		struct in_addr r;

		memcpy(&r, &k->raddr.s6_addr[12], sizeof(r));
		h->sin_family = AF_INET;
		h->sin_port = htons(k->rport);
		h->sin_addr = udp_tap_dst4(c, r, k->rport);
		f->hostlen = sizeof(*h);
	}
	rc = udp_flow_open(c, f);
	if (rc) {
		debug("UDP: can't open socket for a new flow: %s",
		      strerror_(-rc));
		udp_flow_remove(t, f);
		return NULL;
	}
	return f;
}

/**
 * udp_icmp_send() - Tell the guest its flow's peer is unreachable
 * @c:		Execution context
 * @f:		Flow
 * @error:	errno from the host socket: ECONNREFUSED, EHOSTUNREACH, ...
 *
 * The message quotes a reconstructed IP and UDP header of the guest's
 * datagram: that is all the guest's stack needs to find its socket.
 */
static void udp_icmp_send(const struct ctx *c, const struct udp_flow *f,
			  int error)
{
	struct udphdr uh = { .source = htons(f->key.gport),
			     .dest = htons(f->key.rport),
			     .len = htons(UDP_HLEN) };

	if (f->key.v6) {
		uint8_t msg[8 + IP6_HLEN + UDP_HLEN] = { ICMP6_DST_UNREACH };
		struct ip6_hdr ip6 = { 0 };

		msg[1] = error == ECONNREFUSED ? ICMP6_DST_UNREACH_NOPORT :
			 error == EHOSTUNREACH ? ICMP6_DST_UNREACH_ADDR :
			 ICMP6_DST_UNREACH_NOROUTE;
		ip6.ip6_flow = htonl(6U << 28);
		ip6.ip6_plen = htons(UDP_HLEN);
		ip6.ip6_nxt = IPPROTO_UDP;
		ip6.ip6_hlim = 64;
		ip6.ip6_src = f->key.gaddr;
		ip6.ip6_dst = f->key.raddr;
		memcpy(msg + 8, &ip6, sizeof(ip6));
		memcpy(msg + 8 + IP6_HLEN, &uh, sizeof(uh));
		tap_send_icmp6(c, NULL, &f->key.raddr, &f->key.gaddr, msg,
			       sizeof(msg));
	} else {
		uint8_t msg[8 + IP4_HLEN + UDP_HLEN] = { ICMP_DEST_UNREACH };
		struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64,
				    .protocol = IPPROTO_UDP };
		struct in_addr g, r;
		uint16_t ck;

		msg[1] = error == ECONNREFUSED ? ICMP_PORT_UNREACH :
			 error == EHOSTUNREACH ? ICMP_HOST_UNREACH :
			 ICMP_NET_UNREACH;
		memcpy(&g, &f->key.gaddr.s6_addr[12], sizeof(g));
		memcpy(&r, &f->key.raddr.s6_addr[12], sizeof(r));
		ip.tot_len = htons(IP4_HLEN + UDP_HLEN);
		ip.saddr = g.s_addr;
		ip.daddr = r.s_addr;
		ip.check = csum(&ip, sizeof(ip), 0);
		memcpy(msg + 8, &ip, sizeof(ip));
		memcpy(msg + 8 + IP4_HLEN, &uh, sizeof(uh));
		ck = csum(msg, sizeof(msg), 0);
		memcpy(msg + 2, &ck, sizeof(ck));
		tap_send_ip4(c, r, g, IPPROTO_ICMP, msg, sizeof(msg));
	}
	debug("UDP: peer unreachable (%s), told the guest", strerror_(error));
}

/**
 * udp_is_unreach() - Whether a socket error means "destination unreachable"
 * @error:	errno
 *
 * Return: true for errors reported from ICMP destination unreachable
 */
static bool udp_is_unreach(int error)
{
	return error == ECONNREFUSED || error == EHOSTUNREACH ||
	       error == ENETUNREACH;
}

/**
 * udp_tap_handler() - Send a guest's UDP datagram from its host socket
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the UDP header
 * @l4len:	Length from the UDP header to the end of the IP payload
 * @v6:		IPv6 rather than IPv4
 * @saddr:	Source address (struct in_addr or struct in6_addr)
 * @daddr:	Destination address (same type)
 *
 * Return: 1 (the datagram was ours, sent or dropped)
 *
 * #syscalls send sendto
 */
int udp_tap_handler(struct ctx *c, const struct pool *p, size_t idx,
		    size_t l4off, size_t l4len, bool v6,
		    const void *saddr, const void *daddr)
{
	const struct udphdr *uh = packet_get(p, idx, l4off, UDP_HLEN, NULL);
	struct udp_flow_key k;
	struct udp_flow *f;
	const void *payload;
	size_t ulen;
	ssize_t n;

	if (c->no_udp || !c->udp || !uh)
		return 1;
	ulen = ntohs(uh->len);
	if (ulen < UDP_HLEN || ulen > l4len) {
		trace("UDP: length %zu invalid (%zu available)", ulen, l4len);
		return 1;
	}
	/* An empty payload still needs a valid pointer: the header's */
	payload = ulen > UDP_HLEN ? packet_get(p, idx, l4off + UDP_HLEN,
					       ulen - UDP_HLEN, NULL) : uh;
	if (!payload)
		return 1;
	if (!uh->source || !uh->dest)
		return 1;

	if (v6) {
		const struct in6_addr *d = daddr;

		if (IN6_IS_ADDR_MULTICAST(d) || IN6_IS_ADDR_UNSPECIFIED(d) ||
		    IN6_IS_ADDR_LOOPBACK(d) ||
		    (IN6_IS_ADDR_LINKLOCAL(d) &&
		     !IN6_ARE_ADDR_EQUAL(d, &c->ip6.our_tap_ll))) {
			trace("UDP: IPv6 destination not forwarded");
			return 1;
		}
		udp_flow_key6(&k, saddr, ntohs(uh->source), d,
			      ntohs(uh->dest));
	} else {
		struct in_addr s, d;

		memcpy(&s, saddr, sizeof(s));
		memcpy(&d, daddr, sizeof(d));
		if (!d.s_addr || d.s_addr == INADDR_BROADCAST ||
		    IN_MULTICAST(ntohl(d.s_addr)) ||
		    (ntohl(d.s_addr) >> 24) == IN_LOOPBACKNET) {
			trace("UDP: IPv4 destination not forwarded");
			return 1;
		}
		udp_flow_key4(&k, s, ntohs(uh->source), d, ntohs(uh->dest));
	}

	f = udp_flow_lookup(c->udp->flows, &k);
	if (!f && !(f = udp_flow_new(c, &k)))
		return 1;
	f->ts = c->now.tv_sec;

	if (f->owned)
		n = send(f->fd, payload, ulen - UDP_HLEN,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	else
		n = sendto(f->fd, payload, ulen - UDP_HLEN,
			   MSG_DONTWAIT | MSG_NOSIGNAL,
			   (const struct sockaddr *)&f->host, f->hostlen);
	if (n < 0) {
		int error = errno;

		/* A pending error from an earlier ICMP message */
		if (f->owned && udp_is_unreach(error))
			udp_icmp_send(c, f, error);
		else
			debug("UDP: datagram of %zu bytes dropped: %s",
			      ulen - UDP_HLEN, strerror_(error));
	} else {
		trace("UDP: %zu bytes from guest port %u to port %u",
		      ulen - UDP_HLEN, k.gport, k.rport);
	}
	return 1;
}

/**
 * udp_to_guest() - Send a datagram to the guest along a flow
 * @c:		Execution context
 * @f:		Flow
 * @data:	Payload
 * @len:	Payload length
 */
static void udp_to_guest(struct ctx *c, struct udp_flow *f,
			 const uint8_t *data, size_t len)
{
	int rc;

	f->ts = c->now.tv_sec;
	if (f->key.v6) {
		rc = tap_send_udp6(c, &f->key.raddr, f->key.rport,
				   &f->key.gaddr, f->key.gport, data, len);
	} else {
		struct in_addr g, r;

		memcpy(&g, &f->key.gaddr.s6_addr[12], sizeof(g));
		memcpy(&r, &f->key.raddr.s6_addr[12], sizeof(r));
		rc = tap_send_udp4(c, r, f->key.rport, g, f->key.gport,
				   data, len);
	}
	if (rc)
		debug("UDP: datagram of %zu bytes to guest dropped: %s", len,
		      strerror_(-rc));
}

/**
 * udp_listen_flow() - Find or create the flow for a datagram on a port
 * @c:		Execution context
 * @ref:	epoll reference of the listening socket
 * @sa:		Peer address, as received
 * @sl:		Length of @sa
 *
 * Return: flow, NULL if the datagram must be dropped
 */
static struct udp_flow *udp_listen_flow(struct ctx *c, union epoll_ref ref,
					const struct sockaddr_in6 *sa,
					socklen_t sl)
{
	uint16_t port = (uint16_t)ref.data;
	uint16_t gport = (uint16_t)(port + c->udp_in.delta[port]);
	struct udp_flow_key k;
	struct udp_flow *f;

	if (sa->sin6_family == AF_INET || IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		struct in_addr r, g = udp_guest4(c);
		uint16_t rport;

		if (sa->sin6_family == AF_INET) {
			r = s4->sin_addr;
			rport = ntohs(s4->sin_port);
		} else {
			memcpy(&r, &sa->sin6_addr.s6_addr[12], sizeof(r));
			rport = ntohs(sa->sin6_port);
		}
		if ((ntohl(r.s_addr) >> 24) == IN_LOOPBACKNET ||
		    r.s_addr == c->ip4.addr.s_addr)
			r = c->ip4.gw;
		if (!c->ifi4 || !r.s_addr || !g.s_addr)
			return NULL;
		udp_flow_key4(&k, g, gport, r, rport);
	} else {
		struct in6_addr r = sa->sin6_addr;
		const struct in6_addr *g;

		if (IN6_IS_ADDR_LOOPBACK(&r) ||
		    IN6_ARE_ADDR_EQUAL(&r, &c->ip6.addr))
			r = IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) ?
			    c->ip6.our_tap_ll : c->ip6.gw;
		g = udp_guest6(c, IN6_IS_ADDR_LINKLOCAL(&r));
		if (!c->ifi6 || IN6_IS_ADDR_UNSPECIFIED(g))
			return NULL;
		udp_flow_key6(&k, g, gport, &r, ntohs(sa->sin6_port));
	}

	f = udp_flow_lookup(c->udp->flows, &k);
	if (!f) {
		f = udp_flow_insert(c->udp->flows, &k, c->now.tv_sec);
		if (!f) {
			debug("UDP: no room for a new flow on port %u", port);
			return NULL;
		}
		f->owned = false;
	}
	if (!f->owned) {
		f->fd = ref.fd;
		memcpy(&f->host, sa, MIN((size_t)sl, sizeof(f->host)));
		f->hostlen = (uint32_t)MIN((size_t)sl, sizeof(f->host));
	}
	return f;
}

/**
 * udp_sock_handler() - Relay datagrams from a host socket to the guest
 * @c:		Execution context
 * @ref:	epoll reference: flow index, or UDP_REF_LISTEN and the port
 *
 * #syscalls recvfrom
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref)
{
	bool listen = ref.data & UDP_REF_LISTEN;
	struct udp_flow *f = NULL;
	uint8_t *buf;
	int i;

	if (!c->udp)
		return;
	buf = c->udp->buf;
	if (!listen) {
		if (ref.data >= c->udp->flows->size)
			return;
		f = &c->udp->flows->flows[ref.data];
		if (!f->used || !f->owned || f->fd != ref.fd)
			return;		/* stale event for a closed flow */
	}

	for (i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_in6 sa = { 0 };
		socklen_t sl = sizeof(sa);
		ssize_t n;

		n = recvfrom(ref.fd, buf, UDP_BUF_SIZE,
			     MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&sa, &sl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (!listen && udp_is_unreach(errno)) {
				udp_icmp_send(c, f, errno);
				continue;
			}
			debug_perror("UDP: receive");
			return;
		}
		if (n > UDP_BUF_SIZE) {
			debug("UDP: dropped datagram of %zd bytes", n);
			continue;
		}
		if (listen && !(f = udp_listen_flow(c, ref, &sa, sl)))
			continue;
		udp_to_guest(c, f, buf, (size_t)n);
		trace("UDP: %zd bytes to guest port %u", n, f->key.gport);
	}
}

/**
 * udp_flow_close() - Close an expiring flow's own socket
 * @opaque:	Unused
 * @f:		Flow about to be removed
 *
 * #syscalls close
 */
static void udp_flow_close(void *opaque, struct udp_flow *f)
{
	(void)opaque;
	if (f->owned && f->fd >= 0)
		close(f->fd);
	trace("UDP: flow from guest port %u to port %u expired", f->key.gport,
	      f->key.rport);
}

/**
 * udp_timer() - Expire flows idle for UDP_TIMEOUT_S
 * @c:		Execution context
 */
void udp_timer(struct ctx *c)
{
	if (!c->udp)
		return;
	udp_flow_expire(c->udp->flows, c->now.tv_sec, UDP_TIMEOUT_S,
			udp_flow_close, NULL);
}

/**
 * udp_reset() - Close every flow: the guest they belonged to is gone
 * @c:		Execution context
 */
void udp_reset(struct ctx *c)
{
	if (!c->udp)
		return;
	/* A negative timeout expires every flow */
	udp_flow_expire(c->udp->flows, c->now.tv_sec, -1, udp_flow_close,
			NULL);
}

/**
 * udp_listen_open() - Open a socket for an automatically forwarded port
 * @c:		Execution context
 * @ns_side:	Bind in the namespace (-U auto), else on the host (-u auto)
 * @v6:		IPv6 (IPV6_V6ONLY: IPv4 gets its own socket)
 * @port:	Port, host order, not translated
 *
 * Host-side sockets bind any address and are handled like ports given
 * with -u (udp_sock_handler()).
 *
 * Return: bound socket, watched by epoll, or -errno; -EOPNOTSUPP for
 *	   @ns_side: namespace-side sockets belong to the -U code (to be
 *	   hooked up here)
 *
 * #syscalls:pasta socket setsockopt bind epoll_ctl close
 */
int udp_listen_open(const struct ctx *c, bool ns_side, bool v6, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, s, rc;

	if (ns_side)
		return -EOPNOTSUPP;
	if (!c->udp)
		return -ENOTCONN;
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one))) ||
	    bind(s, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
		 v6 ? sizeof(a6) : sizeof(a4))) {
		rc = -errno;
		close(s);
		return rc;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_UDP, s,
			   UDP_REF_LISTEN | port);
	if (rc) {
		close(s);
		return rc;
	}
	return s;
}

/**
 * udp_listen_close() - Close a socket from udp_listen_open(), and its flows
 * @c:		Execution context
 * @fd:		Socket
 *
 * Flows started by datagrams on @fd reply through it: they go with it, so
 * that no flow is left with a descriptor number that may be reused.
 *
 * #syscalls:pasta close
 */
void udp_listen_close(struct ctx *c, int fd)
{
	struct udp_flowtab *t = c->udp ? c->udp->flows : NULL;
	size_t i;

	for (i = 0; t && i < t->size; i++) {
		struct udp_flow *f = &t->flows[i];

		if (f->used && !f->owned && f->fd == fd)
			udp_flow_remove(t, f);
	}
	close(fd);
}
