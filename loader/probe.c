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

/**
 * bpf_probe_ret() - Turn libbpf's probe result into 0 or -errno
 * @rc:		1 supported, 0 not supported, negative error
 *
 * Return: 0 if supported, -EOPNOTSUPP if not, -errno on error
 */
static int bpf_probe_ret(int rc)
{
	if (rc == 1)
		return 0;
	return rc == 0 ? -EOPNOTSUPP : rc;
}

/**
 * bpf_probe_prog_sk_skb() - Can sk_skb programs be loaded
 *
 * Return: 0 if so, -errno otherwise
 */
int bpf_probe_prog_sk_skb(void)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL);	/* quiet */
	int rc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SK_SKB, NULL);

	libbpf_set_print(old);
	return bpf_probe_ret(rc);
}

/**
 * bpf_probe_prog_sk_msg() - Can sk_msg programs be loaded
 *
 * Return: 0 if so, -errno otherwise
 */
int bpf_probe_prog_sk_msg(void)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL);
	int rc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SK_MSG, NULL);

	libbpf_set_print(old);
	return bpf_probe_ret(rc);
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
