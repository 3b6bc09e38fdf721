// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - command line parsing
 *
 * Theory of operation: every option is described once, in conf_opts[]: its
 * long name, short letter (or a CONF_OPT_* code for long-only options),
 * argument, which program accepts it (passt, pasta or both), whether it
 * may be repeated, and its help text. The getopt_long() tables and the
 * --help text are built from it, so they can't disagree.
 *
 * conf_parse() takes one option at a time: it rejects options of the other
 * program and repeated single-valued options, then validates the value and
 * stores it in the execution context. Settings that depend on each other
 * (logging destinations, pasta's target namespace, conflicts) are resolved
 * once all options are known, so that their order doesn't matter. Side
 * effects (opening the log file) come last, once nothing can fail anymore
 * except the side effect itself.
 *
 * Errors name the option and exit with status 1. Messages go straight to
 * standard error: logging can't be configured before its options are read.
 *
 * In pasta mode, option parsing stops at the first non-option argument
 * (getopt's '+'), so that `pasta --config-net ip -4 addr` passes "-4" to
 * ip(8). What is left is a target PID, or a command to spawn.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "fwd.h"
#include "log.h"
#include "util.h"

#define CONF_NSRUN_DIR_DEFAULT	"/run/netns"
#define CONF_MTU_MIN		68	/* RFC 791: every IPv4 host takes it */
#define CONF_HELP_COL		30	/* help text column in --help output */
#define CONF_NSS_BUF_MAX	(1 << 20)	/* getpwnam_r() buffer limit */

/* Which program accepts an option: bit (1 << enum passt_mode) */
#define CONF_PASST		(1U << MODE_PASST)
#define CONF_PASTA		(1U << MODE_PASTA)
#define CONF_BOTH		(CONF_PASST | CONF_PASTA)

/**
 * enum conf_opt_id - getopt_long() values of options without a short form
 * @CONF_OPT_TRACE:		--trace
 * @CONF_OPT_LOG_SIZE:		--log-size
 * @CONF_OPT_RUNAS:		--runas
 * @CONF_OPT_VERSION:		--version
 * @CONF_OPT_OUTBOUND_IF4:	--outbound-if4
 * @CONF_OPT_OUTBOUND_IF6:	--outbound-if6
 * @CONF_OPT_DNS_FORWARD:	--dns-forward
 * @CONF_OPT_NO_DHCP_DNS:	--no-dhcp-dns
 * @CONF_OPT_DHCP_DNS:		--dhcp-dns
 * @CONF_OPT_NO_DHCP_SEARCH:	--no-dhcp-search
 * @CONF_OPT_DHCP_SEARCH:	--dhcp-search
 * @CONF_OPT_NO_TCP:		--no-tcp
 * @CONF_OPT_NO_UDP:		--no-udp
 * @CONF_OPT_NO_ICMP:		--no-icmp
 * @CONF_OPT_NO_DHCP:		--no-dhcp
 * @CONF_OPT_NO_NDP:		--no-ndp
 * @CONF_OPT_NO_DHCPV6:		--no-dhcpv6
 * @CONF_OPT_NO_RA:		--no-ra
 * @CONF_OPT_NO_MAP_GW:		--no-map-gw
 * @CONF_OPT_USERNS:		--userns
 * @CONF_OPT_NETNS:		--netns
 * @CONF_OPT_NETNS_ONLY:	--netns-only
 * @CONF_OPT_NO_NETNS_QUIT:	--no-netns-quit
 * @CONF_OPT_CONFIG_NET:	--config-net
 * @CONF_OPT_NO_COPY_ROUTES:	--no-copy-routes
 * @CONF_OPT_NO_COPY_ADDRS:	--no-copy-addrs
 * @CONF_OPT_NS_MAC_ADDR:	--ns-mac-addr
 * @CONF_OPT_NSRUN_DIR:		--nsrun-dir
 * @CONF_OPT_MAP_HOST_LOOPBACK:	--map-host-loopback
 * @CONF_OPT_MAP_GUEST_ADDR:	--map-guest-addr
 * @CONF_OPT_BPF:		--bpf
 * @CONF_OPT_NO_BPF:		--no-bpf
 * @CONF_OPT_HOST_LO_TO_NS_LO:	--host-lo-to-ns-lo
 * @CONF_NUM_OPT:		Sentinel: above every option value
 *
 * Values start above any character, so that short options keep theirs.
 */
enum conf_opt_id {
	CONF_OPT_TRACE = 256,
	CONF_OPT_LOG_SIZE,
	CONF_OPT_RUNAS,
	CONF_OPT_VERSION,
	CONF_OPT_OUTBOUND_IF4,
	CONF_OPT_OUTBOUND_IF6,
	CONF_OPT_DNS_FORWARD,
	CONF_OPT_NO_DHCP_DNS,
	CONF_OPT_DHCP_DNS,
	CONF_OPT_NO_DHCP_SEARCH,
	CONF_OPT_DHCP_SEARCH,
	CONF_OPT_NO_TCP,
	CONF_OPT_NO_UDP,
	CONF_OPT_NO_ICMP,
	CONF_OPT_NO_DHCP,
	CONF_OPT_NO_NDP,
	CONF_OPT_NO_DHCPV6,
	CONF_OPT_NO_RA,
	CONF_OPT_NO_MAP_GW,
	CONF_OPT_USERNS,
	CONF_OPT_NETNS,
	CONF_OPT_NETNS_ONLY,
	CONF_OPT_NO_NETNS_QUIT,
	CONF_OPT_CONFIG_NET,
	CONF_OPT_NO_COPY_ROUTES,
	CONF_OPT_NO_COPY_ADDRS,
	CONF_OPT_NS_MAC_ADDR,
	CONF_OPT_NSRUN_DIR,
	CONF_OPT_MAP_HOST_LOOPBACK,
	CONF_OPT_MAP_GUEST_ADDR,
	CONF_OPT_BPF,
	CONF_OPT_NO_BPF,
	CONF_OPT_HOST_LO_TO_NS_LO,
	CONF_NUM_OPT,
};

/**
 * struct conf_opt - description of one command line option
 * @name:	Long name, without dashes
 * @val:	Short option character, or enum conf_opt_id value
 * @arg:	Argument name for --help, NULL if the option takes none
 * @modes:	CONF_PASST, CONF_PASTA or CONF_BOTH
 * @once:	May be given at most once
 * @help:	One-line description for --help
 */
struct conf_opt {
	const char *name;
	int val;
	const char *arg;
	unsigned modes;
	bool once;
	const char *help;
};

static const struct conf_opt conf_opts[] = {
	{ "debug",	'd', NULL,	CONF_BOTH, false,
	  "Be verbose, don't log to the system logger" },
	{ "trace",	CONF_OPT_TRACE, NULL, CONF_BOTH, false,
	  "Be extra verbose, show packets (implies -d)" },
	{ "quiet",	'q', NULL,	CONF_BOTH, false,
	  "Don't print informational messages" },
	{ "foreground",	'f', NULL,	CONF_BOTH, false,
	  "Don't run in background" },
	{ "stderr",	'e', NULL,	CONF_BOTH, false,
	  "Log to standard error too" },
	{ "log-file",	'l', "PATH",	CONF_BOTH, true,
	  "Log to file PATH only" },
	{ "log-size",	CONF_OPT_LOG_SIZE, "SIZE", CONF_BOTH, true,
	  "Maximum log file size, bytes (default 1048576)" },
	{ "runas",	CONF_OPT_RUNAS, "UID[:GID]|LOGIN[:GROUP]", CONF_BOTH,
	  true, "Switch to this user and group" },
	{ "help",	'h', NULL,	CONF_BOTH, false,
	  "Display this help message and exit" },
	{ "version",	CONF_OPT_VERSION, NULL, CONF_BOTH, false,
	  "Show version and exit" },
	{ "pcap",	'p', "FILE",	CONF_BOTH, true,
	  "Capture tap-side packets to FILE" },
	{ "pid",	'P', "FILE",	CONF_BOTH, true,
	  "Write own PID to FILE" },
	{ "mtu",	'm', "MTU",	CONF_BOTH, true,
	  "MTU to assign (0: don't assign, default 65520)" },
	{ "address",	'a', "ADDR",	CONF_BOTH, false,
	  "IPv4 or IPv6 address to assign" },
	{ "netmask",	'n', "MASK",	CONF_BOTH, true,
	  "IPv4 netmask, dot-decimal or prefix length" },
	{ "mac-addr",	'M', "ADDR",	CONF_BOTH, true,
	  "Our MAC address towards guest or namespace" },
	{ "gateway",	'g', "ADDR",	CONF_BOTH, false,
	  "IPv4 or IPv6 gateway to advertise" },
	{ "interface",	'i', "NAME",	CONF_BOTH, true,
	  "Host interface for addresses and routes" },
	{ "outbound",	'o', "ADDR",	CONF_BOTH, false,
	  "Source address for outbound sockets" },
	{ "outbound-if4", CONF_OPT_OUTBOUND_IF4, "NAME", CONF_BOTH, true,
	  "Bind IPv4 outbound sockets to interface NAME" },
	{ "outbound-if6", CONF_OPT_OUTBOUND_IF6, "NAME", CONF_BOTH, true,
	  "Bind IPv6 outbound sockets to interface NAME" },
	{ "dns",	'D', "ADDR|none", CONF_BOTH, false,
	  "Resolver to use instead of /etc/resolv.conf" },
	{ "dns-forward", CONF_OPT_DNS_FORWARD, "ADDR", CONF_BOTH, false,
	  "Forward DNS queries for ADDR to the resolver" },
	{ "search",	'S', "LIST|none", CONF_BOTH, false,
	  "Space-separated DNS search domains" },
	{ "no-dhcp-dns", CONF_OPT_NO_DHCP_DNS, NULL, CONF_PASST, false,
	  "Don't pass resolvers via DHCP, NDP, DHCPv6" },
	{ "dhcp-dns",	CONF_OPT_DHCP_DNS, NULL, CONF_PASTA, false,
	  "Pass resolvers via DHCP, NDP, DHCPv6" },
	{ "no-dhcp-search", CONF_OPT_NO_DHCP_SEARCH, NULL, CONF_PASST, false,
	  "Don't pass the search list via DHCP, NDP, DHCPv6" },
	{ "dhcp-search", CONF_OPT_DHCP_SEARCH, NULL, CONF_PASTA, false,
	  "Pass the search list via DHCP, NDP, DHCPv6" },
	{ "no-tcp",	CONF_OPT_NO_TCP, NULL, CONF_BOTH, false,
	  "Disable the TCP handler" },
	{ "no-udp",	CONF_OPT_NO_UDP, NULL, CONF_BOTH, false,
	  "Disable the UDP handler" },
	{ "no-icmp",	CONF_OPT_NO_ICMP, NULL, CONF_BOTH, false,
	  "Disable the ICMP/ICMPv6 echo handler" },
	{ "no-dhcp",	CONF_OPT_NO_DHCP, NULL, CONF_BOTH, false,
	  "Disable the DHCP server" },
	{ "no-ndp",	CONF_OPT_NO_NDP, NULL, CONF_BOTH, false,
	  "Disable NDP responses" },
	{ "no-dhcpv6",	CONF_OPT_NO_DHCPV6, NULL, CONF_BOTH, false,
	  "Disable the DHCPv6 server" },
	{ "no-ra",	CONF_OPT_NO_RA, NULL, CONF_BOTH, false,
	  "Disable Router Advertisements" },
	{ "no-map-gw",	CONF_OPT_NO_MAP_GW, NULL, CONF_BOTH, false,
	  "Don't map the gateway address to the host" },
	{ "ipv4-only",	'4', NULL,	CONF_BOTH, false,
	  "Enable IPv4 only" },
	{ "ipv6-only",	'6', NULL,	CONF_BOTH, false,
	  "Enable IPv6 only" },
	{ "socket",	's', "PATH",	CONF_PASST, true,
	  "UNIX domain socket path for qemu" },
	{ "fd",		'F', "FD",	CONF_PASST, true,
	  "Use pre-opened connected socket FD" },
	{ "one-off",	'1', NULL,	CONF_PASST, false,
	  "Quit after the first client disconnects" },
	{ "tcp-ports",	't', "SPEC",	CONF_BOTH, false,
	  "TCP ports to forward to guest or namespace" },
	{ "udp-ports",	'u', "SPEC",	CONF_BOTH, false,
	  "UDP ports to forward to guest or namespace" },
	{ "ns-ifname",	'I', "NAME",	CONF_PASTA, true,
	  "Name of the tap interface in the namespace" },
	{ "tcp-ns",	'T', "SPEC",	CONF_PASTA, false,
	  "TCP ports to forward from the namespace" },
	{ "udp-ns",	'U', "SPEC",	CONF_PASTA, false,
	  "UDP ports to forward from the namespace" },
	{ "userns",	CONF_OPT_USERNS, "PATH", CONF_PASTA, true,
	  "Target user namespace to join" },
	{ "netns",	CONF_OPT_NETNS, "PATH|NAME", CONF_PASTA, true,
	  "Target network namespace to join" },
	{ "netns-only",	CONF_OPT_NETNS_ONLY, NULL, CONF_PASTA, false,
	  "Don't join or create a user namespace" },
	{ "no-netns-quit", CONF_OPT_NO_NETNS_QUIT, NULL, CONF_PASTA, false,
	  "Don't quit when the target namespace is gone" },
	{ "host-lo-to-ns-lo", CONF_OPT_HOST_LO_TO_NS_LO, NULL, CONF_PASTA,
	  false, "Host loopback to namespace loopback (default)" },
	{ "config-net",	CONF_OPT_CONFIG_NET, NULL, CONF_PASTA, false,
	  "Configure the tap interface in the namespace" },
	{ "no-copy-routes", CONF_OPT_NO_COPY_ROUTES, NULL, CONF_PASTA, false,
	  "Set up the default route only (deprecated)" },
	{ "no-copy-addrs", CONF_OPT_NO_COPY_ADDRS, NULL, CONF_PASTA, false,
	  "Set up a single address (deprecated)" },
	{ "ns-mac-addr", CONF_OPT_NS_MAC_ADDR, "ADDR", CONF_PASTA, true,
	  "MAC address of the tap in the namespace" },
	{ "nsrun-dir",	CONF_OPT_NSRUN_DIR, "PATH", CONF_PASTA, true,
	  "Where to look up --netns NAME (/run/netns)" },
	{ "bpf",	CONF_OPT_BPF, NULL, CONF_PASTA, false,
	  "Require the eBPF sockmap fast path" },
	{ "no-bpf",	CONF_OPT_NO_BPF, NULL, CONF_PASTA, false,
	  "Never use the eBPF sockmap fast path" },
	{ "map-host-loopback", CONF_OPT_MAP_HOST_LOOPBACK, "ADDR", CONF_BOTH,
	  false, "Map ADDR (default: gateway) to host loopback" },
	{ "map-guest-addr", CONF_OPT_MAP_GUEST_ADDR, "ADDR", CONF_BOTH,
	  false, "Map ADDR to the guest's address on the host" },
};

/**
 * struct conf_state - parsing state that doesn't belong in the context
 * @log_path:	--log-file argument, NULL if not given
 * @log_size:	--log-size argument, LOG_SIZE_DEFAULT if not given
 * @netns:	--netns argument as given, NULL if not given
 * @debug:	-d or --trace given
 * @trace:	--trace given
 * @to_stderr:	-e given
 * @seen:	Options given so far, by value
 */
struct conf_state {
	const char *log_path;
	size_t log_size;
	const char *netns;
	bool debug;
	bool trace;
	bool to_stderr;
	bool seen[CONF_NUM_OPT];
};

/* Flags for conf_addr() */
#define CONF_ADDR_HOST		(1U << 0)	/* no loopback, no broadcast */

/**
 * conf_name() - Program name for messages
 * @c:		Execution context
 *
 * Return: "pasta" or "passt"
 */
static const char *conf_name(const struct ctx *c)
{
	return c->mode == MODE_PASTA ? "pasta" : "passt";
}

/**
 * conf_usage_error() - Point to --help and exit with status 1
 * @c:		Execution context
 */
__attribute__((noreturn))
static void conf_usage_error(const struct ctx *c)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		conf_name(c));
	exit(EXIT_FAILURE);
}

