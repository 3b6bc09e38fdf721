// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_splice.c - pasta's loopback bypass for UDP: socket to socket between
 * the host's and the namespace's loopback, without the tap
 *
 * Theory of operation: two kinds of flows live in the UDP flow table next
 * to the guest's, told apart by udp_flow_key.kind:
 *
 * - UDP_KIND_IN: a datagram from a loopback address reaches a -u port on
 *   the host.  The flow gets a socket created inside the namespace (by the
 *   factory, ns_sock.c), bound to the namespace's loopback (at the client's
 *   port if free there) and connected to the namespace's loopback at the
 *   translated port.  What the namespace sends back arrives on that socket
 *   and leaves from the -u socket to the original client.
 *
 * - UDP_KIND_OUT: the same the other way, for -U ports, which are bound on
 *   the namespace's loopback (127.0.0.1 and ::1, or the address given)
 *   with sockets from the factory; the flow's socket lives on the host.
 *
 * Flows are keyed by the forwarded port and the client's address and port.
 * A datagram that would reach our own -U (or -u) socket on the other side
 * is dropped: it would go round for ever.
 * Datagrams are read with recvmmsg() and consecutive ones for the same
 * flow leave with one sendmmsg(), in both directions.  Flows expire like
 * the guest's, after UDP_TIMEOUT_S without traffic.  Datagrams from other
 * addresses to -u ports keep going through the tap (their source address
 * must be preserved), and -U only ever sees loopback sources.
 *
 * The debug log counts the datagrams each way, at every power of two.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "epoll_ref.h"
#include "log.h"
#include "ns_sock.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "util.h"

/**
 * udp_splice_listen_open() - Bind one -U port on the namespace's loopback
 * @c:		Execution context, namespace socket factory running
 * @port:	Port, in the namespace
 * @v6:		IPv6 (::1 or the -U address) rather than IPv4
 *
 * Return: bound socket, watched by epoll, or -errno
 */
int udp_splice_listen_open(const struct ctx *c, uint16_t port, bool v6)
{
	const struct fwd_ports *fwd = &c->udp_out;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int af = v6 ? AF_INET6 : AF_INET, s, rc;

	if (fwd->addr_family == AF_INET6)
		a6.sin6_addr = fwd->addr6;
	if (fwd->addr_family == AF_INET)
		a4.sin_addr = fwd->addr4;
	s = ns_sock(c, af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (s < 0)
		return s;
	rc = udp_sock_opts(s, af);
	if (rc)
		goto out;
	rc = sock_bind_fwd(s, v6, &a4, &a6, fwd->ifname);
	if (rc)
		goto out;
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_UDP, s,
			   UDP_REF_LISTEN | UDP_REF_NS | port);
out:
	if (rc) {
		close(s);
		return rc;
	}
	return s;
}

/**
 * udp_splice_listen_ns() - Bind one -U port on the namespace's loopback
 * @c:		Execution context, namespace socket factory running
 * @port:	Port, in the namespace
 * @v6:		IPv6 rather than IPv4
 *
 * Return: 0 on success, -errno on failure
 */
static int udp_splice_listen_ns(const struct ctx *c, uint16_t port, bool v6)
{
	int s = udp_splice_listen_open(c, port, v6);

	return s < 0 ? s : 0;
}

/**
 * udp_splice_init() - Bind the -U ports in the namespace
 * @c:		Execution context, pasta mode
 *
 * Context: setup, after the namespace socket factory started
 * Return: 0 on success, -errno on failure (logged, the caller dies)
 */
int udp_splice_init(struct ctx *c)
{
	const struct fwd_ports *fwd = &c->udp_out;
	unsigned port;
	int rc = 0;

	if (fwd->mode != FWD_SPEC)
		return 0;
	for (port = 0; port < NUM_PORTS && !rc; port++) {
		if (!fwd_port_isset(fwd, port))
			continue;
		if (fwd->addr_family != AF_INET6 && c->ifi4)
			rc = udp_splice_listen_ns(c, (uint16_t)port, false);
		if (!rc && fwd->addr_family != AF_INET && c->ifi6)
			rc = udp_splice_listen_ns(c, (uint16_t)port, true);
		if (rc)
			err("-U: can't bind UDP port %u in the namespace: %s",
			    port, strerror_(-rc));
	}
	return rc;
}

/**
 * udp_splice_count() - Count datagrams one way, log at powers of two
 * @c:		Execution context
 * @to_ns:	Towards the namespace, else towards the host
 * @n:		Datagrams just relayed
 */
