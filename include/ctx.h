/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h - the execution context: the daemon's only mutable state */
#ifndef CTX_H
#define CTX_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "fwd.h"
#include "isolation.h"
#include "log.h"

struct tcp_ctx;

#define ETH_ALEN_	6
#define PATH_MAX_	4096
#define MAXNS		4	/* resolvers kept per IP version */
#define MAXDNSRCH	8	/* search domains kept */
#define DNSRCH_LEN	254	/* one domain name, text, with NUL */
#define MTU_DEFAULT	65520
#define MTU_MAX		65520
#define ICMP_ID_NUM	(1U << 16)

struct udp_ctx;
struct tcp_splice_ctx;
struct fwd_auto_ctx;
struct fastpath;
struct tcp_fastpath_ctx;

/**
 * enum passt_mode - which program we are
 * @MODE_PASST:	Serve a qemu guest over a UNIX socket
 * @MODE_PASTA:	Serve a network namespace over a tap device
 */
enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

/**
 * struct ip4_ctx - IPv4 configuration and observed guest state
 * @addr:	Address assigned to the guest (DHCP yiaddr, --config-net)
 * @addr_seen:	Last source address seen from the guest
 * @prefix_len:	Prefix length of @addr
 * @gw:		Default gateway we impersonate
 * @dns:	Resolvers (zero address terminated)
 * @dns_match:	--dns-forward address, zero if none
 * @addr_out:	-o: source address for outbound sockets, zero if none
 * @ifname_out:	--outbound-if4: interface for outbound sockets
 * @no_copy_routes: --no-copy-routes (or -g given)
 * @no_copy_addrs: --no-copy-addrs (or -a given)
 * @map_host_loopback: --map-host-loopback address, zero for the default
 *		(the gateway, unless @no_map_gw)
 * @map_guest_addr: --map-guest-addr address, zero if none
 */
struct ip4_ctx {
	struct in_addr addr;
	struct in_addr addr_seen;
	int prefix_len;
	struct in_addr gw;
	struct in_addr dns[MAXNS + 1];
	struct in_addr dns_match;
	struct in_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	struct in_addr map_host_loopback;
	struct in_addr map_guest_addr;
};

/**
 * struct ip6_ctx - IPv6 configuration and observed guest state
 * @addr:	Address assigned to the guest (DHCPv6 IA_NA, RA prefix)
 * @addr_seen:	Last global source address seen from the guest
 * @addr_ll_seen: Last link-local source address seen from the guest
 * @prefix_len:	Prefix length of @addr on the host
 * @gw:		Default gateway of the host
 * @our_tap_ll:	Our link-local address (@gw if link-local, else fe80::1)
 * @dns:	Resolvers (unspecified address terminated)
 * @dns_match:	--dns-forward address, unspecified if none
 * @addr_out:	-o: source address for outbound sockets
 * @ifname_out:	--outbound-if6: interface for outbound sockets
 * @no_copy_routes: --no-copy-routes (or -g given)
 * @no_copy_addrs: --no-copy-addrs (or -a given)
 * @map_host_loopback: --map-host-loopback address, unspecified for the
 *		default (gateway and @our_tap_ll, unless @no_map_gw)
 * @map_guest_addr: --map-guest-addr address, unspecified if none
 */
struct ip6_ctx {
	struct in6_addr addr;
	struct in6_addr addr_seen;
	struct in6_addr addr_ll_seen;
	int prefix_len;
	struct in6_addr gw;
	struct in6_addr our_tap_ll;
	struct in6_addr dns[MAXNS + 1];
	struct in6_addr dns_match;
	struct in6_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	struct in6_addr map_host_loopback;
	struct in6_addr map_guest_addr;
};

/**
 * struct pasta_conf - pasta namespace options
 * @netns:	--netns PATH (resolved), or /proc/PID/ns/net for a PID
 * @userns:	--userns PATH, or /proc/PID/ns/user for a PID
 * @nsrun_dir:	--nsrun-dir: where --netns NAME is looked up
 * @pid:	Target PID given on the command line, 0 if none
 * @netns_only:	--netns-only: don't join or create a user namespace
 * @no_netns_quit: --no-netns-quit
 * @config_net:	--config-net
 * @ns_ifname:	-I: tap name in the namespace
 * @ns_mac:	--ns-mac-addr, all zeroes to let the tap driver choose
 * @argv:	Command to spawn, NULL for a shell (only if no target)
 */