/**
 * conf_die() - Report an invalid option or value, exit with status 1
 * @c:		Execution context
 * @fmt:	printf-style format, message starting with the option name
 */
__attribute__((format(printf, 2, 3), noreturn))
static void conf_die(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	conf_usage_error(c);
}

/**
 * conf_opt_find() - Look up an option by its getopt_long() value
 * @val:	Value returned by getopt_long()
 *
 * Return: option description, NULL if unknown
 */
static const struct conf_opt *conf_opt_find(int val)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		if (conf_opts[i].val == val)
			return &conf_opts[i];
	}
	return NULL;
}

/**
 * conf_usage() - Print the help text for the current program, exit 0
 * @c:		Execution context
 */
__attribute__((noreturn))
static void conf_usage(const struct ctx *c)
{
	unsigned mode = 1U << c->mode;
	size_t i;

	if (c->mode == MODE_PASTA)
		printf("Usage: pasta [OPTION]... [COMMAND [ARG]...]\n"
		       "       pasta [OPTION]... PID\n"
		       "       pasta [OPTION]... --netns [PATH|NAME]\n\n"
		       "Connect a new or existing network namespace to the "
		       "host's network.\n\n");
	else
		printf("Usage: passt [OPTION]...\n\n"
		       "Connect a qemu guest to the host's network.\n\n");

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		const struct conf_opt *o = &conf_opts[i];
		char left[64];
		int n;

		if (!(o->modes & mode))
			continue;

		if (o->val < 256)
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
				     o->val, o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		else
			n = snprintf(left, sizeof(left), "      --%s%s%s",
				     o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		if (n < 0)
			continue;

		if (n < CONF_HELP_COL)
			printf("%-*s%s\n", CONF_HELP_COL, left, o->help);
		else
			printf("%s\n%*s%s\n", left, CONF_HELP_COL, "", o->help);
	}

	printf("\nSPEC: none, %s, or a port list, for example:\n"
	       "  22,80:8080,192.0.2.1%%eth0/1000-2000,~1500\n"
	       "See %s(1) for details.\n",
	       c->mode == MODE_PASTA ? "auto" : "all", conf_name(c));

	if (fflush(stdout))
		exit(EXIT_FAILURE);
	exit(EXIT_SUCCESS);
}

