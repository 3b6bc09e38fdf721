// SPDX-License-Identifier: GPL-2.0-or-later
/* fastpath.c - load the sockmap fast path, and put sockets in its maps
 *
 * Theory of operation: at setup, before any sandboxing, we open and load
 * the embedded skeleton (build/fp_sockmap.skel.h) and attach its verdict
 * to the fp_active sockhash.  Cheap libbpf probes run first so that the
 * common refusal (EPERM: no CAP_BPF and CAP_NET_ADMIN in the initial user
 * namespace) is reported without verifier noise; loading the real object
 * is the proof.  On failure the daemon logs once why and keeps its
 * userspace paths, or exits with --bpf.
 *
 * Afterwards only map element calls are made, on descriptors kept here:
 * they need no capability, so they keep working in the sandbox.  Nothing is
 * pinned: maps and program go away with the process.
 */

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "ctx.h"
#include "fastpath.h"
#include "fastpath_maps.h"
#include "log.h"
#include "probe.h"
#include "util.h"

#include "fp_sockmap.skel.h"

/**
 * struct fastpath - the loaded object and the descriptors we keep using
 * @skel:	Loaded skeleton
 * @targets:	fp_targets: cookie to peer socket, redirect targets
 * @active:	fp_active: cookie to socket, with the verdict attached
 * @stats:	fp_stats: per-socket byte counts written by the program
 * @ctl:	fp_ctl: per-socket flow control written by us
 * @counters:	fp_counters: per-CPU verdict counters
 * @udp_targets: fp_udp_targets: same as @targets, for UDP
 * @udp_active:	fp_udp_active: same as @active, for UDP
 * @ncpus:	Possible CPUs, values per fp_counters entry
 */
struct fastpath {
	struct fp_sockmap *skel;
	int targets;
	int active;
	int stats;
	int ctl;
	int counters;
	int udp_targets;
	int udp_active;
	int ncpus;
};

/**
 * fastpath_libbpf_print() - Send libbpf's messages to our debug log
 * @level:	libbpf's level, unused: all of it is debug for us
 * @fmt:	Format
 * @ap:		Arguments
 *
 * Return: 0
 */
static int fastpath_libbpf_print(enum libbpf_print_level level,
				 const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)level;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	debug("%s", buf);
	return 0;
}

/**
 * fastpath_why() - What a load error means for the user
 * @rc:		Negative errno from fastpath_open()
 *
 * Return: constant explanation
 */
const char *fastpath_why(int rc)
{
	switch (-rc) {
	case EPERM:
	case EACCES:
		return "needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN) in "
		       "the initial user namespace";
	case ENOSYS:
		return "bpf() is not available here (kernel configuration or "
		       "a seccomp profile)";
	case EINVAL:
	case EOPNOTSUPP:
		return "this kernel lacks sockhash maps or sk_skb programs";
	case ENOMEM:
		return "not enough locked memory for the maps";
	default:
		return "unexpected error";
	}
}

/**
 * fastpath_close() - Unload the fast path and free its state
 * @fp:		State from fastpath_open(), may be NULL
 */
void fastpath_close(struct fastpath *fp)
{
	if (!fp)
		return;
	fp_sockmap__destroy(fp->skel);
	free(fp);
}

/**
 * fastpath_open() - Probe, load and attach the fast path
 * @fp:		Set to the new state on success
 * @verbose:	Send libbpf's messages to the debug log, else drop them
 *
 * Context: setup, before sandboxing
 *
 * Return: 0 on success, -errno if this kernel or user can't run it
 */
