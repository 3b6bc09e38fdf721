// SPDX-License-Identifier: GPL-2.0-or-later
/* ns_conf.c - tap device and network configuration in the target namespace
 *
 * Everything here runs at setup.  The tap device, a netlink socket and the
 * loopback interface are handled from inside the namespace through
 * ns_call(); --config-net then copies addresses and routes of the host's
 * template interfaces through the netlink socket opened in there.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "ns_call.h"
#include "pasta.h"
#include "util.h"

/**
 * struct ns_tap_arg - results of the namespace-side setup
 * @c:		Execution context
 * @fd:		Tap device descriptor
 * @ifindex:	Tap interface index
 * @nl:		Netlink socket in the namespace
 * @step:	What failed, for the error message
 */
struct ns_tap_arg {
	const struct ctx *c;
	int fd;
	int ifindex;
	int nl;
	const char *step;
};

/**
 * ns_tap_open() - Create the tap device and a netlink socket in the namespace
 * @arg:	struct ns_tap_arg
 *
 * Context: runs inside the target namespace (ns_call())
 * Return: 0 on success, -errno on failure (@step says which)
 */
static int ns_tap_open(void *arg)
{
	struct ns_tap_arg *a = arg;
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	unsigned lo;
	int rc;

	a->step = "open /dev/net/tun";
	a->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (a->fd < 0)
		return -errno;

	a->step = "create tap device";
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", a->c->pasta.ns_ifname);
	if (ioctl(a->fd, TUNSETIFF, &ifr))
		return -errno;

	a->step = "find tap device";
	a->ifindex = (int)if_nametoindex(ifr.ifr_name);
	if (!a->ifindex)
		return -errno;

	a->step = "open netlink socket in namespace";
	a->nl = nl_sock_open();
	if (a->nl < 0)
		return a->nl;

	a->step = "bring up loopback";
	lo = if_nametoindex("lo");
	if (!lo)
		return -errno;
	rc = nl_link_up(a->nl, lo, 0);
	if (rc)
		return rc;

	/* Let the namespace's users open ping sockets, where ids are mapped */
	if (write_file("/proc/sys/net/ipv4/ping_group_range", "0 2147483647") &&
	    write_file("/proc/sys/net/ipv4/ping_group_range", "0 0"))
		debug("can't widen ping_group_range in the namespace");
	return 0;
}

/**
 * tap_txqlen() - Transmit queue length for the tap: frames the namespace
 *		  may queue towards us before the kernel drops them
 *
 * The window we advertise for a connection follows its host socket's free
 * send buffer: at most 3/4 of tcp_wmem's maximum, plus TCP_SNDWND_SLACK
 * (user/tcp.c).  The queue holds four such windows in MTU-1500 frames (the
 * tap's MTU unless configured otherwise).  Measured: four iperf3 streams
 * at MTU 1500 through the default 1000 frames got 63 Mbit/s with 4905
 * retransmissions and 47 drops on the tap; with 10000, 2.3 Gbit/s and
 * none.
 *
 * Context: setup, /proc readable
 *
 * Return: queue length in frames
 */