/**
 * conf_num() - Parse a decimal number strictly: digits only, no sign
 * @s:		Text
 * @max:	Largest value accepted
 * @v:		Parsed value
 *
 * Return: true on success, false if @s isn't a number up to @max
 */
static bool conf_num(const char *s, unsigned long long max,
		     unsigned long long *v)
{
	unsigned long long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

/**
 * conf_path() - Store a non-empty path that fits its buffer
 * @c:		Execution context
 * @o:		Option
 * @arg:	Path
 * @dst:	Destination buffer
 * @size:	Size of @dst
 */
static void conf_path(const struct ctx *c, const struct conf_opt *o,
		      const char *arg, char *dst, size_t size)
{
	size_t len = strlen(arg);

	if (!len)
		conf_die(c, "--%s: empty path", o->name);
	if (len >= size)
		conf_die(c, "--%s: path too long (max %zu characters)",
			 o->name, size - 1);
	memcpy(dst, arg, len + 1);
}

/**
 * conf_ifname() - Store a valid interface name
 * @c:		Execution context
 * @o:		Option
 * @arg:	Interface name
 * @dst:	Destination, IFNAMSIZ bytes
 */
static void conf_ifname(const struct ctx *c, const struct conf_opt *o,
			const char *arg, char *dst)
{
	if (strlen(arg) >= IFNAMSIZ)
		conf_die(c, "--%s: interface name '%s' too long (max %d)",
			 o->name, arg, IFNAMSIZ - 1);
	if (!fwd_ifname_valid(arg))
		conf_die(c, "--%s: invalid interface name '%s'", o->name, arg);
	memcpy(dst, arg, strlen(arg) + 1);
}

/**
 * conf_addr() - Parse an IPv4 or IPv6 address that can be used as one
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address text
 * @flags:	CONF_ADDR_HOST: also reject loopback and broadcast addresses
 * @a4:		Parsed address, if IPv4
 * @a6:		Parsed address, if IPv6
 *
 * Return: AF_INET or AF_INET6, exits on invalid addresses
 */
static int conf_addr(const struct ctx *c, const struct conf_opt *o,
		     const char *arg, unsigned flags,
		     struct in_addr *a4, struct in6_addr *a6)
{
	bool host = flags & CONF_ADDR_HOST;

	if (inet_pton(AF_INET, arg, a4) == 1) {
		uint32_t h = ntohl(a4->s_addr);

		bool loopback = h >> 24 == IN_LOOPBACKNET;

		if (h == INADDR_ANY || IN_MULTICAST(h) ||
		    (host && (h == INADDR_BROADCAST || loopback)))
			conf_die(c, "--%s: can't use address %s", o->name, arg);
		return AF_INET;
	}

	if (inet_pton(AF_INET6, arg, a6) == 1) {
		if (IN6_IS_ADDR_UNSPECIFIED(a6) || IN6_IS_ADDR_MULTICAST(a6) ||
		    IN6_IS_ADDR_V4MAPPED(a6) ||
		    (host && IN6_IS_ADDR_LOOPBACK(a6)))
			conf_die(c, "--%s: can't use address %s", o->name, arg);
		return AF_INET6;
	}

	conf_die(c, "--%s: invalid address '%s'", o->name, arg);
}

/**
 * conf_mac() - Parse a unicast MAC address, xx:xx:xx:xx:xx:xx
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address text
 * @mac:	Parsed address, ETH_ALEN_ bytes
 */
static void conf_mac(const struct ctx *c, const struct conf_opt *o,
		     const char *arg, uint8_t *mac)
{
	static const uint8_t zero[ETH_ALEN_];
	uint8_t m[ETH_ALEN_];
	const char *p = arg;
	int i, j;

	for (i = 0; i < ETH_ALEN_; i++) {
		unsigned v = 0;

		for (j = 0; j < 2; j++, p++) {
			if (*p >= '0' && *p <= '9')
				v = v * 16 + (unsigned)(*p - '0');
			else if (*p >= 'a' && *p <= 'f')
				v = v * 16 + (unsigned)(*p - 'a' + 10);
			else if (*p >= 'A' && *p <= 'F')
				v = v * 16 + (unsigned)(*p - 'A' + 10);
			else
				goto bad;
		}
		m[i] = (uint8_t)v;
		if (i < ETH_ALEN_ - 1 && *p++ != ':')
			goto bad;
	}
	if (*p)
		goto bad;
	if ((m[0] & 1) || !memcmp(m, zero, ETH_ALEN_))
		conf_die(c, "--%s: %s is not a unicast address", o->name, arg);

	memcpy(mac, m, ETH_ALEN_);
	return;
bad:
	conf_die(c, "--%s: invalid MAC address '%s' (xx:xx:xx:xx:xx:xx)",
		 o->name, arg);
}

/**
 * conf_user_exists() - Check that a login name exists
 * @name:	Login name
 *
 * Return: true if found in the user database
 */
static bool conf_user_exists(const char *name)
{
	struct passwd pw, *res = NULL;
	size_t size;

	for (size = 16384; size <= CONF_NSS_BUF_MAX; size *= 2) {
		char *buf = malloc(size);
		int rc;

		if (!buf)
			return false;
		rc = getpwnam_r(name, &pw, buf, size, &res);
		free(buf);
		if (rc != ERANGE)
			return !rc && res;
	}
	return false;
}

/**
 * conf_group_exists() - Check that a group name exists
 * @name:	Group name
 *
 * Return: true if found in the group database
 */
static bool conf_group_exists(const char *name)
{
	struct group gr, *res = NULL;
	size_t size;

	for (size = 16384; size <= CONF_NSS_BUF_MAX; size *= 2) {
		char *buf = malloc(size);
		int rc;

		if (!buf)
			return false;
		rc = getgrnam_r(name, &gr, buf, size, &res);
		free(buf);
		if (rc != ERANGE)
			return !rc && res;
	}
	return false;
}

/**
 * conf_runas() - Check and store a --runas value
 * @c:		Execution context
 * @o:		Option
 * @arg:	UID, UID:GID, LOGIN or LOGIN:GROUP
 */
static void conf_runas(struct ctx *c, const struct conf_opt *o,
		       const char *arg)
{
	unsigned long long id;
	char buf[sizeof(c->runas)];
	char *group;

	if (strlen(arg) >= sizeof(buf))
		conf_die(c, "--%s: value too long", o->name);
	memcpy(buf, arg, strlen(arg) + 1);

	group = strchr(buf, ':');
	if (group)
		*group++ = '\0';
	if (!*buf || (group && (!*group || strchr(group, ':'))))
		conf_die(c, "--%s: invalid value '%s'", o->name, arg);

	if (*buf >= '0' && *buf <= '9') {
		if (!conf_num(buf, (uid_t)-1 - 1, &id))
			conf_die(c, "--%s: invalid UID '%s'", o->name, buf);
	} else if (!conf_user_exists(buf)) {
		conf_die(c, "--%s: no such user '%s'", o->name, buf);
	}

	if (group && *group >= '0' && *group <= '9') {
		if (!conf_num(group, (gid_t)-1 - 1, &id))
			conf_die(c, "--%s: invalid GID '%s'", o->name, group);
	} else if (group && !conf_group_exists(group)) {
		conf_die(c, "--%s: no such group '%s'", o->name, group);
	}

	memcpy(c->runas, arg, strlen(arg) + 1);
}

/**
 * conf_mtu() - Parse -m: 0 (don't advertise) or 68 to 65520
 * @c:		Execution context
 * @o:		Option
 * @arg:	MTU text
 */
static void conf_mtu(struct ctx *c, const struct conf_opt *o, const char *arg)
{
	unsigned long long v;

	if (!conf_num(arg, MTU_MAX, &v) || (v && v < CONF_MTU_MIN))
		conf_die(c, "--%s: invalid MTU %s (0 or %d-%d)",
			 o->name, arg, CONF_MTU_MIN, MTU_MAX);
	c->mtu = (int)v;
}

/**
 * conf_netmask() - Parse -n: dot-decimal netmask or prefix length
 * @c:		Execution context
 * @o:		Option
 * @arg:	Netmask text
 */
static void conf_netmask(struct ctx *c, const struct conf_opt *o,
			 const char *arg)
{
	unsigned long long bits;
	struct in_addr m;
	uint32_t h;

	if (conf_num(arg, 32, &bits)) {
		if (!bits)
			conf_die(c, "--%s: invalid prefix length 0", o->name);
		c->ip4.prefix_len = (int)bits;
		return;
	}

	if (inet_pton(AF_INET, arg, &m) != 1)
		conf_die(c, "--%s: invalid netmask '%s' (dot-decimal or 1-32)",
			 o->name, arg);
	h = ntohl(m.s_addr);
	if (!h || (~h & (~h + 1)))
		conf_die(c, "--%s: netmask %s is not a contiguous prefix",
			 o->name, arg);
	c->ip4.prefix_len = __builtin_popcount(h);
}

/**
 * conf_address() - Parse -a, -g or -o: once per IP version
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address text
 */
static void conf_address(struct ctx *c, const struct conf_opt *o,
			 const char *arg)
{
	unsigned flags = o->val == 'o' ? 0 : CONF_ADDR_HOST;
	struct in6_addr a6, *dst6;
	struct in_addr a4, *dst4;

	switch (o->val) {
	case 'a':
		dst4 = &c->ip4.addr;
		dst6 = &c->ip6.addr;
		break;
	case 'g':
		dst4 = &c->ip4.gw;
		dst6 = &c->ip6.gw;
		break;
	default:
		dst4 = &c->ip4.addr_out;
		dst6 = &c->ip6.addr_out;
		break;
	}

	if (conf_addr(c, o, arg, flags, &a4, &a6) == AF_INET) {
		if (dst4->s_addr)
			conf_die(c, "--%s: IPv4 address given twice", o->name);
		*dst4 = a4;
		if (o->val == 'a')
			c->ip4.no_copy_addrs = true;
		if (o->val == 'g')
			c->ip4.no_copy_routes = true;
		return;
	}

	if (!IN6_IS_ADDR_UNSPECIFIED(dst6))
		conf_die(c, "--%s: IPv6 address given twice", o->name);
	*dst6 = a6;
	if (o->val == 'a')
		c->ip6.no_copy_addrs = true;
	if (o->val == 'g')
		c->ip6.no_copy_routes = true;
}

/**
 * conf_dns() - Parse -D: resolver address, or none
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address text or "none"
 */
static void conf_dns(struct ctx *c, const struct conf_opt *o, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;
	int i;

	if (!strcmp(arg, "none")) {
		if (c->dns_set)
			conf_die(c, "--%s: 'none' given with addresses",
				 o->name);
		c->no_dns = true;
		return;
	}
	if (c->no_dns)
		conf_die(c, "--%s: address given with 'none'",
			 o->name);

	if (conf_addr(c, o, arg, 0, &a4, &a6) == AF_INET) {
		for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
			if (c->ip4.dns[i].s_addr == a4.s_addr)
				break;
		}
		if (i == MAXNS)
			conf_die(c, "--%s: too many IPv4 resolvers (max %d)",
				 o->name, MAXNS);
		c->ip4.dns[i] = a4;
	} else {
		for (i = 0; i < MAXNS &&
		     !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]); i++) {
			if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], &a6))
				break;
		}
		if (i == MAXNS)
			conf_die(c, "--%s: too many IPv6 resolvers (max %d)",
				 o->name, MAXNS);
		c->ip6.dns[i] = a6;
	}
	c->dns_set = true;
}