static void udp_splice_count(const struct ctx *c, bool to_ns, unsigned n)
{
	unsigned long long *cnt = to_ns ? &c->udp->spliced_in :
					  &c->udp->spliced_out;
	unsigned long long old = *cnt;

	*cnt += n;
	/* The highest bit changed: a power of two was reached or passed */
	if (n && (old ^ *cnt) > old)
		debug("UDP: loopback bypass: %llu datagrams to the %s so far",
		      *cnt, to_ns ? "namespace" : "host");
}

/**
 * udp_splice_open() - Open, bind and connect a bypass flow's socket
 * @c:		Execution context
 * @out:	-U flow: the socket is on the host, else in the namespace
 * @v6:		IPv6 loopback, else IPv4
 * @sport:	Client's port, tried as our source port first
 * @tport:	Destination port on the other side's loopback
 *
 * Return: socket, or -errno
 *
 * #syscalls:pasta socket bind connect setsockopt sendmsg recvmsg
 */
static int udp_splice_open(const struct ctx *c, bool out, bool v6,
			   uint16_t sport, uint16_t tport)
{
	struct sockaddr_in6 b6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(sport),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in b4 = { .sin_family = AF_INET,
				  .sin_port = htons(sport),
				  .sin_addr = { htonl(INADDR_LOOPBACK) } };
	struct sockaddr_in6 d6 = b6;
	struct sockaddr_in d4 = b4;
	struct sockaddr *bsa = v6 ? (struct sockaddr *)&b6 :
				    (struct sockaddr *)&b4;
	socklen_t sl = v6 ? sizeof(b6) : sizeof(b4);
	int af = v6 ? AF_INET6 : AF_INET, one = 1, type, s, rc;

	d6.sin6_port = d4.sin_port = htons(tport);
	type = SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
	s = out ? socket(af, type, IPPROTO_UDP) :
		  ns_sock(c, af, type, IPPROTO_UDP);
	if (s < 0)
		return out ? -errno : s;
	rc = udp_sock_opts(s, af);
	if (rc)
		goto out;
	if (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(s, bsa, sl)) {
		b4.sin_port = b6.sin6_port = 0;
		if (bind(s, bsa, sl))
			goto fail;
	}
	if (connect(s, v6 ? (struct sockaddr *)&d6 : (struct sockaddr *)&d4,
		    sl))
		goto fail;
	return s;
fail:
	rc = -errno;
out:
	close(s);
	return rc;
}

/**
 * udp_splice_flow() - Find or create the bypass flow of a datagram
 * @c:		Execution context, pasta mode
 * @ref:	epoll reference of the -u or -U socket it came in on
 * @sa:		Its source, a loopback address
 * @sl:		Length of @sa
 *
 * Return: flow, NULL if the datagram must be dropped
 *
 * #syscalls:pasta epoll_ctl
 */
struct udp_flow *udp_splice_flow(struct ctx *c, union epoll_ref ref,
				 const struct sockaddr_in6 *sa, socklen_t sl)
{
	bool out = ref.data & UDP_REF_NS;
	uint16_t port = (uint16_t)(ref.data & UDP_REF_PORT);
	const struct fwd_ports *fwd = out ? &c->udp_out : &c->udp_in;
	const struct fwd_ports *other;
	uint16_t tport = (uint16_t)(port + fwd->delta[port]);
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	struct udp_flowtab *t = c->udp->flows;
	struct in_addr any4 = { 0 };
	struct udp_flow_key k;
	struct udp_flow *f;
	uint16_t sport;
	bool v6;
	int s, rc;

	if (sa->sin6_family == AF_INET) {
		v6 = false;
		sport = ntohs(s4->sin_port);
		udp_flow_key4(&k, any4, port, s4->sin_addr, sport);
	} else if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr)) {
		struct in_addr r;

		v6 = false;
		sport = ntohs(sa->sin6_port);
		memcpy(&r, &sa->sin6_addr.s6_addr[12], sizeof(r));
		udp_flow_key4(&k, any4, port, r, sport);
	} else {
		v6 = true;
		sport = ntohs(sa->sin6_port);
		udp_flow_key6(&k, &in6addr_any, port, &sa->sin6_addr, sport);
	}
	k.kind = out ? UDP_KIND_OUT : UDP_KIND_IN;

	f = udp_flow_lookup(t, &k);
	if (f) {
		f->ts = c->now.tv_sec;
		return f;
	}
	/* Our own port on the other side: the datagram would come back */
	other = out ? &c->udp_in : &c->udp_out;
	if (other->addr_family == AF_UNSPEC && fwd_port_isset(other, tport)) {
		debug("UDP: loopback bypass: port %u forwarded both ways, "
		      "datagram dropped", tport);
		return NULL;
	}
	f = udp_flow_insert(t, &k, c->now.tv_sec);
	if (!f) {
		debug("UDP: no room for a loopback bypass flow on port %u",
		      port);
		return NULL;
	}
	s = udp_splice_open(c, out, v6, sport, tport);
	if (s < 0) {
		debug("UDP: loopback bypass socket for port %u: %s", tport,
		      strerror_(-s));
		udp_flow_remove(t, f);
		return NULL;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_UDP, s,
			   udp_flow_idx(t, f));
	if (rc) {
		debug("UDP: can't watch loopback bypass socket: %s",
		      strerror_(-rc));
		close(s);
		udp_flow_remove(t, f);
		return NULL;
	}
	f->fd = s;
	f->owned = true;
	f->lfd = ref.fd;
	memcpy(&f->host, sa, MIN((size_t)sl, sizeof(f->host)));
	f->hostlen = (uint32_t)MIN((size_t)sl, sizeof(f->host));
	debug("UDP: loopback bypass: new flow from %s port %u to %s port %u "
	      "(IPv%d)", out ? "namespace" : "host", sport,
	      out ? "host" : "namespace", tport, v6 ? 6 : 4);
	return f;
}