static uint32_t tap_txqlen(void)
{
	long long tune_min, tune_def, tune_max = 4 << 20, qlen;
	char buf[64];

	if (read_file("/proc/sys/net/ipv4/tcp_wmem", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lld %lld %lld", &tune_min, &tune_def, &tune_max) != 3 ||
	    tune_max <= 0)
		tune_max = 4 << 20;
	qlen = 4 * (tune_max / 4 * 3 + (1LL << 20)) / 1460;
	return (uint32_t)MAX(MIN(qlen, 100000LL), 1000LL);
}

/**
 * pasta_open_tap() - Create the tap device in the target namespace
 * @c:		Execution context, namespaces open
 *
 * Context: setup; exits on failure
 */
void pasta_open_tap(struct ctx *c)
{
	struct ns_tap_arg a = { .c = c, .fd = -1, .nl = -1, .step = "join" };
	static const uint8_t zero_mac[ETH_ALEN_];
	int rc = ns_call(c, ns_tap_open, &a);

	if (rc) {
		errno = -rc;
		if (rc == -EACCES || rc == -EPERM)
			die_perror("can't %s in the namespace (is /dev/net/tun "
				   "accessible?)", a.step);
		die_perror("can't %s in the namespace", a.step);
	}
	c->fd_tap = a.fd;
	c->pasta_st.ns_ifindex = a.ifindex;
	c->pasta_st.nl_ns = a.nl;

	rc = nl_link_txqlen(a.nl, (unsigned)a.ifindex, tap_txqlen());
	if (rc) {
		errno = -rc;
		warn_perror("can't set the tap's transmit queue length");
	}

	if (memcmp(c->pasta.ns_mac, zero_mac, ETH_ALEN_) != 0) {
		rc = nl_link_set_mac(a.nl, (unsigned)a.ifindex, c->pasta.ns_mac);
		if (rc) {
			errno = -rc;
			die_perror("--ns-mac-addr: can't set MAC address");
		}
		memcpy(c->guest_mac, c->pasta.ns_mac, ETH_ALEN_);
	}
}

/**
 * ns_conf_addrs() - Give the tap the host's addresses of one family
 * @c:		Execution context
 * @nl:		Netlink socket in the host namespace
 * @family:	AF_INET or AF_INET6
 */
static void ns_conf_addrs(const struct ctx *c, int nl, int family)
{
	struct nl_addr addrs[NL_MAX_ADDRS], one = { .family = family };
	bool v4 = family == AF_INET;
	bool single = v4 ? c->ip4.no_copy_addrs : c->ip6.no_copy_addrs;
	unsigned ifi = v4 ? c->ifi4 : c->ifi6;
	unsigned tap = (unsigned)c->pasta_st.ns_ifindex;
	int n = 0, i, rc;

	if (!single)
		n = nl_addrs(nl, ifi, family, addrs, NL_MAX_ADDRS);
	if (n <= 0) {
		if (v4) {
			one.addr.a4 = c->ip4.addr;
			one.prefix_len = c->ip4.prefix_len;
		} else {
			one.addr.a6 = c->ip6.addr;
			one.prefix_len = c->ip6.prefix_len;
		}
		addrs[0] = one;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		if (!v4 && IN6_IS_ADDR_LINKLOCAL(&addrs[i].addr.a6))
			continue;
		rc = nl_addr_add(c->pasta_st.nl_ns, tap, &addrs[i]);
		if (rc) {
			errno = -rc;
			die_perror("--config-net: can't add %s address",
				   v4 ? "IPv4" : "IPv6");
		}
	}
}

/**
 * ns_conf_routes() - Copy the host's routes of one family to the tap
 * @c:		Execution context
 * @nl:		Netlink socket in the host namespace
 * @family:	AF_INET or AF_INET6
 */
static void ns_conf_routes(const struct ctx *c, int nl, int family)
{
	struct nl_route routes[NL_MAX_ROUTES], def = { .family = family };
	bool v4 = family == AF_INET;
	bool single = v4 ? c->ip4.no_copy_routes : c->ip6.no_copy_routes;
	unsigned ifi = v4 ? c->ifi4 : c->ifi6;
	unsigned tap = (unsigned)c->pasta_st.ns_ifindex;
	int n = 0, i, pass, rc;

	if (!single)
		n = nl_routes(nl, ifi, family, routes, NL_MAX_ROUTES);
	if (n <= 0) {
		def.has_gw = true;
		if (v4) {
			if (!c->ip4.gw.s_addr)
				return;
			def.gw.a4 = c->ip4.gw;
		} else {
			def.gw.a6 = c->ip6.gw;
		}
		routes[0] = def;
		n = 1;
	}
	/* Directly connected routes first: gateways must be reachable */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if (routes[i].has_gw != (pass == 1))
				continue;
			rc = nl_route_add(c->pasta_st.nl_ns, tap, &routes[i]);
			if (rc) {
				errno = -rc;
				die_perror("--config-net: can't add %s route",
					   v4 ? "IPv4" : "IPv6");
			}
		}
	}
}

/**
 * pasta_ns_conf() - Configure the tap: MTU, link up, and with --config-net
 *		     addresses and routes copied from the host
 * @c:		Execution context, tap open
 *
 * Context: setup; exits on failure
 */
void pasta_ns_conf(struct ctx *c)
{
	unsigned tap = (unsigned)c->pasta_st.ns_ifindex;
	int nl, rc;

	if (!c->pasta.config_net)
		return;

	rc = nl_link_up(c->pasta_st.nl_ns, tap, c->mtu ? c->mtu : 0);
	if (rc) {
		errno = -rc;
		die_perror("--config-net: can't bring up %s",
			   c->pasta.ns_ifname);
	}

	nl = nl_sock_open();
	if (nl < 0) {
		errno = -nl;
		die_perror("can't open netlink socket");
	}
	if (c->ifi4) {
		ns_conf_addrs(c, nl, AF_INET);
		ns_conf_routes(c, nl, AF_INET);
	}
	if (c->ifi6) {
		ns_conf_addrs(c, nl, AF_INET6);
		ns_conf_routes(c, nl, AF_INET6);
	}
	close(nl);
}