/**
 * conf_dns_forward() - Parse --dns-forward: once per IP version
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address text
 */
static void conf_dns_forward(struct ctx *c, const struct conf_opt *o,
			     const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr(c, o, arg, 0, &a4, &a6) == AF_INET) {
		if (c->ip4.dns_match.s_addr)
			conf_die(c, "--%s: IPv4 address given twice", o->name);
		c->ip4.dns_match = a4;
	} else {
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
			conf_die(c, "--%s: IPv6 address given twice", o->name);
		c->ip6.dns_match = a6;
	}
}

/**
 * conf_map() - Parse --map-host-loopback or --map-guest-addr
 * @c:		Execution context
 * @o:		Option
 * @arg:	Address, or "none"
 *
 * One address per IP version: the last one given wins.  "none" clears
 * both, and for --map-host-loopback also drops the gateway default, as
 * --no-map-gw does.
 */
static void conf_map(struct ctx *c, const struct conf_opt *o, const char *arg)
{
	bool host_lo = o->val == CONF_OPT_MAP_HOST_LOOPBACK;
	struct in6_addr *m6 = host_lo ? &c->ip6.map_host_loopback :
					&c->ip6.map_guest_addr;
	struct in_addr *m4 = host_lo ? &c->ip4.map_host_loopback :
				       &c->ip4.map_guest_addr;
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcmp(arg, "none")) {
		memset(m4, 0, sizeof(*m4));
		memset(m6, 0, sizeof(*m6));
		if (host_lo)
			c->no_map_gw = true;
		return;
	}
	if (conf_addr(c, o, arg, CONF_ADDR_HOST, &a4, &a6) == AF_INET)
		*m4 = a4;
	else
		*m6 = a6;
}