int fastpath_open(struct fastpath **fp, bool verbose)
{
	libbpf_print_fn_t old;
	struct fastpath *f;
	int rc;

	/* Cheap, and it reports the real errno (EPERM), unlike the libbpf
	 * program probes: the load below is the proof
	 */
	rc = bpf_probe_map_sockhash();
	if (rc)
		return rc;

	old = libbpf_set_print(verbose ? fastpath_libbpf_print : NULL);

	f = calloc(1, sizeof(*f));
	if (!f) {
		rc = -ENOMEM;
		goto out;
	}
	f->ncpus = libbpf_num_possible_cpus();
	if (f->ncpus <= 0) {
		rc = f->ncpus ? f->ncpus : -EINVAL;
		goto err_free;
	}

	f->skel = fp_sockmap__open();
	if (!f->skel) {
		rc = -errno;
		goto err_free;
	}
	rc = fp_sockmap__load(f->skel);
	if (rc)
		goto err_destroy;

	f->targets = bpf_map__fd(f->skel->maps.fp_targets);
	f->active = bpf_map__fd(f->skel->maps.fp_active);
	f->stats = bpf_map__fd(f->skel->maps.fp_stats);
	f->ctl = bpf_map__fd(f->skel->maps.fp_ctl);
	f->counters = bpf_map__fd(f->skel->maps.fp_counters);
	f->udp_targets = bpf_map__fd(f->skel->maps.fp_udp_targets);
	f->udp_active = bpf_map__fd(f->skel->maps.fp_udp_active);

	rc = bpf_prog_attach(bpf_program__fd(f->skel->progs.fp_verdict),
			     f->active, BPF_SK_SKB_STREAM_VERDICT, 0);
	if (!rc)
		rc = bpf_prog_attach(bpf_program__fd(f->skel->progs.fp_udp_verdict),
				     f->udp_active, BPF_SK_SKB_VERDICT, 0);
	if (rc) {
		rc = -errno;
		goto err_destroy;
	}

	*fp = f;
	goto out;

err_destroy:
	fp_sockmap__destroy(f->skel);
err_free:
	free(f);
out:
	libbpf_set_print(old);
	return rc;
}

/**
 * fastpath_init() - Decide whether the fast path runs: --bpf, --no-bpf, auto
 * @c:		Execution context
 *
 * Context: setup, before sandboxing; exits with --bpf if it can't load
 */
void fastpath_init(struct ctx *c)
{
	int rc;

	c->fp = NULL;
	if (c->no_bpf || c->mode != MODE_PASTA)
		return;

	rc = fastpath_open(&c->fp, true);
	if (!rc) {
		info("eBPF fast path loaded: local TCP pairs move in the "
		     "kernel");
		return;
	}
	if (c->bpf)
		die("--bpf: can't load the eBPF fast path: %s: %s",
		    strerror_(-rc), fastpath_why(rc));
	info("eBPF fast path off, using splice: %s: %s", strerror_(-rc),
	     fastpath_why(rc));
}

/**
 * fastpath_exit() - Log the counters (with --debug) and unload
 * @c:		Execution context
 */
void fastpath_exit(struct ctx *c)
{
	struct fastpath_counters n = { 0 };

	if (!c->fp)
		return;
	if (!fastpath_counters(c, &n))
		debug("eBPF fast path: %llu skbs (%llu bytes) redirected, "
		      "%llu (%llu bytes) passed for flow control, %llu empty "
		      "dropped, %llu without peer, %llu without state",
		      (unsigned long long)n.redirected,
		      (unsigned long long)n.redirected_bytes,
		      (unsigned long long)n.passed,
		      (unsigned long long)n.passed_bytes,
		      (unsigned long long)n.empty,
		      (unsigned long long)n.no_target,
		      (unsigned long long)n.no_state);
	fastpath_close(c->fp);
	c->fp = NULL;
}

/**
 * fastpath_active() - Is the fast path loaded
 * @c:		Execution context
 *
 * Return: true if sockets can be offered to it
 */
bool fastpath_active(const struct ctx *c)
{
	return c->fp != NULL;
}

/**
 * fastpath_counters() - Read the verdict counters, summed over CPUs
 * @c:		Execution context
 * @cnt:	Filled on success
 *
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off, -errno on failure
 */
