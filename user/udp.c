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
 *   one), so that remote peers see the same port as the guest used.
 *
 * - Host-initiated flows (ports forwarded with -u) share the listening
 *   socket of their port: the first datagram from a new peer creates the
 *   flow, and the guest's replies are sent back from that socket with
 *   sendmmsg() to the peer.  Without -u, the ports forwarded with -t are
 *   forwarded for UDP too, without translation (and -T ports for -U).
 *
 * Batching: host sockets are read with recvmmsg(), UDP_BATCH datagrams at
 * a time, into slots that leave room for the Ethernet, IP and UDP headers
 * in front of the payload, so frames to the guest are built in place from
 * a per-flow header template and written one per frame (a tap device takes
 * one frame per write()).  Consecutive datagrams from the guest for the same
 * flow are queued while the tap pool is walked, and leave with one
 * sendmmsg() (udp_tap_flush(), at the end of each pool).  Datagrams are
 * never truncated: one longer than a slot (MSG_TRUNC) is dropped with a
 * debug message, as are frames the IP header can't describe.
 *
 * ICMP errors: every socket has IP_RECVERR / IPV6_RECVERR set; errors for
 * a flow are read from the socket's error queue and relayed to the guest as
 * ICMP/ICMPv6 messages quoting the guest's datagram (udp_err.c), so that
 * connected sockets in the guest see ECONNREFUSED and the like.
 *
 * Addresses: a datagram from the guest to the --dns-forward address, port
 * 53, goes to the first resolver of that IP version (which may be a host
 * stub resolver on a loopback address: conf_derive.c then makes the gateway
 * the forward address unless one is given), and one to the gateway
 * address goes to the host's loopback address unless --no-map-gw (or to
 * another address: fwd_nat.c has every mapping).  Towards the guest,
 * loopback sources and the host's own address (which the guest shares in
 * pasta) appear as the gateway address, or as the --map-host-loopback and
 * --map-guest-addr addresses.  Because the flow key is the guest's view,
 * replies always come from the address the guest used.
 *
 * pasta's loopback bypass (udp_splice.c): datagrams from a loopback source
 * to a -u port, and datagrams to -U ports (bound on the namespace's
 * loopback), skip the tap and go socket to socket between the namespaces.
 *
 * Flows expire after UDP_TIMEOUT_S without traffic in either direction.
 * Nothing is allocated after udp_init(): a full table drops the datagram
 * that wanted a new flow.
 *
 * Not yet: automatic forwarding (issue 5).
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
#include "fwd_nat.h"
#include "log.h"
#include "tap.h"
#include "udp.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "util.h"

/**
 * struct udp_tmpl - Ethernet and IP headers of frames along one flow
 * @hdr:	Headers, lengths and IPv4 checksum to be filled per frame
 * @l3len:	Length of the Ethernet and IP headers in @hdr
 * @v6:		IPv6 headers
 * @psum:	Pseudo-header sum, without the length
 * @sport:	UDP source port, network order
 * @dport:	UDP destination port, network order
 */
struct udp_tmpl {
	uint8_t hdr[ETH_HLEN_ + IP6_HLEN];
	size_t l3len;
	bool v6;
	uint32_t psum;
	uint16_t sport;
	uint16_t dport;
};

/**
 * udp_sock_opts() - Ask for ICMP errors on a socket's error queue, and for
 *		     buffers that hold a burst of large datagrams
 * @s:		UDP socket
 * @af:		Its family: AF_INET6 sockets may carry IPv4 too
 *
 * The buffer sizes are capped by net.core.rmem_max and wmem_max: with the
 * default 208 KiB, six 32 KiB datagrams fill a buffer.  Failing to set
 * them is not an error.
 *
 * Return: 0 on success, -errno on failure
 */
int udp_sock_opts(int s, int af)
{
	int one = 1, size = UDP_SOCK_BUF;

	if (setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) ||
	    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		debug_perror("UDP: can't set socket buffer sizes");

	if (setsockopt(s, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) &&
	    af == AF_INET)
		return -errno;
	if (af == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)))
		return -errno;
	return 0;
}

/**
 * udp_listen_opts() - Ask a forwarded port's socket for the local address
 *		       of each datagram, so that replies can leave from it
 * @s:		UDP socket
 * @af:		Its family: IPV6_PKTINFO also covers IPv4 on AF_INET6
 *
 * On a host with several addresses, a reply sent from a wildcard-bound
 * socket would otherwise leave from whichever address the route prefers,
 * and a client that connected its socket to another one drops it.
 *
 * Return: 0 on success, -errno on failure
 */