/**
 * conf_search() - Parse -S: space-separated search domains, or none
 * @c:		Execution context
 * @o:		Option
 * @arg:	Domain list or "none"
 */
static void conf_search(struct ctx *c, const struct conf_opt *o,
			const char *arg)
{
	const char *p = arg;
	int n;

	if (!strcmp(arg, "none")) {
		if (c->search_set)
			conf_die(c, "--%s: 'none' given with domains",
				 o->name);
		c->no_dns_search = true;
		return;
	}
	if (c->no_dns_search)
		conf_die(c, "--%s: domains given with 'none'",
			 o->name);

	for (n = 0; n < MAXDNSRCH && *c->dns_search[n]; n++)
		;

	for (;;) {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (!resolv_domain_valid(p, len))
			conf_die(c, "--%s: invalid domain '%.*s'",
				 o->name, (int)len, p);
		if (n == MAXDNSRCH)
			conf_die(c, "--%s: too many domains (max %d)",
				 o->name, MAXDNSRCH);
		memcpy(c->dns_search[n], p, len);
		c->dns_search[n][len] = '\0';
		n++;
		p += len;
	}

	if (!n)
		conf_die(c, "--%s: empty list", o->name);
	c->search_set = true;
}

/**
 * conf_fd() - Parse -F: an open file descriptor
 * @c:		Execution context
 * @o:		Option
 * @arg:	Descriptor number
 */