int fastpath_counters(const struct ctx *c, struct fastpath_counters *cnt)
{
	uint64_t sum[FP_CNT_NUM] = { 0 };
	uint64_t v[256] = { 0 };
	__u32 i;
	int j;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (c->fp->ncpus > (int)ARRAY_SIZE(v))
		return -ERANGE;
	for (i = 0; i < FP_CNT_NUM; i++) {
		if (bpf_map_lookup_elem(c->fp->counters, &i, v))
			return -errno;
		for (j = 0; j < c->fp->ncpus; j++)
			sum[i] += v[j];
	}
	cnt->redirected		= sum[FP_CNT_REDIRECTED];
	cnt->redirected_bytes	= sum[FP_CNT_REDIR_BYTES];
	cnt->empty		= sum[FP_CNT_EMPTY];
	cnt->passed		= sum[FP_CNT_PASSED];
	cnt->passed_bytes	= sum[FP_CNT_PASS_BYTES];
	cnt->no_target		= sum[FP_CNT_NO_TARGET];
	cnt->no_state		= sum[FP_CNT_NO_STATE];
	return 0;
}

/**
 * fastpath_sock_prepare() - Get a socket's cookie and create its state
 * @c:		Execution context
 * @fd:		Connected TCP socket
 * @cookie:	Set to its socket cookie
 *
 * Redirect everything (no limit) until fastpath_sock_ctl() says otherwise.
 *
 * #syscalls getsockopt
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off, -errno on failure
 */
int fastpath_sock_prepare(const struct ctx *c, int fd, uint64_t *cookie)
{
	struct fp_sock_stats st = { 0 };
	struct fp_sock_ctl ctl = { .limit = FP_LIMIT_NONE };
	socklen_t sl = sizeof(*cookie);
	__u64 key;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &sl))
		return -errno;
	key = *cookie;
	if (bpf_map_update_elem(c->fp->stats, &key, &st, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(c->fp->ctl, &key, &ctl, BPF_ANY)) {
		int rc = -errno;

		bpf_map_delete_elem(c->fp->stats, &key);
		return rc;
	}
	return 0;
}

/**
 * fastpath_sock_target() - Make @peer the redirect target of a socket
 * @c:		Execution context
 * @cookie:	Cookie of the source socket
 * @peer:	Socket its data goes to, ESTABLISHED
 *
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off or @peer not ESTABLISHED,
 *	   -errno on other failures
 */
int fastpath_sock_target(const struct ctx *c, uint64_t cookie, int peer)
{
	__u64 key = cookie, val = (__u64)peer;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (bpf_map_update_elem(c->fp->targets, &key, &val, BPF_ANY))
		return -errno;
	return 0;
}

/**
 * fastpath_sock_activate() - Run the verdict on a socket's received data
 * @c:		Execution context
 * @cookie:	Its cookie, target set with fastpath_sock_target() first
 * @fd:		The socket, ESTABLISHED
 *
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off or @fd not ESTABLISHED,
 *	   -errno on other failures
 */
int fastpath_sock_activate(const struct ctx *c, uint64_t cookie, int fd)
{
	__u64 key = cookie, val = (__u64)fd;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (bpf_map_update_elem(c->fp->active, &key, &val, BPF_ANY))
		return -errno;
	return 0;
}

/**
 * fastpath_sock_forget() - Take a socket out of every map
 * @c:		Execution context
 * @cookie:	Its cookie
 *
 * Only safe once nothing is in flight towards or from this socket: see
 * tcp_fastpath.c.  Missing entries are fine.
 *
 * #syscalls:bpf bpf
 */
void fastpath_sock_forget(const struct ctx *c, uint64_t cookie)
{
	__u64 key = cookie;

	if (!c->fp)
		return;
	bpf_map_delete_elem(c->fp->active, &key);
	bpf_map_delete_elem(c->fp->targets, &key);
	bpf_map_delete_elem(c->fp->ctl, &key);
	bpf_map_delete_elem(c->fp->stats, &key);
}

