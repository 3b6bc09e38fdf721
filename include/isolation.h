/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - sandbox: namespaces, identity, capabilities, seccomp */
#ifndef ISOLATION_H
#define ISOLATION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ctx;

/**
 * struct isolation_ctx - sandbox decisions taken at setup (isolation.c)
 * @uid:	User to switch to: --runas, or nobody when started as root
 * @gid:	Group to switch to
 * @change_id:	Switch to @uid and @gid (--runas given, or started as root
 *		in the initial user namespace)
 * @init_root:	Started as root in the initial user namespace
 * @keep_caps:	Capabilities kept after setup, bit per capability
 * @detached:	Mount, IPC and UTS namespaces detached, root filesystem gone
 */
struct isolation_ctx {
	uid_t uid;
	gid_t gid;
	bool change_id;
	bool init_root;
	uint64_t keep_caps;
	bool detached;
};

/* Generated from the annotations by tools/gen-syscalls, NULL terminated */
extern const char *const isolation_syscalls_passt[];
extern const char *const isolation_syscalls_pasta[];
extern const char *const isolation_syscalls_bpf[];
extern const char *const isolation_syscalls_ns_sock[];
extern const char *const isolation_syscalls_sanitizer[];
extern const char *const isolation_syscalls_valgrind[];

int isolation_runas_parse(const char *runas, uid_t *uid, gid_t *gid);
void isolation_prepare(struct ctx *c);
void isolation_prefork(struct ctx *c);
void isolation_sandbox(struct ctx *c, bool fastpath);
int isolation_seccomp(const char *const *const *lists, bool bpf_map_ops);
void isolation_ns_sock(void);

#endif /* ISOLATION_H */