static void conf_fd(struct ctx *c, const struct conf_opt *o, const char *arg)
{
	unsigned long long fd;

	if (!conf_num(arg, INT32_MAX, &fd))
		conf_die(c, "--%s: invalid file descriptor '%s'", o->name, arg);
	if (fcntl((int)fd, F_GETFD) < 0)
		conf_die(c, "--%s: file descriptor %s: %s",
			 o->name, arg, strerror_(errno));
	c->passt.fd = (int)fd;
	c->passt.one_off = true;
}

/**
 * conf_fwd() - Parse -t, -u, -T or -U
 * @c:		Execution context
 * @o:		Option
 * @arg:	Forwarding specification
 */
static void conf_fwd(struct ctx *c, const struct conf_opt *o, const char *arg)
{
	struct fwd_ports *fwd;
	char msg[160];

	switch (o->val) {
	case 't':
		fwd = &c->tcp_in;
		break;
	case 'u':
		fwd = &c->udp_in;
		break;
	case 'T':
		fwd = &c->tcp_out;
		break;
	default:
		fwd = &c->udp_out;
		break;
	}

	if (fwd_parse_spec(fwd, arg, c->mode == MODE_PASTA, msg, sizeof(msg)))
		conf_die(c, "--%s: %s", o->name, msg);
}

/**
 * conf_log_size() - Parse --log-size
 * @c:		Execution context
 * @st:		Parsing state
 * @o:		Option
 * @arg:	Size in bytes
 */
static void conf_log_size(const struct ctx *c, struct conf_state *st,
			  const struct conf_opt *o, const char *arg)
{
	unsigned long long v;

	if (!conf_num(arg, SIZE_MAX / 2, &v) || v < LOG_SIZE_MIN)
		conf_die(c, "--%s: invalid size %s (at least %d bytes)",
			 o->name, arg, LOG_SIZE_MIN);
	st->log_size = (size_t)v;
}

/**
 * conf_opt() - Validate one option and its value, store it
 * @c:		Execution context
 * @st:		Parsing state
 * @o:		Option, already checked for mode and repetition
 * @arg:	Argument, NULL if the option takes none
 */