/**
 * fastpath_sock_stats() - Bytes the program redirected and passed so far
 * @c:		Execution context
 * @cookie:	Socket cookie
 * @redirected:	Set to bytes redirected to the peer
 * @passed:	Set to bytes left in the socket's own queue
 *
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off, -errno on failure
 */
int fastpath_sock_stats(const struct ctx *c, uint64_t cookie,
			uint64_t *redirected, uint64_t *passed)
{
	struct fp_sock_stats st;
	__u64 key = cookie;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (bpf_map_lookup_elem(c->fp->stats, &key, &st))
		return -errno;
	*redirected = st.redirected;
	*passed = st.passed;
	return 0;
}

/**
 * fastpath_sock_ctl() - Set a socket's flow-control state
 * @c:		Execution context
 * @cookie:	Socket cookie
 * @limit:	Redirect while the redirected count stays at or below this
 * @consumed:	Passed bytes we have read and written to the peer
 *
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off, -errno on failure
 */
int fastpath_sock_ctl(const struct ctx *c, uint64_t cookie, uint64_t limit,
		      uint64_t consumed)
{
	struct fp_sock_ctl ctl = { .limit = limit, .consumed = consumed };
	__u64 key = cookie;

	if (!c->fp)
		return -EOPNOTSUPP;
	if (bpf_map_update_elem(c->fp->ctl, &key, &ctl, BPF_EXIST))
		return -errno;
	return 0;
}

/**
 * fastpath_udp_pair_add() - Let the kernel forward datagrams between two
 *			     connected UDP sockets, both ways
 * @c:		Execution context
 * @fd:		Connected UDP sockets (sockmap takes only connected ones)
 * @cookie:	Set to their socket cookies, for fastpath_udp_pair_remove()
 *
 * Targets go in before either socket is active: a datagram redirected to
 * a missing target would be lost.  Not bounded yet: see man/passt.1.
 *
 * #syscalls getsockopt
 * #syscalls:bpf bpf
 *
 * Return: 0 on success, -EOPNOTSUPP if off, -errno on failure (nothing
 *	   left in the maps)
 */
int fastpath_udp_pair_add(const struct ctx *c, const int fd[2],
			  uint64_t cookie[2])
{
	socklen_t sl = sizeof(cookie[0]);
	__u64 key, val;
	int i, rc = 0;

	if (!c->fp)
		return -EOPNOTSUPP;
	for (i = 0; i < 2; i++) {
		if (getsockopt(fd[i], SOL_SOCKET, SO_COOKIE, &cookie[i], &sl))
			return -errno;
	}
	for (i = 0; i < 2 && !rc; i++) {
		key = cookie[i];
		val = (__u64)fd[!i];
		if (bpf_map_update_elem(c->fp->udp_targets, &key, &val,
					BPF_ANY))
			rc = -errno;
	}
	for (i = 0; i < 2 && !rc; i++) {
		key = cookie[i];
		val = (__u64)fd[i];
		if (bpf_map_update_elem(c->fp->udp_active, &key, &val,
					BPF_ANY))
			rc = -errno;
	}
	if (rc)
		fastpath_udp_pair_remove(c, cookie);
	return rc;
}

/**
 * fastpath_udp_pair_remove() - Stop forwarding between two UDP sockets
 * @c:		Execution context
 * @cookie:	Their cookies, from fastpath_udp_pair_add()
 *
 * Datagrams still queued for sending through the removed sockets are
 * dropped, as a full socket buffer would.
 *
 * #syscalls:bpf bpf
 */
void fastpath_udp_pair_remove(const struct ctx *c, const uint64_t cookie[2])
{
	__u64 key;
	int i;

	if (!c->fp)
		return;
	for (i = 0; i < 2; i++) {
		key = cookie[i];
		bpf_map_delete_elem(c->fp->udp_active, &key);
	}
	for (i = 0; i < 2; i++) {
		key = cookie[i];
		bpf_map_delete_elem(c->fp->udp_targets, &key);
	}
}