/**
 * udp_splice_sendmmsg() - Send prepared messages, dropping refused ones
 * @fd:		Socket
 * @mm:		Messages
 * @n:		Number of messages
 *
 * Return: number of datagrams sent
 *
 * #syscalls:pasta sendmmsg
 */
static unsigned udp_splice_sendmmsg(int fd, struct mmsghdr *mm, unsigned n)
{
	unsigned done = 0, sent = 0, tries;

	for (tries = 0; done < n && tries < 2 * UDP_BATCH; tries++) {
		int rc = sendmmsg(fd, mm + done, n - done,
				  MSG_DONTWAIT | MSG_NOSIGNAL);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			debug_perror("UDP: loopback bypass: datagram of %zu "
				     "bytes dropped",
				     mm[done].msg_hdr.msg_iov->iov_len);
			done++;
			continue;
		}
		done += (unsigned)rc;
		sent += (unsigned)rc;
	}
	return sent;
}

/**
 * udp_splice_send() - Relay received datagrams to a bypass flow's socket
 * @c:		Execution context
 * @f:		Flow
 * @first:	First slot
 * @n:		Number of consecutive slots, all for @f
 */
void udp_splice_send(struct ctx *c, struct udp_flow *f, unsigned first,
		     unsigned n)
{
	struct udp_ctx *u = c->udp;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct msghdr *mh = &u->smm[i].msg_hdr;

		u->iov[first + i].iov_len = u->mm[first + i].msg_len;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &u->iov[first + i];
		mh->msg_iovlen = 1;
	}
	f->ts = c->now.tv_sec;
	udp_splice_count(c, f->key.kind == UDP_KIND_IN,
			 udp_splice_sendmmsg(f->fd, u->smm, n));
}

/**
 * udp_splice_reply() - Relay replies on a bypass flow's socket back to the
 *			original client
 * @c:		Execution context
 * @f:		Flow
 */
void udp_splice_reply(struct ctx *c, struct udp_flow *f)
{
	struct udp_ctx *u = c->udp;
	int i, n = udp_recv_batch(u, f->fd);
	unsigned k = 0;

	for (i = 0; i < n; i++) {
		struct msghdr *mh = &u->smm[k].msg_hdr;

		if (u->mm[i].msg_len > UDP_PAYLOAD_MAX ||
		    (u->mm[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			debug("UDP: loopback bypass: dropped datagram of %u "
			      "bytes", u->mm[i].msg_len);
			continue;
		}
		u->iov[i].iov_len = u->mm[i].msg_len;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &f->host;
		mh->msg_namelen = f->hostlen;
		mh->msg_iov = &u->iov[i];
		mh->msg_iovlen = 1;
		k++;
	}
	if (!k)
		return;
	f->ts = c->now.tv_sec;
	udp_splice_count(c, f->key.kind == UDP_KIND_OUT,
			 udp_splice_sendmmsg(f->lfd, u->smm, k));
}