static void conf_opt(struct ctx *c, struct conf_state *st,
		     const struct conf_opt *o, const char *arg)
{
	switch (o->val) {
	case 'd':
		st->debug = true;
		break;
	case CONF_OPT_TRACE:
		st->debug = st->trace = true;
		break;
	case 'q':
		c->quiet = true;
		break;
	case 'f':
		c->foreground = true;
		break;
	case 'e':
		st->to_stderr = true;
		break;
	case 'l':
		if (!*arg)
			conf_die(c, "--%s: empty path", o->name);
		st->log_path = arg;
		break;
	case CONF_OPT_LOG_SIZE:
		conf_log_size(c, st, o, arg);
		break;
	case CONF_OPT_RUNAS:
		conf_runas(c, o, arg);
		break;
	case 'h':
		conf_usage(c);
	case CONF_OPT_VERSION:
		printf("%s %s\n", conf_name(c), VERSION);
		exit(fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS);
	case 'p':
		conf_path(c, o, arg, c->pcap, sizeof(c->pcap));
		break;
	case 'P':
		conf_path(c, o, arg, c->pid_file, sizeof(c->pid_file));
		break;
	case 'm':
		conf_mtu(c, o, arg);
		break;
	case 'a':
	case 'g':
	case 'o':
		conf_address(c, o, arg);
		break;
	case 'n':
		conf_netmask(c, o, arg);
		break;
	case 'M':
		conf_mac(c, o, arg, c->our_mac);
		break;
	case 'i':
		conf_ifname(c, o, arg, c->ifname);
		break;
	case CONF_OPT_OUTBOUND_IF4:
		conf_ifname(c, o, arg, c->ip4.ifname_out);
		break;
	case CONF_OPT_OUTBOUND_IF6:
		conf_ifname(c, o, arg, c->ip6.ifname_out);
		break;
	case 'D':
		conf_dns(c, o, arg);
		break;
	case CONF_OPT_DNS_FORWARD:
		conf_dns_forward(c, o, arg);
		break;
	case 'S':
		conf_search(c, o, arg);
		break;
	case CONF_OPT_NO_DHCP_DNS:
		c->dhcp_dns = false;
		break;
	case CONF_OPT_DHCP_DNS:
		c->dhcp_dns = true;
		break;
	case CONF_OPT_NO_DHCP_SEARCH:
		c->dhcp_search = false;
		break;
	case CONF_OPT_DHCP_SEARCH:
		c->dhcp_search = true;
		break;
	case CONF_OPT_NO_TCP:
		c->no_tcp = true;
		break;
	case CONF_OPT_NO_UDP:
		c->no_udp = true;
		break;
	case CONF_OPT_NO_ICMP:
		c->no_icmp = true;
		break;
	case CONF_OPT_NO_DHCP:
		c->no_dhcp = true;
		break;
	case CONF_OPT_NO_NDP:
		c->no_ndp = true;
		break;
	case CONF_OPT_NO_DHCPV6:
		c->no_dhcpv6 = true;
		break;
	case CONF_OPT_NO_RA:
		c->no_ra = true;
		break;
	case CONF_OPT_NO_MAP_GW:
		c->no_map_gw = true;
		break;
	case '4':
		c->ipv4_only = true;
		break;
	case '6':
		c->ipv6_only = true;
		break;
	case 's':
		conf_path(c, o, arg, c->passt.sock_path,
			  sizeof(c->passt.sock_path));
		break;
	case 'F':
		conf_fd(c, o, arg);
		break;
	case '1':
		c->passt.one_off = true;
		break;
	case 't':
	case 'u':
	case 'T':
	case 'U':
		conf_fwd(c, o, arg);
		break;
	case 'I':
		conf_ifname(c, o, arg, c->pasta.ns_ifname);
		break;
	case CONF_OPT_USERNS:
		conf_path(c, o, arg, c->pasta.userns, sizeof(c->pasta.userns));
		break;
	case CONF_OPT_NETNS:
		if (!*arg)
			conf_die(c, "--%s: empty path or name", o->name);
		st->netns = arg;
		break;
	case CONF_OPT_NETNS_ONLY:
		c->pasta.netns_only = true;
		break;
	case CONF_OPT_NO_NETNS_QUIT:
		c->pasta.no_netns_quit = true;
		break;
	case CONF_OPT_HOST_LO_TO_NS_LO:
		/* What the local bypass always does: spliced connections and
		 * relayed datagrams from the host's loopback go to the
		 * namespace's loopback (tcp_splice.c, udp_splice.c)
		 */
		break;
	case CONF_OPT_CONFIG_NET:
		c->pasta.config_net = true;
		break;
	case CONF_OPT_NO_COPY_ROUTES:
		c->ip4.no_copy_routes = c->ip6.no_copy_routes = true;
		break;
	case CONF_OPT_NO_COPY_ADDRS:
		c->ip4.no_copy_addrs = c->ip6.no_copy_addrs = true;
		break;
	case CONF_OPT_NS_MAC_ADDR:
		conf_mac(c, o, arg, c->pasta.ns_mac);
		break;
	case CONF_OPT_NSRUN_DIR:
		conf_path(c, o, arg, c->pasta.nsrun_dir,
			  sizeof(c->pasta.nsrun_dir));
		break;
	case CONF_OPT_BPF:
		c->bpf = true;
		break;
	case CONF_OPT_NO_BPF:
		c->no_bpf = true;
		break;
	case CONF_OPT_MAP_HOST_LOOPBACK:
	case CONF_OPT_MAP_GUEST_ADDR:
		conf_map(c, o, arg);
		break;
	default:
		conf_usage_error(c);
	}
}

/**
 * conf_netns() - Resolve --netns: a path, or a name under --nsrun-dir
 * @c:		Execution context
 * @name:	--netns argument
 */
static void conf_netns(struct ctx *c, const char *name)
{
	int n;

	if (strchr(name, '/')) {
		if (strlen(name) >= sizeof(c->pasta.netns))
			conf_die(c, "--netns: path too long");
		memcpy(c->pasta.netns, name, strlen(name) + 1);
		return;
	}

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		conf_die(c, "--netns: invalid name '%s'", name);
	n = snprintf(c->pasta.netns, sizeof(c->pasta.netns), "%s/%s",
		     c->pasta.nsrun_dir, name);
	if (n < 0 || (size_t)n >= sizeof(c->pasta.netns))
		conf_die(c, "--netns: path too long");
}

/**
 * conf_pasta_target() - Find what pasta connects: PID, namespace or command
 * @c:		Execution context
 * @st:		Parsing state
 * @argc:	Arguments left after options
 * @argv:	Those arguments, NULL-terminated
 */
static void conf_pasta_target(struct ctx *c, const struct conf_state *st,
			      int argc, char **argv)
{
	unsigned long long pid;

	if (!*c->pasta.nsrun_dir)
		memcpy(c->pasta.nsrun_dir, CONF_NSRUN_DIR_DEFAULT,
		       sizeof(CONF_NSRUN_DIR_DEFAULT));

	if (st->netns) {
		if (argc)
			conf_die(c, "--netns: can't be given with a PID or "
				 "command ('%s')", argv[0]);
		conf_netns(c, st->netns);
		if (!*c->pasta.userns)
			c->pasta.netns_only = true;
		return;
	}

	if (argc == 1 && argv[0][0] >= '0' && argv[0][0] <= '9' &&
	    argv[0][strspn(argv[0], "0123456789")] == '\0') {
		if (!conf_num(argv[0], INT32_MAX, &pid) || !pid)
			conf_die(c, "invalid PID '%s'", argv[0]);
		c->pasta.pid = (pid_t)pid;
		snprintf(c->pasta.netns, sizeof(c->pasta.netns),
			 "/proc/%llu/ns/net", pid);
		if (!*c->pasta.userns && !c->pasta.netns_only)
			snprintf(c->pasta.userns, sizeof(c->pasta.userns),
				 "/proc/%llu/ns/user", pid);
		return;
	}

	if (*c->pasta.userns)
		conf_die(c, "--userns: needs --netns or a PID");

	c->pasta.argv = argc ? argv : NULL;
	c->foreground = true;
}