static int udp_listen_opts(int s, int af)
{
	int one = 1;

	if (af == AF_INET6 ?
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) :
	    setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		return -errno;
	return 0;
}

/**
 * udp_local_addr() - Local address a datagram came to, from its ancillary
 *		      data
 * @mh:		Received message, with IP_PKTINFO or IPV6_PKTINFO
 * @local:	Set on success: the address, v4-mapped for IPv4
 *
 * Return: true if found and usable as a source (not multicast or
 *	   broadcast: IPv4 gives the local address the packet was for)
 */
static bool udp_local_addr(const struct msghdr *mh, struct in6_addr *local)
{
	const struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		return false;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR((struct msghdr *)mh,
							   (struct cmsghdr *)cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			if (IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr) ||
			    (IN6_IS_ADDR_V4MAPPED(&pi.ipi6_addr) &&
			     pi.ipi6_addr.s6_addr[12] >= 224))
				return false;
			*local = pi.ipi6_addr;
			return true;
		}
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			if (pi.ipi_addr.s_addr != pi.ipi_spec_dst.s_addr)
				return false;	/* broadcast or multicast */
			memset(local, 0, sizeof(*local));
			local->s6_addr[10] = local->s6_addr[11] = 0xff;
			memcpy(&local->s6_addr[12], &pi.ipi_spec_dst, 4);
			return true;
		}
	}
	return false;
}

/**
 * udp_sa_is_loopback() - Whether a socket address is a loopback one
 * @sa:		sockaddr_in6, or sockaddr_in if its family says so
 *
 * Return: true for 127.0.0.0/8 (also v4-mapped) and ::1
 */
bool udp_sa_is_loopback(const struct sockaddr_in6 *sa)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

	if (sa->sin6_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == IN_LOOPBACKNET;
	if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
		return sa->sin6_addr.s6_addr[12] == IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&sa->sin6_addr);
}

/**
 * udp_recv_batch() - Read up to UDP_BATCH datagrams into the slots
 * @u:		UDP state
 * @fd:		Socket
 *
 * On return, u->mm[i].msg_len is the real length of datagram i (longer
 * than UDP_PAYLOAD_MAX if it was truncated), u->sa[i] its source, and
 * u->ctl[i] its local address if the socket asks for it (forwarded ports).
 *
 * Return: number of datagrams, 0 if none (or on error, logged)
 *
 * #syscalls recvmmsg
 */
int udp_recv_batch(struct udp_ctx *u, int fd)
{
	unsigned i;
	int n;

	for (i = 0; i < UDP_BATCH; i++) {
		struct msghdr *mh = &u->mm[i].msg_hdr;

		u->iov[i].iov_base = udp_slot(u, i);
		u->iov[i].iov_len = UDP_PAYLOAD_MAX;
		mh->msg_name = &u->sa[i];
		mh->msg_namelen = sizeof(u->sa[i]);
		mh->msg_iov = &u->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = u->ctl[i].buf;
		mh->msg_controllen = sizeof(u->ctl[i].buf);
		mh->msg_flags = 0;
	}
	do {
		n = recvmmsg(fd, u->mm, UDP_BATCH, MSG_DONTWAIT | MSG_TRUNC,
			     NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* Unreachable errors come from the error queue too */
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH)
			debug_perror("UDP: receive");
		return 0;
	}
	return n;
}

/**
 * udp_listen_port() - Open the listening socket of one forwarded port
 * @c:		Execution context
 * @port:	Port on the host side
 *
 * With no bind address, one dual-stack socket serves IPv4 and IPv6 (an
 * IPv6 port is forwarded for IPv4 too); with -4 or -6, or an address of
 * one version, only that version is served.  For an "all" set (-u all),
 * SO_REUSEADDR is left out: with it, a UDP port another socket bound with
 * SO_REUSEADDR too could be bound again, and taken from its owner.
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
	int af = v6 ? AF_INET6 : AF_INET;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, s, rc;

	if (fwd->addr_family == AF_INET6)
		a6.sin6_addr = fwd->addr6;
	if (fwd->addr_family == AF_INET)
		a4.sin_addr = fwd->addr4;
	s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0)
		return -errno;
	rc = udp_sock_opts(s, af);
	if (!rc)
		rc = udp_listen_opts(s, af);
	if (rc) {
		close(s);
		return rc;
	}
	if ((!fwd->all &&
	     setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
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
 * udp_fwd_follow() - Without -u (-U), forward the -t (-T) port numbers
 * @udp:	UDP forwarding of one direction
 * @tcp:	TCP forwarding of the same direction
 *
 * As the man page says: the same port numbers, bound the same way, but
 * without translation.
 *
 * Return: true if the ports were taken from @tcp
 */
