// SPDX-License-Identifier: GPL-2.0-or-later
/* fp_sockmap.bpf.c - sk_skb verdict: move a TCP socket's data to its peer
 *
 * Theory of operation: userspace puts both sockets of a connected pair in
 * two sockhash maps keyed by socket cookie (SO_COOKIE, unambiguous even
 * when both ends use 127.0.0.1 in different namespaces):
 *
 * - fp_targets[cookie(X)] = peer of X: no program, only a redirect target
 * - fp_active[cookie(X)]  = X: the verdict below runs on X's received data
 *
 * The verdict redirects each skb to the egress of X's peer, so the kernel
 * sends it on without waking the daemon.  It keeps per-socket byte counts
 * (fp_stats) that the daemon needs to know when the peer's backlog has
 * drained, and per-CPU counters (fp_counters) that prove which path carried
 * the traffic.  Flow control (fp_ctl): once a socket's redirected bytes
 * would pass the limit the daemon set, skbs are passed to the socket's own
 * queue instead, where they are charged to its receive buffer so its window
 * closes; the daemon moves them and raises the limit.
 */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "fastpath_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, FP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} fp_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, FP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} fp_active SEC(".maps");

/* UDP pairs: the same two roles, in maps of their own, as a map takes
 * either a stream verdict or an skb verdict
 */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, FP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} fp_udp_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, FP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} fp_udp_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, struct fp_sock_stats);
} fp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_SOCKS_MAX);
	/* Replaced by userspace while the verdict may hold the old element:
	 * without preallocation it is freed only after an RCU grace period
	 */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct fp_sock_ctl);
} fp_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_CNT_NUM);
	__type(key, __u32);
	__type(value, __u64);
} fp_counters SEC(".maps");

/**
 * fp_count() - Add to a per-CPU counter
 * @idx:	enum fp_counter
 * @n:		Amount
 *
 * Inlined: a plain add is enough as the value is per-CPU, and the lookup
 * result must be checked for NULL to satisfy the verifier.
 */
static __always_inline void fp_count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&fp_counters, &idx);

	if (v)
		*v += n;
}

/**
 * fp_pass() - Leave an skb to the source socket's own queue, and count it
 * @st:		Per-socket counts of the source socket
 * @len:	Bytes in the skb
 *
 * Return: SK_PASS
 */
static __always_inline int fp_pass(struct fp_sock_stats *st, __u32 len)
{
	__sync_fetch_and_add(&st->passed, len);
	fp_count(FP_CNT_PASSED, 1);
	fp_count(FP_CNT_PASS_BYTES, len);
	return SK_PASS;
}

/**
 * fp_verdict() - Redirect received data to the peer socket's egress
 * @skb:	Data received on a socket in fp_active
 *
 * Zero-length skbs (a bare FIN handed over by tcp_read_skb()) are dropped:
 * redirected, skb_send_sock() would send 0 bytes, which the psock backlog
 * takes as an error, and the peer would get EPIPE.  Nothing is ever dropped
 * for a missing peer or state: the data then stays in the source socket,
 * where the daemon can still read it.
 *
 * Return: SK_PASS or SK_DROP (the kernel acts on a redirect set up here)
 */
SEC("sk_skb/stream_verdict")
int fp_verdict(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct fp_sock_stats *st;
	struct fp_sock_ctl *ctl;
	__u32 len = skb->len;

	if (!len) {
		fp_count(FP_CNT_EMPTY, 1);
		return SK_DROP;
	}

	st = bpf_map_lookup_elem(&fp_stats, &cookie);
	ctl = bpf_map_lookup_elem(&fp_ctl, &cookie);
	if (!st || !ctl) {
		fp_count(FP_CNT_NO_STATE, 1);
		return SK_PASS;
	}

	/* Only this program writes st, and it runs under the socket lock */
	if (st->passed != ctl->consumed || st->redirected + len > ctl->limit)
		return fp_pass(st, len);

	if (bpf_sk_redirect_hash(skb, &fp_targets, &cookie, 0) != SK_PASS) {
		fp_count(FP_CNT_NO_TARGET, 1);
		return fp_pass(st, len);
	}

	__sync_fetch_and_add(&st->redirected, len);
	fp_count(FP_CNT_REDIRECTED, 1);
	fp_count(FP_CNT_REDIR_BYTES, len);
	return SK_PASS;
}

/**
 * fp_udp_verdict() - Redirect a datagram to the peer socket's egress
 * @skb:	Datagram received on a connected UDP socket in fp_udp_active
 *
 * The egress path sends the linear part and each page fragment with
 * separate sendmsg() calls, so a non-linear datagram (seen above about
 * 32 KiB) would arrive split: linearise it first.  Data is kept (SK_PASS)
 * if that fails or the peer is missing.
 *
 * Return: SK_PASS or SK_DROP (the kernel acts on a redirect set up here)
 */
SEC("sk_skb")	/* libbpf 1.1 has no "sk_skb/verdict" */
int fp_udp_verdict(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	__u32 len = skb->len;

	if (!len) {
		fp_count(FP_CNT_EMPTY, 1);
		return SK_DROP;
	}
	if (skb->data_end - skb->data < len &&
	    bpf_skb_pull_data(skb, len)) {
		fp_count(FP_CNT_PASSED, 1);
		fp_count(FP_CNT_PASS_BYTES, len);
		return SK_PASS;
	}
	if (bpf_sk_redirect_hash(skb, &fp_udp_targets, &cookie, 0) !=
	    SK_PASS) {
		fp_count(FP_CNT_NO_TARGET, 1);
		return SK_PASS;
	}
	fp_count(FP_CNT_REDIRECTED, 1);
	fp_count(FP_CNT_REDIR_BYTES, len);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
