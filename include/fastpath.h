/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fastpath.h - the eBPF sockmap fast path, as the daemon sees it
 *
 * Implemented in loader/fastpath.c, the only user of libbpf.  Every call
 * works whether or not the fast path is loaded: when it is off (--no-bpf,
 * no privileges, old kernel), the socket calls return -EOPNOTSUPP and the
 * caller keeps its userspace path.  Map layouts stay in fastpath_maps.h.
 *
 * bpf() commands needed after setup: BPF_MAP_UPDATE_ELEM,
 * BPF_MAP_DELETE_ELEM and BPF_MAP_LOOKUP_ELEM on map descriptors opened at
 * setup.  These need no capability (Linux 5.19, c8644cd0efe7).
 */
#ifndef FASTPATH_H
#define FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

struct ctx;
struct fastpath;

/**
 * struct fastpath_counters - verdict counters, summed over CPUs
 * @redirected:		skbs redirected to the peer socket
 * @redirected_bytes:	Bytes in those
 * @empty:		Zero-length skbs (bare FIN) dropped
 * @passed:		skbs left to the source socket (flow control)
 * @passed_bytes:	Bytes in those
 * @no_target:		Redirects that found no peer (data kept)
 * @no_state:		skbs of sockets without state (data kept)
 */
struct fastpath_counters {
	uint64_t redirected;
	uint64_t redirected_bytes;
	uint64_t empty;
	uint64_t passed;
	uint64_t passed_bytes;
	uint64_t no_target;
	uint64_t no_state;
};

int fastpath_open(struct fastpath **fp, bool verbose);
void fastpath_close(struct fastpath *fp);
void fastpath_init(struct ctx *c);
void fastpath_exit(struct ctx *c);
bool fastpath_active(const struct ctx *c);
const char *fastpath_why(int rc);
int fastpath_counters(const struct ctx *c, struct fastpath_counters *cnt);

int fastpath_sock_prepare(const struct ctx *c, int fd, uint64_t *cookie);
int fastpath_sock_target(const struct ctx *c, uint64_t cookie, int peer);
int fastpath_sock_activate(const struct ctx *c, uint64_t cookie, int fd);
void fastpath_sock_forget(const struct ctx *c, uint64_t cookie);
int fastpath_sock_stats(const struct ctx *c, uint64_t cookie,
			uint64_t *redirected, uint64_t *passed);
int fastpath_sock_ctl(const struct ctx *c, uint64_t cookie, uint64_t limit,
		      uint64_t consumed);

int fastpath_udp_pair_add(const struct ctx *c, const int fd[2],
			  uint64_t cookie[2]);
void fastpath_udp_pair_remove(const struct ctx *c, const uint64_t cookie[2]);

#endif /* FASTPATH_H */
