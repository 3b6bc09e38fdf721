// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - route, address and link queries and changes over rtnetlink
 *
 * All netlink traffic goes through libmnl's message builders and parsers on
 * plain socket file descriptors: a descriptor opened inside a namespace keeps
 * operating on that namespace, so pasta opens one in the target namespace at
 * start and configures it from the outside without entering it again.
 *
 * Requests are synchronous: send, then read replies until the matching ACK,
 * error or end of dump.  Sequence numbers come from the clock, and replies
 * with another sequence number are skipped by mnl_cb_run().
 */

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "util.h"

#define NL_BUFSIZE	(64 * 1024)

/**
 * nl_sock_open() - Open a NETLINK_ROUTE socket in the current namespace
 *
 * Return: file descriptor, -errno on failure
 */
int nl_sock_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/**
 * nl_seq() - A fresh sequence number
 *
 * Return: sequence number
 */
static unsigned nl_seq(void)
{
	static_assert(sizeof(unsigned) == 4, "sequence numbers are 32 bits");
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned)(ts.tv_nsec ^ ts.tv_sec ^ (long)getpid());
}

/**
 * nl_do() - Send a request, run @cb on every reply message until done
 * @nl:		Netlink socket
 * @nlh:	Request, with sequence number set
 * @cb:		Callback for data messages, NULL for plain requests
 * @data:	Argument for @cb
 *
 * Return: 0 on success, -errno from the kernel or the socket
 */
static int nl_do(int nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUFSIZE];
	int rc = MNL_CB_OK;

	if (send(nl, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	do {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, 0, cb, data);
	} while (rc == MNL_CB_OK);
	if (rc == MNL_CB_ERROR)
		return errno ? -errno : -EIO;
	return 0;
}

/**
 * nl_req() - Start a request in @buf
 * @buf:	Buffer, NL_BUFSIZE bytes
 * @type:	Message type
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST (and NLM_F_ACK)
 *
 * Return: message header
 */
static struct nlmsghdr *nl_req(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	/* Non-dump requests end with an ACK, so nl_do() knows when to stop */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (!(flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = nl_seq();
	return nlh;
}

/**
 * struct nl_route_dump - state of a route dump
 * @ifi:	Only routes through this interface (0: any)
 * @family:	Address family
 * @out:	Routes found
 * @max:	Size of @out
 * @n:		Routes stored
 * @def_ifi:	Output interface of the best default route seen
 * @def_metric:	Metric of that route
 */
struct nl_route_dump {
	unsigned ifi;
	int family;
	struct nl_route *out;
	int max;
	int n;
	unsigned def_ifi;
	uint32_t def_metric;
};

/**
 * nl_attrs_cb() - Store each attribute in a table indexed by type
 * @attr:	Attribute
 * @data:	Table of RTA_MAX + 1 (or IFA_MAX, IFLA_MAX) pointers
 *
 * Return: MNL_CB_OK
 */
static int nl_attrs_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= RTA_MAX && type <= IFA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/**
 * nl_attr_addr() - Copy an address attribute of the right size
 * @attr:	Attribute, may be NULL
 * @family:	AF_INET or AF_INET6
 * @out:	Destination, 16 bytes
 *
 * Return: true if copied
 */
static bool nl_attr_addr(const struct nlattr *attr, int family, void *out)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (!attr || mnl_attr_get_payload_len(attr) < len)
		return false;
	memcpy(out, mnl_attr_get_payload(attr), len);
	return true;
}

/**
 * nl_route_cb() - Collect one route of a dump
 * @nlh:	Message
 * @data:	struct nl_route_dump
 *
 * Return: MNL_CB_OK
 */
static int nl_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct nl_route_dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nl_route r = { 0 };
	unsigned oif;

	if (rtm->rtm_family != d->family || rtm->rtm_table != RT_TABLE_MAIN ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*rtm), nl_attrs_cb, tb) != MNL_CB_OK)
		return MNL_CB_OK;
	if (!tb[RTA_OIF])
		return MNL_CB_OK;
	oif = mnl_attr_get_u32(tb[RTA_OIF]);

	r.family = rtm->rtm_family;
	r.dst_len = rtm->rtm_dst_len;
	nl_attr_addr(tb[RTA_DST], r.family, &r.dst);
	r.has_gw = nl_attr_addr(tb[RTA_GATEWAY], r.family, &r.gw);
	r.metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;

	if (!r.dst_len && (!d->def_ifi || r.metric < d->def_metric)) {
		d->def_ifi = oif;
		d->def_metric = r.metric;
	}
	if (d->out && (!d->ifi || oif == d->ifi) && d->n < d->max)
		d->out[d->n++] = r;
	return MNL_CB_OK;
}

/**
 * nl_route_dump() - Dump the main routing table for one family
 * @nl:		Netlink socket
 * @d:		Dump state, filled in
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_route_dump(int nl, struct nl_route_dump *d)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)d->family;
	return nl_do(nl, nlh, nl_route_cb, d);
}

/**
 * nl_default_ifi() - Interface of the best default route for a family
 * @nl:		Netlink socket
 * @family:	AF_INET or AF_INET6
 *
 * Return: interface index, 0 if there is no default route
 */
unsigned nl_default_ifi(int nl, int family)
{
	struct nl_route_dump d = { .family = family };

	if (nl_route_dump(nl, &d))
		return 0;
	return d.def_ifi;
}

/**
 * nl_routes() - Routes of one family through one interface
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @family:	AF_INET or AF_INET6
 * @out:	Routes found
 * @max:	Size of @out
 *
 * Return: number of routes stored, -errno on failure
 */