static bool udp_fwd_follow(struct fwd_ports *udp, const struct fwd_ports *tcp)
{
	if (udp->mode != FWD_UNSET ||
	    (tcp->mode != FWD_SPEC && tcp->mode != FWD_ALL))
		return false;
	udp->mode = tcp->mode;
	udp->all = tcp->all;
	memcpy(udp->map, tcp->map, sizeof(udp->map));
	memset(udp->delta, 0, sizeof(udp->delta));
	udp->addr4 = tcp->addr4;
	udp->addr6 = tcp->addr6;
	udp->addr_family = tcp->addr_family;
	memcpy(udp->ifname, tcp->ifname, sizeof(udp->ifname));
	return true;
}

/**
 * udp_listen_all() - Bind every port of an "all" set (-u all), best effort
 * @c:		Execution context
 *
 * Ports in use or needing privileges are skipped, and binding stops before
 * descriptors run short, leaving half of them to TCP if -t is "all" too
 * (TCP is set up next): see fwd_bind.c.  One summary line says how it went.
 *
 * Context: setup
 */
static void udp_listen_all(const struct ctx *c)
{
	bool half = !c->no_tcp && c->tcp_in.all &&
		    (c->tcp_in.mode == FWD_ALL || c->tcp_in.mode == FWD_SPEC);
	unsigned budget = fwd_fd_budget(c->epollfd, half), port;
	struct fwd_all_stats st = { 0 };

	for (port = 1; port < NUM_PORTS; port++) {
		int rc;

		if (!fwd_port_isset(&c->udp_in, port))
			continue;
		if (st.bound >= budget) {
			st.first_left = port;
			break;
		}
		rc = udp_listen_port(c, (uint16_t)port);
		fwd_all_count(&st, rc);
		if (rc)
			trace("-u all: port %u skipped: %s", port,
			      strerror_(-rc));
	}
	fwd_all_report("-u", &st);
}

/**
 * udp_init() - Allocate the flow table, open sockets for forwarded ports
 * @c:		Execution context
 *
 * Context: setup; in pasta mode, after the namespace socket factory started
 * Return: 0 on success, -errno on failure (the caller dies)
 *
 * #syscalls getrandom
 */
