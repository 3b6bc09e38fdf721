// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.c - can this kernel, for this user, load what the fast path needs
 *
 * Cheap checks through libbpf's feature probes, which load a minimal
 * program or create a minimal map of the given type: the verifier and the
 * privilege checks (CAP_BPF, CAP_NET_ADMIN, kernel.unprivileged_bpf_disabled)
 * answer for real.  Loading the fast-path skeleton itself is the final
 * proof: bpf_probe_fastpath() runs the daemon's own loader for that.
 */

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <unistd.h>

#include "fastpath.h"
#include "probe.h"
#include "util.h"

/**
 * bpf_probe_prog() - Load the smallest program of a type ("return 0")
 * @type:	Program type
 *
 * Loaded directly rather than through libbpf_probe_bpf_prog_type(), which
 * reports every failure as "not supported": the errno (EPERM without
 * CAP_BPF and CAP_NET_ADMIN) is the reason users need, and it is the one
 * the daemon logs when its own load fails.
 *
 * Return: 0 if it loads, -errno otherwise
 */
static int bpf_probe_prog(enum bpf_prog_type type)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	libbpf_print_fn_t old = libbpf_set_print(NULL);	/* quiet */
	int fd, rc = 0;

	fd = bpf_prog_load(type, NULL, "GPL", insns, ARRAY_SIZE(insns), NULL);
	if (fd < 0)
		rc = -errno;
	else
		close(fd);
	libbpf_set_print(old);
	return rc;
}

/**
 * bpf_probe_prog_sk_skb() - Can sk_skb programs be loaded
 *
 * Return: 0 if so, -errno otherwise
 */
int bpf_probe_prog_sk_skb(void)
{
	return bpf_probe_prog(BPF_PROG_TYPE_SK_SKB);
}

/**
 * bpf_probe_prog_sk_msg() - Can sk_msg programs be loaded
 *
 * Return: 0 if so, -errno otherwise
 */
int bpf_probe_prog_sk_msg(void)
{
	return bpf_probe_prog(BPF_PROG_TYPE_SK_MSG);
}

/**
 * bpf_probe_map_sockhash() - Can sockhash maps be created
 *
 * Created directly rather than through libbpf_probe_bpf_map_type(), which
 * reports any failure as "not supported": EPERM (missing CAP_BPF and
 * CAP_NET_ADMIN) is the answer users need.
 *
 * Return: 0 if so, -errno otherwise
 */
int bpf_probe_map_sockhash(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_SOCKHASH, NULL, sizeof(__u64),
				sizeof(__u64), 1, NULL);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/**
 * bpf_probe_fastpath() - Load and attach the real fast-path object, then
 *			  unload it: the daemon's own loader (fastpath.c)
 *
 * Return: 0 if it loads, -errno otherwise
 */
int bpf_probe_fastpath(void)
{
	struct fastpath *fp = NULL;
	int rc = fastpath_open(&fp, false);

	fastpath_close(fp);
	return rc;
}
