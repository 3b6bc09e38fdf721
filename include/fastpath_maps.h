/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fastpath_maps.h - map layouts shared by bpf/fp_sockmap.bpf.c and loader/
 *
 * Included by the BPF object and by loader/ only: user/ sees fastpath.h.
 * Fixed-width types, explicit padding and a size check on every struct, so
 * that clang -target bpf and the host compiler agree on the layout.
 */
#ifndef FASTPATH_MAPS_H
#define FASTPATH_MAPS_H

#include <linux/types.h>

/* Sockets in the fast path at the same time: two per TCP pair */
#define FP_SOCKS_MAX		16384

/* No flow-control limit: redirect everything */
#define FP_LIMIT_NONE		(~0ULL)

/**
 * enum fp_counter - indices of the per-CPU verdict counters (fp_counters)
 * @FP_CNT_REDIRECTED:	skbs redirected to the peer socket's egress
 * @FP_CNT_REDIR_BYTES:	Bytes in those skbs
 * @FP_CNT_EMPTY:	Zero-length skbs (a bare FIN) dropped on purpose
 * @FP_CNT_PASSED:	skbs left to the source socket (flow control)
 * @FP_CNT_PASS_BYTES:	Bytes in those skbs
 * @FP_CNT_NO_TARGET:	Redirect lookups that found no peer (data kept)
 * @FP_CNT_NO_STATE:	skbs of sockets without per-socket state (data kept)
 * @FP_CNT_NUM:		Sentinel
 */
enum fp_counter {
	FP_CNT_REDIRECTED,
	FP_CNT_REDIR_BYTES,
	FP_CNT_EMPTY,
	FP_CNT_PASSED,
	FP_CNT_PASS_BYTES,
	FP_CNT_NO_TARGET,
	FP_CNT_NO_STATE,
	FP_CNT_NUM,
};

/**
 * struct fp_sock_stats - per-socket byte counts, written by the program only
 * @redirected:	Bytes received on this socket and redirected to its peer
 * @passed:	Bytes received on this socket and left in its own queue
 */
struct fp_sock_stats {
	__u64 redirected;
	__u64 passed;
};
_Static_assert(sizeof(struct fp_sock_stats) == 16, "fp_sock_stats layout");

/**
 * struct fp_sock_ctl - per-socket flow control, written by userspace only
 * @limit:	Redirect while @redirected stays at or below this, else pass
 * @consumed:	Passed bytes userspace has read and written to the peer
 *
 * The program redirects an skb only if no passed bytes are waiting for
 * userspace (passed == consumed) and the skb fits under @limit: so bytes
 * leave the socket in the order they arrived, whichever way each goes.
 */
struct fp_sock_ctl {
	__u64 limit;
	__u64 consumed;
};
_Static_assert(sizeof(struct fp_sock_ctl) == 16, "fp_sock_ctl layout");

#endif /* FASTPATH_MAPS_H */
