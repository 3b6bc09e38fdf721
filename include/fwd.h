/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd.h - port forwarding specifications (-t -u -T -U) */
#ifndef FWD_H
#define FWD_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NUM_PORTS	(1U << 16)

/**
 * enum fwd_mode - how ports are chosen for one forwarding direction
 * @FWD_UNSET:	Not given on the command line (mode default applies)
 * @FWD_NONE:	Forward nothing
 * @FWD_AUTO:	Follow bound ports on the other side (pasta only)
 * @FWD_ALL:	All unbound, non-ephemeral ports (passt only)
 * @FWD_SPEC:	Explicit list in the port map
 * @FWD_NUM_MODE: Sentinel
 */
enum fwd_mode {
	FWD_UNSET = 0,
	FWD_NONE,
	FWD_AUTO,
	FWD_ALL,
	FWD_SPEC,
	FWD_NUM_MODE,
};

/**
 * struct fwd_ports - one forwarding direction for one protocol
 * @mode:	enum fwd_mode
 * @map:	Bitmap of forwarded (source) ports
 * @delta:	Per source port: target port minus source port, modulo 2^16
 * @addr4:	IPv4 bind address, valid if @addr_family is AF_INET
 * @addr6:	IPv6 bind address, valid if @addr_family is AF_INET6
 * @addr_family: AF_INET, AF_INET6, or AF_UNSPEC for any address
 * @ifname:	Bind interface given with %IFNAME, empty if none
 * @all:	Every port not excluded: the keyword all, or a list of
 *		exclusions only.  Ephemeral ports are left out at setup
 *		(fwd_ephemeral_clear()), and binding is best effort: ports
 *		in use or needing privileges are skipped, and binding stops
 *		before descriptors run short (fwd_fd_budget())
 */
struct fwd_ports {
	enum fwd_mode mode;
	uint8_t map[NUM_PORTS / 8];
	uint16_t delta[NUM_PORTS];
	struct in_addr addr4;
	struct in6_addr addr6;
	int addr_family;
	char ifname[IFNAMSIZ];
	bool all;
};

/* Descriptors that best-effort binding (@all) leaves to connections */
#define FWD_ALL_FD_RESERVE	4096

/* Ephemeral range when ip_local_port_range can't be read (kernel default) */
#define FWD_EPHEMERAL_FIRST	32768
#define FWD_EPHEMERAL_LAST	60999

/**
 * struct fwd_all_stats - outcome of best-effort binding, for one summary
 * @bound:	Ports forwarded
 * @in_use:	Ports skipped: held by another socket (EADDRINUSE)
 * @denied:	Ports skipped: privileged (EACCES)
 * @failed:	Ports skipped for other reasons
 * @first_left: First port left out because descriptors ran short, 0 if none
 */
struct fwd_all_stats {
	unsigned bound;
	unsigned in_use;
	unsigned denied;
	unsigned failed;
	unsigned first_left;
};

/**
 * fwd_port_isset() - Check whether a source port is forwarded
 * @fwd:	Forwarding specification
 * @port:	Port number
 *
 * Return: true if @port is in the map
 */
static inline bool fwd_port_isset(const struct fwd_ports *fwd, unsigned port)
{
	return port < NUM_PORTS && (fwd->map[port / 8] & (1U << (port % 8)));
}

int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool pasta,
		   char *errbuf, size_t errlen);
bool fwd_ifname_valid(const char *name);
void fwd_ephemeral_clear(struct fwd_ports *fwd, unsigned first,
			 unsigned last);

/* fwd_bind.c: setup helpers for best-effort (all) binding */
void fwd_ephemeral_read(unsigned *first, unsigned *last);
unsigned fwd_fd_budget(int any_fd, bool half);
void fwd_all_count(struct fwd_all_stats *st, int rc);
void fwd_all_report(const char *opt, const struct fwd_all_stats *st);

#endif /* FWD_H */