int nl_routes(int nl, unsigned ifi, int family, struct nl_route *out, int max)
{
	struct nl_route_dump d = { .ifi = ifi, .family = family, .out = out,
				   .max = max };
	int rc = nl_route_dump(nl, &d);

	return rc ? rc : d.n;
}

/**
 * struct nl_addr_dump - state of an address dump
 * @ifi:	Only addresses of this interface
 * @family:	Address family
 * @out:	Addresses found
 * @max:	Size of @out
 * @n:		Addresses stored
 */
struct nl_addr_dump {
	unsigned ifi;
	int family;
	struct nl_addr *out;
	int max;
	int n;
};

/**
 * nl_addr_cb() - Collect one address of a dump
 * @nlh:	Message
 * @data:	struct nl_addr_dump
 *
 * Return: MNL_CB_OK
 */
static int nl_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nl_addr_dump *d = data;
	struct nl_addr a = { 0 };

	if (ifa->ifa_family != d->family || ifa->ifa_index != d->ifi ||
	    d->n >= d->max)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), nl_attrs_cb, tb) != MNL_CB_OK)
		return MNL_CB_OK;
	a.family = ifa->ifa_family;
	a.prefix_len = ifa->ifa_prefixlen;
	/* IFA_LOCAL is the address itself on point-to-point links */
	if (!nl_attr_addr(tb[IFA_LOCAL], a.family, &a.addr) &&
	    !nl_attr_addr(tb[IFA_ADDRESS], a.family, &a.addr))
		return MNL_CB_OK;
	d->out[d->n++] = a;
	return MNL_CB_OK;
}

/**
 * nl_addrs() - Addresses of one family on one interface
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @family:	AF_INET or AF_INET6
 * @out:	Addresses found
 * @max:	Size of @out
 *
 * Return: number of addresses stored, -errno on failure
 */
int nl_addrs(int nl, unsigned ifi, int family, struct nl_addr *out, int max)
{
	struct nl_addr_dump d = { .ifi = ifi, .family = family, .out = out,
				  .max = max };
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	int rc;

	ifa->ifa_family = (uint8_t)family;
	rc = nl_do(nl, nlh, nl_addr_cb, &d);
	return rc ? rc : d.n;
}

/**
 * nl_link_mac_cb() - Copy the hardware address from a link message
 * @nlh:	Message
 * @data:	6-byte buffer
 *
 * Return: MNL_CB_OK
 */
static int nl_link_mac_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(attr) == IFLA_ADDRESS &&
		    mnl_attr_get_payload_len(attr) == 6)
			memcpy(data, mnl_attr_get_payload(attr), 6);
	}
	return MNL_CB_OK;
}

/**
 * nl_link_mac() - Hardware address of an interface
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @mac:	Filled with the address (left unchanged if there is none)
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_mac(int nl, unsigned ifi, uint8_t *mac)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifi;
	return nl_do(nl, nlh, nl_link_mac_cb, mac);
}

/**
 * nl_link_set() - Change flags, MTU or hardware address of a link
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @up:		Bring the link up
 * @mtu:	New MTU, 0 to leave it
 * @mac:	New hardware address, NULL to leave it
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_link_set(int nl, unsigned ifi, bool up, int mtu,
		       const uint8_t *mac)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifi;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_do(nl, nlh, NULL, NULL);
}

/**
 * nl_link_txqlen() - Set the transmit queue length of a link
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @qlen:	Frames
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_txqlen(int nl, unsigned ifi, uint32_t qlen)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifi;
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, qlen);
	return nl_do(nl, nlh, NULL, NULL);
}

/**
 * nl_link_up() - Bring a link up, optionally setting its MTU
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @mtu:	New MTU, 0 to leave it
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_up(int nl, unsigned ifi, int mtu)
{
	return nl_link_set(nl, ifi, true, mtu, NULL);
}

/**
 * nl_link_set_mac() - Set the hardware address of a link
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @mac:	New address
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_set_mac(int nl, unsigned ifi, const uint8_t *mac)
{
	return nl_link_set(nl, ifi, false, 0, mac);
}

/**
 * nl_addr_add() - Add an address to an interface
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @a:		Address and prefix length
 *
 * Return: 0 on success (also if it was already there), -errno on failure
 */
int nl_addr_add(int nl, unsigned ifi, const struct nl_addr *a)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_NEWADDR,
				      NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t len = a->family == AF_INET ? 4 : 16;
	int rc;

	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)a->prefix_len;
	ifa->ifa_index = ifi;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, len, &a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, &a->addr);
	if (a->family == AF_INET6)	/* address usable before DAD ends */
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	rc = nl_do(nl, nlh, NULL, NULL);
	return rc == -EEXIST ? 0 : rc;
}

/**
 * nl_route_add() - Add a route through an interface
 * @nl:		Netlink socket
 * @ifi:	Interface index
 * @r:		Route
 *
 * Return: 0 on success (also if it was already there), -errno on failure
 */
int nl_route_add(int nl, unsigned ifi, const struct nl_route *r)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_req(buf, RTM_NEWROUTE,
				      NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t len = r->family == AF_INET ? 4 : 16;
	int rc;

	rtm->rtm_family = (uint8_t)r->family;
	rtm->rtm_dst_len = (uint8_t)r->dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->dst_len)
		mnl_attr_put(nlh, RTA_DST, len, &r->dst);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, len, &r->gw);
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	mnl_attr_put_u32(nlh, RTA_OIF, ifi);
	rc = nl_do(nl, nlh, NULL, NULL);
	return rc == -EEXIST ? 0 : rc;
}
