// SPDX-License-Identifier: GPL-2.0-or-later
/* port_scan.c - find bound ports with NETLINK_SOCK_DIAG (inet_diag)
 *
 * Theory of operation: automatic forwarding needs, a few times a second,
 * the set of TCP ports in LISTEN state and of UDP ports bound by
 * unconnected sockets, on the host and in the target namespace.  Rather
 * than parsing /proc/net/{tcp,tcp6,udp,udp6} (text formatted by the kernel
 * for every socket, established ones included, then parsed back here), we
 * ask inet_diag (Linux 2.6.x for TCP, 4.0 for UDP dumps) for binary
 * records, and let the kernel filter them by state: for TCP it then walks
 * only the listening hash table.
 *
 * A sock_diag dump answers the sockets of the network namespace the
 * netlink socket was created in, so one socket opened in our namespace
 * scans the host, and one made by the namespace socket factory scans the
 * namespace.  Both are opened at setup and reused: nothing here needs
 * /proc or any other path once sandboxed.
 *
 * IPv4 and IPv6 sockets are dumped separately (two requests) into one
 * bitmap: a port bound for IPv6 is forwarded for IPv4 as well.  Unconnected
 * UDP sockets are in state TCP_CLOSE (7), connected ones in
 * TCP_ESTABLISHED: only the former stand for a service, the latter are
 * clients (and our own per-flow sockets).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "port_scan.h"

#define PORT_SCAN_BUFSIZE	32768	/* one recv() of a dump, pages */
#define PORT_SCAN_TCP_CLOSE	7
#define PORT_SCAN_TCP_LISTEN	10

/**
 * struct port_scan_dump - state of one dump
 * @skip:	Filter for sockets that must not be reported, NULL for none
 * @arg:	Argument for @skip
 * @map:	Bitmap of NUM_PORTS bits to set bound ports in
 * @n:		Sockets seen with a non-zero port
 */
struct port_scan_dump {
	port_scan_skip_fn skip;
	const void *arg;
	uint8_t *map;
	int n;
};

/**
 * port_scan_setup() - Prepare a NETLINK_SOCK_DIAG socket for port_scan()
 * @nl:		Netlink socket
 *
 * A dump is answered at once; the receive timeout only bounds the wait
 * should the kernel never answer.
 *
 * Return: 0 on success, -errno on failure
 */
int port_scan_setup(int nl)
{
	struct timeval tv = { .tv_sec = 1, .tv_usec = 0 };

	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/**
 * port_scan_open() - Open a NETLINK_SOCK_DIAG socket in our namespace
 *
 * Context: setup
 * Return: socket, or -errno
 */
int port_scan_open(void)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int rc;

	if (nl < 0)
		return -errno;
	rc = port_scan_setup(nl);
	if (rc) {
		close(nl);
		return rc;
	}
	return nl;
}

/**
 * port_scan_cb() - Note the local port of one socket record
 * @nlh:	Message: struct inet_diag_msg, attributes (none requested)
 * @data:	struct port_scan_dump
 *
 * Return: MNL_CB_OK, or MNL_CB_ERROR (errno set) on a truncated record
 */
static int port_scan_cb(const struct nlmsghdr *nlh, void *data)
{
	struct port_scan_dump *d = data;
	const struct inet_diag_msg *m;
	uint16_t port;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	m = mnl_nlmsg_get_payload(nlh);
	port = ntohs(m->id.idiag_sport);
	if (!port)
		return MNL_CB_OK;
	d->n++;
	if (d->skip && d->skip(d->arg, port, m->idiag_inode))
		return MNL_CB_OK;
	d->map[port / 8] |= (uint8_t)(1U << (port % 8));
	return MNL_CB_OK;
}

/**
 * port_scan_drain() - Discard whatever is left of a failed dump
 * @nl:		Netlink socket
 *
 * #syscalls:pasta recvfrom
 */
static void port_scan_drain(int nl)
{
	char buf[512];
	int i;

	/* Bounded: a dump is finite, this is only a safety net */
	for (i = 0; i < 4096; i++) {
		if (recv(nl, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) < 0 &&
		    errno != EINTR)
			return;
	}
}

/**
 * port_scan_family() - Dump sockets of one family and protocol
 * @nl:		NETLINK_SOCK_DIAG socket
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @d:		Dump state
 *
 * Return: 0 on success, -errno on failure
 *
 * #syscalls:pasta sendto recvfrom
 */
static int port_scan_family(int nl, int af, uint8_t proto,
			    struct port_scan_dump *d)
{
	char buf[PORT_SCAN_BUFSIZE];
	struct inet_diag_req_v2 *r;
	struct nlmsghdr *nlh;
	int rc = MNL_CB_OK;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* Not zero, so that mnl_cb_run() checks it */
	nlh->nlmsg_seq = (uint32_t)ts.tv_nsec | 1U;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = (uint8_t)af;
	r->sdiag_protocol = proto;
	r->idiag_states = proto == IPPROTO_TCP ?
			  1U << PORT_SCAN_TCP_LISTEN :
			  1U << PORT_SCAN_TCP_CLOSE;

	while (send(nl, nlh, nlh->nlmsg_len, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	do {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			port_scan_drain(nl);
			return rc;
		}
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, 0, port_scan_cb,
				d);
	} while (rc == MNL_CB_OK);

	if (rc == MNL_CB_ERROR) {
		rc = errno ? -errno : -EIO;
		port_scan_drain(nl);
		return rc;
	}
	return 0;
}

/**
 * port_scan() - Find the ports bound on the side of a netlink socket
 * @nl:		NETLINK_SOCK_DIAG socket, see port_scan_open()
 * @proto:	IPPROTO_TCP (listening sockets) or IPPROTO_UDP (unconnected
 *		bound sockets)
 * @skip:	Called for each socket found, to leave some out; may be NULL
 * @arg:	Argument for @skip
 * @map:	Bitmap of 65536 bits: bits of ports found are set, others are
 *		left alone
 *
 * Return: number of sockets seen (skipped ones included), or -errno
 */
int port_scan(int nl, uint8_t proto, port_scan_skip_fn skip, const void *arg,
	      uint8_t *map)
{
	struct port_scan_dump d = { skip, arg, map, 0 };
	int rc;

	rc = port_scan_family(nl, AF_INET, proto, &d);
	if (!rc)
		rc = port_scan_family(nl, AF_INET6, proto, &d);
	return rc ? rc : d.n;
}