struct pasta_conf {
	char netns[PATH_MAX_];
	char userns[PATH_MAX_];
	char nsrun_dir[PATH_MAX_];
	pid_t pid;
	bool netns_only;
	bool no_netns_quit;
	bool config_net;
	char ns_ifname[IFNAMSIZ];
	uint8_t ns_mac[ETH_ALEN_];
	char **argv;
};

/**
 * struct pasta_state - pasta runtime state
 * @netns_fd:	Open target network namespace
 * @userns_fd:	Open target user namespace, -1 if not joined
 * @child:	PID of the spawned command, 0 if we attached to a namespace
 * @child_sync:	Pipe releasing the spawned command once the network is up
 * @ns_ifindex:	Interface index of the tap in the namespace
 * @nl_ns:	Netlink socket opened inside the namespace, -1 if none
 * @ns_sock:	Socket factory in the namespace (ns_sock.c), -1 if none
 * @ns_sock_pid: PID of the factory process
 */
struct pasta_state {
	int netns_fd;
	int userns_fd;
	pid_t child;
	int child_sync;
	int ns_ifindex;
	int nl_ns;
	int ns_sock;
	pid_t ns_sock_pid;
};

/**
 * struct passt_conf - passt (qemu socket) options
 * @sock_path:	-s: UNIX socket path, empty to probe
 * @fd:		-F: pre-opened connected socket, -1 if none
 * @one_off:	-1, or implied by -F
 * @fd_listen:	Listening UNIX socket, -1 with -F
 * @stream:	Receive buffer for the length-prefixed frame stream
 * @stream_used: Bytes in @stream not handled yet (a partial frame at most,
 *		unless the tap pool filled up)
 */
struct passt_conf {
	char sock_path[108];
	int fd;
	bool one_off;
	int fd_listen;
	char *stream;
	size_t stream_used;
};

/**
 * struct icmp_ctx - ICMP echo state: one ping socket per echo identifier
 * @sock4:	IPv4 ping socket per identifier seen from the guest, -1 if none
 * @sock6:	IPv6 ping socket per identifier
 * @ts4:	Last activity per identifier, seconds (CLOCK_MONOTONIC), IPv4
 * @ts6:	Same, IPv6
 * @raw4:	Raw ICMP socket used when ping sockets are not allowed, -1 if none
 * @raw6:	Same, ICMPv6
 *
 * Replies arriving on sock4[id] belong to guest identifier id whatever
 * identifier the kernel picked, so no reverse table is needed.  An entry
 * ICMP_SOCK_RAW means the identifier goes through @raw4 (or @raw6).
 */
struct icmp_ctx {
	int *sock4;
	int *sock6;
	time_t *ts4;
	time_t *ts6;
	int raw4;
	int raw6;
};

