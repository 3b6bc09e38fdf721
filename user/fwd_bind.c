// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_bind.c - setup helpers for best-effort forwarding (-t all, -u all)
 *
 * Theory of operation: a forwarding set marked @all (the keyword all, or a
 * list of exclusions only) asks for every port that can be had, not for
 * particular ones.  So:
 *
 * - the ephemeral range is read once at setup (fwd_ephemeral_read(), from
 *   the network namespace passt runs in) and taken out of the set, since
 *   the kernel hands those ports out to outgoing connections;
 *
 * - a port that is in use (EADDRINUSE) or needs a privilege we lack
 *   (EACCES: below net.ipv4.ip_unprivileged_port_start without
 *   CAP_NET_BIND_SERVICE) is skipped and counted, not reported one by one
 *   (fwd_all_count(), one summary line from fwd_all_report());
 *
 * - descriptors are bounded by RLIMIT_NOFILE, whose hard limit may be well
 *   below the ~37000 non-ephemeral ports: binding stops once it would eat
 *   into FWD_ALL_FD_RESERVE descriptors kept for connections and flows
 *   (fwd_fd_budget()), and that is said once, at warning level, with the
 *   first port left out.  Ports are bound in ascending order, so the low,
 *   well-known ones come first.  When both TCP and UDP are "all", UDP
 *   (set up first) takes half of what is available and TCP the rest.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fwd.h"
#include "log.h"
#include "util.h"

#define FWD_EPHEMERAL_PATH	"/proc/sys/net/ipv4/ip_local_port_range"

/**
 * fwd_ephemeral_read() - Read the ephemeral port range of our namespace
 * @first:	First ephemeral port
 * @last:	Last ephemeral port
 *
 * Falls back to the kernel's default range if the file can't be read or
 * makes no sense.
 *
 * Context: setup, before the sandbox
 */
void fwd_ephemeral_read(unsigned *first, unsigned *last)
{
	unsigned a = 0, b = 0;
	FILE *f = fopen(FWD_EPHEMERAL_PATH, "re");
	int n = 0;

	if (f) {
		n = fscanf(f, "%u %u", &a, &b);
		fclose(f);
	}
	if (n != 2 || !a || a > b || b >= NUM_PORTS) {
		debug("can't read %s, ephemeral ports taken as %u-%u",
		      FWD_EPHEMERAL_PATH, FWD_EPHEMERAL_FIRST,
		      FWD_EPHEMERAL_LAST);
		a = FWD_EPHEMERAL_FIRST;
		b = FWD_EPHEMERAL_LAST;
	}
	*first = a;
	*last = b;
}

/**
 * fwd_fd_budget() - Descriptors best-effort binding may still open
 * @any_fd:	Any open descriptor, duplicated to find the lowest free one
 * @half:	Another best-effort set will be bound after this one: leave
 *		it half of what is available
 *
 * Raises the RLIMIT_NOFILE soft limit to the hard one first (tcp_init()
 * does the same later: harmless twice).  Descriptors are allocated lowest
 * first, so the lowest free one is about the count of those open.
 *
 * Context: setup
 * Return: how many descriptors may be opened, 0 if none
 */
unsigned fwd_fd_budget(int any_fd, bool half)
{
	rlim_t limit, lowest;
	struct rlimit rl;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		debug_perror("getrlimit RLIMIT_NOFILE");
		return 0;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			debug_perror("can't raise RLIMIT_NOFILE");
		if (getrlimit(RLIMIT_NOFILE, &rl))
			return 0;
	}
	fd = fcntl(any_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	close(fd);

	limit = rl.rlim_cur == RLIM_INFINITY ? (rlim_t)NUM_PORTS * 4 :
					       rl.rlim_cur;
	lowest = (rlim_t)fd;
	if (limit <= lowest + FWD_ALL_FD_RESERVE)
		return 0;
	limit -= lowest + FWD_ALL_FD_RESERVE;
	if (half)
		limit /= 2;
	return limit > NUM_PORTS * 2 ? NUM_PORTS * 2 : (unsigned)limit;
}

/**
 * fwd_all_count() - Count the outcome of binding one port, best effort
 * @st:		Statistics to update
 * @rc:		0 if the port was bound, -errno if it wasn't
 */
void fwd_all_count(struct fwd_all_stats *st, int rc)
{
	if (!rc)
		st->bound++;
	else if (rc == -EADDRINUSE)
		st->in_use++;
	else if (rc == -EACCES || rc == -EPERM)
		st->denied++;
	else
		st->failed++;
}

/**
 * fwd_all_report() - One summary of best-effort binding
 * @opt:	Option, for messages ("-t", "-u")
 * @st:		Statistics
 */
void fwd_all_report(const char *opt, const struct fwd_all_stats *st)
{
	info("%s all: %u ports forwarded, skipped %u in use, %u privileged, "
	     "%u on other errors", opt, st->bound, st->in_use, st->denied,
	     st->failed);
	if (st->first_left)
		warn("%s all: out of descriptors (RLIMIT_NOFILE, %u kept for "
		     "connections): %u ports bound, none from port %u on",
		     opt, FWD_ALL_FD_RESERVE, st->bound, st->first_left);
}