int udp_init(struct ctx *c)
{
	uint8_t key[UDP_FLOW_KEY_LEN];
	struct udp_ctx *u;
	bool followed;
	unsigned port;
	int rc;

	if (c->no_udp)
		return 0;
	followed = udp_fwd_follow(&c->udp_in, &c->tcp_in);
	if (c->mode == MODE_PASTA)
		udp_fwd_follow(&c->udp_out, &c->tcp_out);
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return errno ? -errno : -EIO;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->buf = malloc((size_t)UDP_BATCH * UDP_SLOT);
	u->flows = udp_flowtab_new(UDP_FLOWS, key);
	if (!u->buf || !u->flows) {
		udp_flowtab_free(u->flows);
		free(u->buf);
		free(u);
		return -ENOMEM;
	}
	c->udp = u;

	if (c->mode == MODE_PASTA) {
		rc = udp_splice_init(c);
		if (rc)
			return rc;
	}
	if (c->udp_in.all &&
	    (c->udp_in.mode == FWD_ALL || c->udp_in.mode == FWD_SPEC)) {
		udp_listen_all(c);
		return 0;
	}
	if (c->udp_in.mode != FWD_SPEC)
		return 0;
	for (port = 0; port < NUM_PORTS; port++) {
		if (!fwd_port_isset(&c->udp_in, port))
			continue;
		rc = udp_listen_port(c, (uint16_t)port);
		/* Only what was asked for explicitly must work */
		if (rc && followed) {
			warn("can't bind UDP port %u (forwarded for TCP): %s",
			     port, strerror_(-rc));
		} else if (rc) {
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
	fwd_nat_dst4(c, &daddr);
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
	struct in6_addr a = *daddr;

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
	    IN6_ARE_ADDR_EQUAL(daddr, &c->ip6.dns_match) && dport == 53 &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]))
		return c->ip6.dns[0];
	fwd_nat_dst6(c, &a);
	return a;
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
	/* Loopback, or the guest's address on the host (--map-guest-addr):
	 * only mapped destinations are on this host
	 */
	bool lo = v6 ? IN6_IS_ADDR_LOOPBACK(&f->host.sin6_addr) ||
		       IN6_ARE_ADDR_EQUAL(&f->host.sin6_addr, &c->ip6.addr) :
		       (ntohl(h4->sin_addr.s_addr) >> 24) == IN_LOOPBACKNET ||
		       h4->sin_addr.s_addr == c->ip4.addr.s_addr;
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
	rc = udp_sock_opts(s, v6 ? AF_INET6 : AF_INET);
	if (rc) {
		close(s);
		return rc;
	}
	if (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto err_close;
	/* -o and --outbound-if* are for the way out, not to this host */
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
 * udp_src_ctl() - Ancillary data choosing the source of a flow's replies
 * @ctl:	Buffer to fill
 * @f:		Flow on a forwarded port's socket, @f->has_local set
 *
 * The socket's family is the one of @f->host: an AF_INET6 socket takes
 * IPV6_PKTINFO, with a v4-mapped address for IPv4 peers.
 *
 * Return: length of the ancillary data
 */
static size_t udp_src_ctl(union udp_ctl *ctl, const struct udp_flow *f)
{
	struct cmsghdr *cm = (struct cmsghdr *)ctl->buf;

	memset(ctl, 0, sizeof(*ctl));
	if (f->host.sin6_family == AF_INET6) {
		struct in6_pktinfo pi = { .ipi6_addr = f->local };

		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	{
		struct in_pktinfo pi = { 0 };

		memcpy(&pi.ipi_spec_dst, &f->local.s6_addr[12], 4);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
}

/**
 * udp_tap_flush() - Send the guest's queued datagrams with one sendmmsg()
 * @c:		Execution context
 *
 * Called when the next datagram is for another flow, when the queue is
 * full, and after each pool of frames (the payloads live in the pool).
 * A datagram the socket refuses is dropped and the rest still go; errors
 * from ICMP messages are relayed from the error queue instead.
 *
 * #syscalls sendmmsg
 */
void udp_tap_flush(struct ctx *c)
{
	struct udp_ctx *u = c->udp;
	unsigned i, done = 0, tries;
	size_t ctl_len = 0;
	struct udp_flow *f;

	if (!u || !u->out_n)
		return;
	f = u->out_flow;
	if (!f->owned && f->has_local)
		ctl_len = udp_src_ctl(&u->out_ctl, f);
	for (i = 0; i < u->out_n; i++) {
		struct msghdr *mh = &u->out_mm[i].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &u->out_iov[i];
		mh->msg_iovlen = 1;
		if (!f->owned) {
			mh->msg_name = &f->host;
			mh->msg_namelen = f->hostlen;
		}
		if (ctl_len) {
			mh->msg_control = u->out_ctl.buf;
			mh->msg_controllen = ctl_len;
		}
	}
	for (tries = 0; done < u->out_n && tries < 2 * UDP_BATCH; tries++) {
		int n = sendmmsg(f->fd, u->out_mm + done, u->out_n - done,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			debug_perror("UDP: datagram of %zu bytes from guest "
				     "dropped", u->out_iov[done].iov_len);
			done++;
			continue;
		}
		done += (unsigned)n;
	}
	trace("UDP: %u datagrams from guest port %u to port %u", done,
	      f->key.gport, f->key.rport);
	u->out_n = 0;
	u->out_flow = NULL;
}

/**
 * udp_tap_handler() - Queue a guest's UDP datagram for its host socket
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the UDP header
 * @l4len:	Length from the UDP header to the end of the IP payload
 * @v6:		IPv6 rather than IPv4
 * @saddr:	Source address (struct in_addr or struct in6_addr)
 * @daddr:	Destination address (same type)
 *
 * The datagram leaves at the latest with udp_tap_flush(), called by
 * tap_handler() before the pool is emptied.
 *
 * Return: 1 (the datagram was ours, queued or dropped)
 */
int udp_tap_handler(struct ctx *c, const struct pool *p, size_t idx,
		    size_t l4off, size_t l4len, bool v6,
		    const void *saddr, const void *daddr)
{
	const struct udphdr *uh = packet_get(p, idx, l4off, UDP_HLEN, NULL);
	struct udp_flow_key k;
	struct udp_ctx *u = c->udp;
	struct udp_flow *f;
	const void *payload;
	size_t ulen;

	if (c->no_udp || !u || !uh)
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

		struct in6_addr mapped = *d;

		if (IN6_IS_ADDR_MULTICAST(d) || IN6_IS_ADDR_UNSPECIFIED(d) ||
		    IN6_IS_ADDR_LOOPBACK(d) ||
		    (IN6_IS_ADDR_LINKLOCAL(d) &&
		     !IN6_ARE_ADDR_EQUAL(d, &c->ip6.our_tap_ll) &&
		     fwd_nat_dst6(c, &mapped) == FWD_NAT_NONE)) {
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

	f = udp_flow_lookup(u->flows, &k);
	if (!f && !(f = udp_flow_new(c, &k)))
		return 1;
	f->ts = c->now.tv_sec;

	if (u->out_n && (u->out_flow != f || u->out_n >= UDP_BATCH))
		udp_tap_flush(c);
	u->out_flow = f;
	u->out_iov[u->out_n].iov_base = (void *)payload;
	u->out_iov[u->out_n].iov_len = ulen - UDP_HLEN;
	u->out_n++;
	return 1;
}

/**
 * udp_tmpl_init() - Prepare the headers of frames to the guest along a flow
 * @c:		Execution context
 * @f:		Flow
 * @t:		Template to fill
 */
static void udp_tmpl_init(const struct ctx *c, const struct udp_flow *f,
			  struct udp_tmpl *t)
{
	t->v6 = f->key.v6;
	t->sport = htons(f->key.rport);
	t->dport = htons(f->key.gport);
	if (t->v6) {
		t->l3len = tap_l3_hdr(c, t->hdr, true, &f->key.raddr,
				      &f->key.gaddr, IPPROTO_UDP, 0);
		t->psum = csum_pseudo6(&f->key.raddr, &f->key.gaddr,
				       IPPROTO_UDP, 0);
	} else {
		struct in_addr g, r;

		memcpy(&g, &f->key.gaddr.s6_addr[12], sizeof(g));
		memcpy(&r, &f->key.raddr.s6_addr[12], sizeof(r));
		t->l3len = tap_l3_hdr(c, t->hdr, false, &r, &g, IPPROTO_UDP,
				      0);
		t->psum = csum_pseudo4(r, g, IPPROTO_UDP, 0);
	}
}

/**
 * udp_tmpl_send() - Build a frame in front of a payload, send it to the guest
 * @c:		Execution context
 * @t:		Headers for the flow
 * @payload:	Payload, with UDP_HEADROOM bytes before it that we may use
 * @len:	Payload length
 *
 * Return: 0 on success, -errno if dropped
 */
static int udp_tmpl_send(const struct ctx *c, const struct udp_tmpl *t,
			 uint8_t *payload, size_t len)
{
	size_t l4len = UDP_HLEN + len, hlen = t->l3len + UDP_HLEN;
	uint8_t *frame = payload - hlen;
	uint8_t *l3 = frame + ETH_HLEN_;
	struct udphdr uh;
	uint64_t sum;

	if (l4len > (t->v6 ? 65535U : 65535U - IP4_HLEN))
		return -EMSGSIZE;
	memcpy(frame, t->hdr, t->l3len);
	if (t->v6) {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)l3;

		ip6->ip6_plen = htons((uint16_t)l4len);
	} else {
		struct iphdr *ip = (struct iphdr *)l3;

		ip->tot_len = htons((uint16_t)(IP4_HLEN + l4len));
		ip->check = 0;
		ip->check = csum(ip, IP4_HLEN, 0);
	}
	uh.source = t->sport;
	uh.dest = t->dport;
	uh.len = htons((uint16_t)l4len);
	uh.check = 0;
	memcpy(frame + t->l3len, &uh, sizeof(uh));
	sum = (uint64_t)t->psum + l4len;
	sum = (sum & 0xffffffff) + (sum >> 32);
	uh.check = csum(frame + t->l3len, l4len, (uint32_t)sum);
	if (!uh.check)
		uh.check = 0xffff;
	memcpy(frame + t->l3len + offsetof(struct udphdr, check), &uh.check,
	       sizeof(uh.check));
	return tap_send(c, frame, hlen + len);
}

/**
 * udp_to_guest() - Send received datagram @i to the guest along a flow
 * @c:		Execution context
 * @f:		Flow
 * @t:		Headers for @f
 * @i:		Slot of the datagram
 */
static void udp_to_guest(struct ctx *c, struct udp_flow *f,
			 const struct udp_tmpl *t, unsigned i)
{
	struct udp_ctx *u = c->udp;
	size_t len = u->mm[i].msg_len;
	int rc;

	f->ts = c->now.tv_sec;
	rc = udp_tmpl_send(c, t, udp_slot(u, i), len);
	if (rc)
		debug("UDP: datagram of %zu bytes to guest dropped: %s", len,
		      strerror_(-rc));
}

/**
 * udp_listen_key() - Flow key of a datagram received on a forwarded port
 * @c:		Execution context
 * @port:	Forwarded port, host side
 * @sa:		Peer address, as received (sockaddr_in or sockaddr_in6)
 * @k:		Key to fill
 *
 * Return: true if the key could be built, false if the guest has no
 * address of the peer's IP version yet
 */
bool udp_listen_key(const struct ctx *c, uint16_t port,
		    const struct sockaddr_in6 *sa, struct udp_flow_key *k)
{
	uint16_t gport = (uint16_t)(port + c->udp_in.delta[port]);
	bool v4 = sa->sin6_family == AF_INET ||
		  IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr);

	if (v4) {
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
		fwd_nat_src4(c, &r, false);
		if (!c->ifi4 || !r.s_addr || !g.s_addr)
			return false;
		udp_flow_key4(k, g, gport, r, rport);
	} else {
		struct in6_addr r = sa->sin6_addr;
		const struct in6_addr *g;

		fwd_nat_src6(c, &r, false);
		g = udp_guest6(c, IN6_IS_ADDR_LINKLOCAL(&r));
		if (!c->ifi6 || IN6_IS_ADDR_UNSPECIFIED(g))
			return false;
		udp_flow_key6(k, g, gport, &r, ntohs(sa->sin6_port));
	}
	return true;
}

/**
 * udp_listen_flow() - Find or create the flow for a datagram on a port
 * @c:		Execution context
 * @ref:	epoll reference of the listening socket
 * @sa:		Peer address, as received
 * @sl:		Length of @sa
 * @mh:		The datagram's message, for its local address
 *
 * Return: flow, NULL if the datagram must be dropped
 */
static struct udp_flow *udp_listen_flow(struct ctx *c, union epoll_ref ref,
					const struct sockaddr_in6 *sa,
					socklen_t sl, const struct msghdr *mh)
{
	uint16_t port = (uint16_t)(ref.data & UDP_REF_PORT);
	struct udp_flow_key k;
	struct udp_flow *f;

	if (!udp_listen_key(c, port, sa, &k))
		return NULL;
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
		f->has_local = udp_local_addr(mh, &f->local);
	}
	return f;
}

/**
 * udp_listen_handler() - Datagrams on a forwarded port: to the guest, or
 *			  through the loopback bypass
 * @c:		Execution context
 * @ref:	epoll reference: UDP_REF_LISTEN, maybe UDP_REF_NS, and the port
 *
 * Consecutive datagrams for the same bypass flow leave with one sendmmsg().
 */
static void udp_listen_handler(struct ctx *c, union epoll_ref ref)
{
	bool pasta = c->mode == MODE_PASTA && c->pasta_st.ns_sock >= 0;
	struct udp_flow *run = NULL, *last = NULL;
	struct udp_ctx *u = c->udp;
	unsigned i, first = 0;
	struct udp_tmpl t;
	int n = udp_recv_batch(u, ref.fd);

	for (i = 0; i < (unsigned)n; i++) {
		const struct sockaddr_in6 *sa = &u->sa[i];
		socklen_t sl = u->mm[i].msg_hdr.msg_namelen;
		struct udp_flow *sf = NULL, *f;

		if (u->mm[i].msg_len > UDP_PAYLOAD_MAX ||
		    (u->mm[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			debug("UDP: dropped datagram of %u bytes on port %u",
			      u->mm[i].msg_len, ref.data & UDP_REF_PORT);
		} else if (pasta && ((ref.data & UDP_REF_NS) ||
				     udp_sa_is_loopback(sa))) {
			sf = udp_splice_flow(c, ref, sa, sl);
		} else if (!(ref.data & UDP_REF_NS) &&
			   (f = udp_listen_flow(c, ref, sa, sl,
						&u->mm[i].msg_hdr))) {
			if (f != last)
				udp_tmpl_init(c, f, &t);
			last = f;
			udp_to_guest(c, f, &t, i);
		}
		if (sf != run) {
			if (run)
				udp_splice_send(c, run, first, i - first);
			run = sf;
			first = i;
		}
	}
	if (run)
		udp_splice_send(c, run, first, (unsigned)n - first);
}

/**
 * udp_flow_handler() - Datagrams on a guest flow's own socket, to the guest
 * @c:		Execution context
 * @f:		Flow
 * @fd:		Its socket
 */
static void udp_flow_handler(struct ctx *c, struct udp_flow *f, int fd)
{
	struct udp_ctx *u = c->udp;
	struct udp_tmpl t;
	int i, n = udp_recv_batch(u, fd);

	if (n > 0)
		udp_tmpl_init(c, f, &t);
	for (i = 0; i < n; i++) {
		if (u->mm[i].msg_len > UDP_PAYLOAD_MAX ||
		    (u->mm[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			debug("UDP: dropped datagram of %u bytes",
			      u->mm[i].msg_len);
			continue;
		}
		udp_to_guest(c, f, &t, (unsigned)i);
	}
	if (n > 0)
		trace("UDP: %d datagrams to guest port %u", n, f->key.gport);
}

/**
 * udp_sock_handler() - Events on a UDP socket
 * @c:		Execution context
 * @ref:	epoll reference: flow index, or UDP_REF_LISTEN and the port
 * @events:	epoll events
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events)
{
	struct udp_flow *f = NULL;

	if (!c->udp)
		return;
	if (!(ref.data & UDP_REF_LISTEN)) {
		if (ref.data >= c->udp->flows->size)
			return;
		f = &c->udp->flows->flows[ref.data];
		if (!f->used || !f->owned || f->fd != ref.fd)
			return;		/* stale event for a closed flow */
	}

	if (events & EPOLLERR)
		udp_err_handler(c, ref, f);
	if (!(events & EPOLLIN))
		return;
	if (!f)
		udp_listen_handler(c, ref);
	else if (f->key.kind != UDP_KIND_TAP)
		udp_splice_reply(c, f);
	else
		udp_flow_handler(c, f, ref.fd);
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
	if (f->key.kind != UDP_KIND_TAP)
		debug("UDP: loopback bypass flow from port %u to port %u "
		      "expired", f->key.rport, f->key.gport);
	else
		trace("UDP: flow from guest port %u to port %u expired",
		      f->key.gport, f->key.rport);
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
 *
 * Context: passt only, which has no loopback bypass flows
 */
void udp_reset(struct ctx *c)
{
	if (!c->udp)
		return;
	c->udp->out_n = 0;
	c->udp->out_flow = NULL;
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
 * Namespace-side sockets (-U auto) are the loopback bypass's: see
 * udp_splice_listen_open().
 *
 * Return: bound socket, watched by epoll, or -errno
 *
 * #syscalls:pasta socket setsockopt bind epoll_ctl close
 */
int udp_listen_open(const struct ctx *c, bool ns_side, bool v6, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int s, rc;

	if (!c->udp)
		return -ENOTCONN;
	if (ns_side)
		return udp_splice_listen_open(c, port, v6);
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0)
		return -errno;
	rc = udp_sock_opts(s, v6 ? AF_INET6 : AF_INET);
	if (!rc)
		rc = udp_listen_opts(s, v6 ? AF_INET6 : AF_INET);
	if (rc) {
		close(s);
		return rc;
	}
	rc = sock_bind_fwd(s, v6, &a4, &a6, "");
	if (rc) {
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

		if (!f->used)
			continue;
		if (!f->owned && f->fd == fd) {
			udp_flow_remove(t, f);
		} else if (f->owned && f->lfd == fd) {
			close(f->fd);
			udp_flow_remove(t, f);
		}
	}
	close(fd);
}