/**
 * struct ctx - execution context, the daemon's only mutable state
 * @mode:	passt or pasta
 * @log:	Logging state
 * @quiet:	-q
 * @foreground:	-f (or implied)
 * @pid_file:	-P path, empty if none
 * @pcap:	-p path, empty if none
 * @runas:	--runas value, empty if none
 * @mtu:	-m: MTU advertised and set, 0 to not advertise
 * @our_mac:	-M: our MAC address towards the guest
 * @guest_mac:	Guest's MAC address, broadcast until seen
 * @ifname:	-i: host template interface name (empty: from routes)
 * @ifi4:	Host interface index used for IPv4, 0 if IPv4 is disabled
 * @ifi6:	Host interface index used for IPv6, 0 if IPv6 is disabled
 * @ip4:	IPv4 configuration
 * @ip6:	IPv6 configuration
 * @dns_search:	Search domains, empty string terminated
 * @no_dns:	-D none
 * @no_dns_search: -S none
 * @dns_set:	-D given: don't read resolvers from /etc/resolv.conf
 * @search_set:	-S given: don't read the search list from /etc/resolv.conf
 * @ipv4_only:	-4
 * @ipv6_only:	-6
 * @dhcp_dns:	Pass resolvers via DHCP/NDP/DHCPv6 (mode default or option)
 * @dhcp_search: Pass search list via DHCP/NDP/DHCPv6
 * @no_tcp:	--no-tcp
 * @no_udp:	--no-udp
 * @no_icmp:	--no-icmp
 * @no_dhcp:	--no-dhcp (or no IPv4 gateway)
 * @no_ndp:	--no-ndp
 * @no_dhcpv6:	--no-dhcpv6
 * @no_ra:	--no-ra
 * @no_map_gw:	--no-map-gw or --map-host-loopback none
 * @bpf:	--bpf
 * @no_bpf:	--no-bpf
 * @tcp_in:	-t
 * @udp_in:	-u
 * @tcp_out:	-T (pasta)
 * @udp_out:	-U (pasta)
 * @pasta:	pasta options
 * @pasta_st:	pasta runtime state
 * @passt:	passt options
 * @epollfd:	Main epoll instance
 * @fd_tap:	Tap device or qemu socket, -1 if none
 * @fd_pcap:	Capture file (-p), -1 if none
 * @timerfd:	Periodic timer
 * @now:	Time at the start of this main loop iteration (CLOCK_MONOTONIC)
 * @ra_next:	When to send the next unsolicited Router Advertisement
 * @ra_sent:	Unsolicited Router Advertisements sent (saturates at 3)
 * @pool_tap:	Frames read from the tap, waiting to be handled
 * @buf_tap:	Buffer behind @pool_tap
 * @icmp:	ICMP echo state
 * @icmp_warned: Warned once that no ICMP socket can be opened
 * @udp:	UDP flows and buffers (user/udp.c), NULL with --no-udp
 * @tcp:	TCP connection table and buffers, NULL with --no-tcp
 * @tcp_splice:	Spliced loopback connections (pasta), NULL if none
 * @fwd_auto:	Automatic forwarding state (fwd_auto.c), NULL if unused
 * @fp:		eBPF fast path (loader/fastpath.c), NULL when off
 * @tcp_fp:	TCP pairs in the fast path (tcp_fastpath.c), NULL when off
 * @iso:	Sandbox decisions (isolation.c)
 * @exit_status: Status to exit with when the main loop ends
 * @done:	Main loop should end
 */
struct ctx {
	enum passt_mode mode;
	struct log_ctx log;
	bool quiet;
	bool foreground;
	char pid_file[PATH_MAX_];
	char pcap[PATH_MAX_];
	char runas[64];
	int mtu;
	uint8_t our_mac[ETH_ALEN_];
	uint8_t guest_mac[ETH_ALEN_];
	char ifname[IFNAMSIZ];
	unsigned ifi4;
	unsigned ifi6;
	struct ip4_ctx ip4;
	struct ip6_ctx ip6;
	char dns_search[MAXDNSRCH + 1][DNSRCH_LEN];
	bool no_dns;
	bool no_dns_search;
	bool dns_set;
	bool search_set;
	bool ipv4_only;
	bool ipv6_only;
	bool dhcp_dns;
	bool dhcp_search;
	bool no_tcp;
	bool no_udp;
	bool no_icmp;
	bool no_dhcp;
	bool no_ndp;
	bool no_dhcpv6;
	bool no_ra;
	bool no_map_gw;
	bool bpf;
	bool no_bpf;
	struct fwd_ports tcp_in;
	struct fwd_ports udp_in;
	struct fwd_ports tcp_out;
	struct fwd_ports udp_out;
	struct pasta_conf pasta;
	struct pasta_state pasta_st;
	struct passt_conf passt;

	int epollfd;
	int fd_tap;
	int fd_pcap;
	int timerfd;
	struct timespec now;
	struct timespec ra_next;
	unsigned ra_sent;
	struct pool *pool_tap;
	char *buf_tap;
	struct icmp_ctx icmp;
	bool icmp_warned;
	struct udp_ctx *udp;
	struct tcp_ctx *tcp;
	struct tcp_splice_ctx *tcp_splice;
	struct fwd_auto_ctx *fwd_auto;
	struct fastpath *fp;
	struct tcp_fastpath_ctx *tcp_fp;
	struct isolation_ctx iso;
	int exit_status;
	bool done;
};

#endif /* CTX_H */