/**
 * conf_log() - Apply logging options, now that all of them are known
 * @c:		Execution context
 * @st:		Parsing state
 */
static void conf_log(struct ctx *c, const struct conf_state *st)
{
	if (c->quiet && st->debug)
		conf_die(c, "--quiet: can't be given with --debug or --trace");
	if (st->to_stderr && st->log_path)
		conf_die(c, "--stderr: can't be given with --log-file");

	if (st->to_stderr)
		c->log.to_stderr = true;
	if (c->quiet)
		c->log.level = LOG_WARNING;
	if (st->debug) {
		c->log.level = LOG_DEBUG;
		c->log.trace = st->trace;
		c->log.to_stderr = true;
		c->log.to_syslog = false;
	}
	if (st->log_path) {
		c->log.to_stderr = false;
		c->log.to_syslog = false;
	}
	c->log.file_size = st->log_size;
}

/**
 * conf_defaults() - Set defaults that differ from zero
 * @c:		Execution context, zeroed except for @mode
 */
static void conf_defaults(struct ctx *c)
{
	c->fd_tap = -1;
	c->fd_pcap = -1;
	c->passt.fd = -1;
	c->pasta_st.netns_fd = -1;
	c->pasta_st.userns_fd = -1;
	c->pasta_st.nl_ns = -1;
	c->pasta_st.ns_sock = -1;

	c->log.level = LOG_INFO;
	c->log.to_syslog = true;
	c->log.to_stderr = !isatty(STDERR_FILENO);
	c->log.file_fd = -1;
	c->log.file_size = LOG_SIZE_DEFAULT;
	c->log.ident = conf_name(c);

	c->mtu = MTU_DEFAULT;
	c->dhcp_dns = c->dhcp_search = c->mode == MODE_PASST;
}

/**
 * conf_getopt_tables() - Build getopt_long() tables from conf_opts[]
 * @c:		Execution context
 * @longopts:	Long options, ARRAY_SIZE(conf_opts) + 1 entries
 * @shortopts:	Short options, ARRAY_SIZE(conf_opts) * 2 + 2 bytes
 */
static void conf_getopt_tables(const struct ctx *c, struct option *longopts,
			       char *shortopts)
{
	char *s = shortopts;
	size_t i;

	/* pasta: stop at the command, leave its options alone */
	if (c->mode == MODE_PASTA)
		*s++ = '+';

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		const struct conf_opt *o = &conf_opts[i];

		longopts[i].name = o->name;
		longopts[i].has_arg = o->arg ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = o->val;

		if (o->val < 256) {
			*s++ = (char)o->val;
			if (o->arg)
				*s++ = ':';
		}
	}
	memset(&longopts[i], 0, sizeof(longopts[i]));
	*s = '\0';
}

/**
 * conf_parse() - Parse and validate the command line into the context
 * @c:		Execution context, zeroed except for @mode
 * @argc:	Argument count
 * @argv:	Arguments, NULL-terminated
 *
 * Resets getopt_long() (optind = 0) first, so it can be called repeatedly.
 *
 * Context: setup; exits with status 1 on invalid options or values, with
 * status 0 for --help and --version
 */
void conf_parse(struct ctx *c, int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(conf_opts) + 1];
	char shortopts[ARRAY_SIZE(conf_opts) * 2 + 2];
	struct conf_state st;
	int val;

	memset(&st, 0, sizeof(st));
	st.log_size = LOG_SIZE_DEFAULT;

	conf_defaults(c);
	conf_getopt_tables(c, longopts, shortopts);

	optind = 0;
	while ((val = getopt_long(argc, argv, shortopts, longopts,
				  NULL)) != -1) {
		const struct conf_opt *o = conf_opt_find(val);
		if (!o)		/* getopt_long() already said why */
			conf_usage_error(c);

		if (!(o->modes & (1U << c->mode)))
			conf_die(c, "--%s: only valid for %s", o->name,
				 c->mode == MODE_PASTA ? "passt" : "pasta");
		if (o->once && st.seen[o->val])
			conf_die(c, "--%s: given more than once", o->name);
		st.seen[o->val] = true;

		conf_opt(c, &st, o, optarg);
	}

	if (c->ipv4_only && c->ipv6_only)
		conf_die(c, "--ipv4-only and --ipv6-only are mutually "
			 "exclusive");
	if (c->bpf && c->no_bpf)
		conf_die(c, "--bpf: can't be given with --no-bpf");

	if (c->mode == MODE_PASTA)
		conf_pasta_target(c, &st, argc - optind, argv + optind);
	else if (optind < argc)
		conf_die(c, "unexpected argument '%s'", argv[optind]);

	conf_log(c, &st);

	if (st.log_path) {
		int rc = log_file_open(&c->log, st.log_path, st.log_size);
		if (rc)
			conf_die(c, "--log-file: can't open '%s': %s",
				 st.log_path, strerror_(-rc));
	}
}

/**
 * conf() - Parse the command line, then complete it from the host
 * @c:		Execution context, zeroed except for @mode
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Context: setup; exits on errors
 */
void conf(struct ctx *c, int argc, char **argv)
{
	unsigned eph_first, eph_last;

	conf_parse(c, argc, argv);
	conf_derive(c);

	/* -t all, -u all, exclusions only: not the ephemeral ports */
	fwd_ephemeral_read(&eph_first, &eph_last);
	fwd_ephemeral_clear(&c->tcp_in, eph_first, eph_last);
	fwd_ephemeral_clear(&c->udp_in, eph_first, eph_last);
	fwd_ephemeral_clear(&c->tcp_out, eph_first, eph_last);
	fwd_ephemeral_clear(&c->udp_out, eph_first, eph_last);
}
