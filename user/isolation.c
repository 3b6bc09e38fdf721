// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - sandbox: namespaces, identity, capabilities, seccomp
 *
 * Theory of operation: passt and pasta parse frames from an untrusted
 * guest for as long as they run, so once set up they should be able to do
 * as little as possible.  Every descriptor the main loop needs is opened
 * during setup (tap or qemu socket, listening and forwarding sockets, the
 * capture and log files, namespace descriptors, the namespace socket
 * factory); then, in this order:
 *
 * 1. isolation_prepare(), right after option parsing: resolve --runas (or
 *    nobody, when started as root in the initial user namespace) while the
 *    user database is still reachable, load the time zone for syslog, and
 *    note whether CAP_NET_BIND_SERVICE was granted to a non-root user.
 *
 * 2. isolation_prefork(), before forking to background: a non-root daemon
 *    changes identity now (--runas), then gets a user namespace where it
 *    holds the capabilities needed to detach: pasta joins the namespace of
 *    its target, passt (or pasta without one) creates its own, mapping its
 *    user to itself.  A passt going to background then unshares its PID
 *    namespace, which only its child, after fork(), will be in: the daemon
 *    is process 1 there and can't see or signal anything else.
 *
 * 3. isolation_sandbox(), right before the main loop: new mount, IPC and
 *    UTS namespaces; the root becomes an empty read-only tmpfs through
 *    pivot_root() (chroot() into it where pivot_root() fails, for example
 *    on an initramfs root), so no path resolves any more.  A daemon started
 *    as root switches to its user only now, having used its privileges to
 *    detach.  All capabilities go (bounding, ambient, permitted, effective),
 *    except CAP_NET_BIND_SERVICE when it was granted; no_new_privs is set;
 *    and a seccomp filter allows only the system calls listed by the
 *    annotations next to the runtime code (tools/gen-syscalls), killing the
 *    process on any other.
 *
 * The namespace socket factory (pasta/ns_sock.c) installs its own, smaller
 * filter with isolation_ns_sock().
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* gcc says so with a macro, clang through __has_feature() */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ISOLATION_SANITIZER	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(ISOLATION_SANITIZER)
#define ISOLATION_SANITIZER	1
#endif
#ifdef ISOLATION_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

#include "ctx.h"
#include "isolation.h"
#include "log.h"
#include "util.h"

#define ISOLATION_NOBODY	65534	/* if "nobody" is not in the database */
#define ISOLATION_EMPTY_DIR	"/tmp"	/* mount point for the empty root */
#define ISOLATION_DB_BUF	16384	/* for one user or group entry */

/* Build with -DISOLATION_SECCOMP_ACTION=SCMP_ACT_LOG to have the kernel log
 * calls missing from the lists (with strace -f, or in the kernel log as
 * audit type=1326 records) instead of killing us: see README
 */
/* valgrind 3.19 doesn't implement seccomp(2) (x86_64 system call 317):
 * without it, libseccomp refuses SCMP_ACT_KILL_PROCESS, and loads filters
 * through prctl().  Killing the thread kills our single-threaded process.
 */
#if defined(ISOLATION_VALGRIND) && !defined(ISOLATION_SECCOMP_ACTION)
#define ISOLATION_SECCOMP_ACTION	SCMP_ACT_KILL
#endif
#ifndef ISOLATION_SECCOMP_ACTION
#define ISOLATION_SECCOMP_ACTION	SCMP_ACT_KILL_PROCESS
#endif

/**
 * isolation_num() - Parse a decimal user or group ID
 * @s:		Text
 * @id:		Filled with the value on success
 *
 * Return: true if @s is a number below (uid_t)-1
 */
static bool isolation_num(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return !errno && !*end && *id < (unsigned long)(uid_t)-1;
}

/**
 * isolation_runas_parse() - Resolve UID[:GID] or LOGIN[:GROUP]
 * @runas:	--runas value, or "nobody" for the default
 * @uid:	Filled with the user ID
 * @gid:	Filled with the group ID: the one given, else the user's
 *		primary group, else the same number as the user ID
 *
 * Context: setup, reads the user and group databases
 * Return: 0 on success, -ENOENT for an unknown name, -EINVAL if malformed
 */
int isolation_runas_parse(const char *runas, uid_t *uid, gid_t *gid)
{
	char buf[64], db[ISOLATION_DB_BUF], *group;
	struct passwd pwbuf, *pw = NULL;
	unsigned long id;

	if (strlen(runas) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, runas, strlen(runas) + 1);
	group = strchr(buf, ':');
	if (group)
		*group++ = '\0';
	if (!*buf || (group && !*group))
		return -EINVAL;

	if (isolation_num(buf, &id)) {
		*uid = (uid_t)id;
		if (getpwuid_r(*uid, &pwbuf, db, sizeof(db), &pw))
			pw = NULL;
		*gid = pw ? pw->pw_gid : (gid_t)id;
	} else {
		if (getpwnam_r(buf, &pwbuf, db, sizeof(db), &pw) || !pw)
			return -ENOENT;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}

	if (!group)
		return 0;
	if (isolation_num(group, &id)) {
		*gid = (gid_t)id;
	} else {
		struct group grbuf, *gr = NULL;

		if (getgrnam_r(group, &grbuf, db, sizeof(db), &gr) || !gr)
			return -ENOENT;
		*gid = gr->gr_gid;
	}
	return 0;
}

/**
 * isolation_init_root() - Are we root in the initial user namespace
 *
 * The initial namespace maps every ID to itself: "0 0 4294967295".
 *
 * Context: setup
 * Return: true if the effective UID is 0 and the UID map is the identity
 */
static bool isolation_init_root(void)
{
	unsigned long long first, lower, count;
	bool ret = false;
	FILE *f;

	if (geteuid())
		return false;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return true;	/* no /proc: assume the worst, drop to nobody */
	if (fscanf(f, "%llu %llu %llu", &first, &lower, &count) == 3)
		ret = !first && !lower && count == 4294967295ULL;
	fclose(f);
	return ret;
}

/**
 * isolation_capget() - Read our effective and permitted capability sets
 * @eff:	Filled with the effective set, bit per capability
 * @prm:	Filled with the permitted set
 *
 * Return: 0 on success, -errno on failure
 */
static int isolation_capget(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 }, { 0 } };

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*eff = data[0].effective | (uint64_t)data[1].effective << 32;
	*prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	return 0;
}

/**
 * isolation_prepare() - Decide identity and capabilities, while files resolve
 * @c:		Execution context, options parsed
 *
 * Context: setup, first thing after option parsing
 */
void isolation_prepare(struct ctx *c)
{
	struct isolation_ctx *iso = &c->iso;
	uint64_t eff = 0, prm = 0;

	/* glibc's syslog() formats local time: read the zone file now */
	tzset();

	iso->init_root = isolation_init_root();
	iso->change_id = iso->init_root || *c->runas;
	if (*c->runas) {
		int rc = isolation_runas_parse(c->runas, &iso->uid, &iso->gid);

		if (rc) {
			errno = -rc;
			die_perror("--runas: can't resolve %s", c->runas);
		}
	} else if (isolation_runas_parse("nobody", &iso->uid, &iso->gid)) {
		iso->uid = ISOLATION_NOBODY;
		iso->gid = ISOLATION_NOBODY;
	}

	/* Granted to a non-root user (file or ambient capability): keep it */
	iso->keep_caps = 0;
	if (!iso->init_root && !isolation_capget(&eff, &prm) &&
	    (eff & (1ULL << CAP_NET_BIND_SERVICE)))
		iso->keep_caps = 1ULL << CAP_NET_BIND_SERVICE;
}

/**
 * isolation_set_ids() - Switch to the user and group decided at setup
 * @c:		Execution context
 *
 * Supplementary groups are dropped where we are allowed to: an
 * unprivileged user can't, and keeps its own.
 *
 * Context: setup, exits on failure
 */
static void isolation_set_ids(const struct ctx *c)
{
	const struct isolation_ctx *iso = &c->iso;

	if (setgroups(0, NULL) && errno != EPERM)
		die_perror("can't drop supplementary groups");
	if (setresgid(iso->gid, iso->gid, iso->gid))
		die_perror("--runas: can't switch to group %u", iso->gid);
	if (setresuid(iso->uid, iso->uid, iso->uid))
		die_perror("--runas: can't switch to user %u", iso->uid);
}

/**
 * isolation_userns_self() - Create a user namespace mapping us to ourselves
 *
 * Creating the namespace gives us every capability within it, so we can
 * then detach mount, IPC, UTS and PID namespaces owned by it.
 *
 * Context: setup
 * Return: 0 on success, -errno on failure
 */
static int isolation_userns_self(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int rc;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	rc = write_file("/proc/self/setgroups", "deny");
	if (rc && rc != -ENOENT)
		return rc;
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	rc = write_file("/proc/self/uid_map", map);
	if (rc)
		return rc;
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	return write_file("/proc/self/gid_map", map);
}

/**
 * isolation_userns_allowed() - May we create a user namespace for ourselves
 * @c:		Execution context
 *
 * pasta doesn't with --netns-only, which --netns implies without --userns
 * (see the man page).
 *
 * Return: true unless pasta was told to keep to the network namespace
 */
static bool isolation_userns_allowed(const struct ctx *c)
{
	if (c->mode != MODE_PASTA)
		return true;
	return !c->pasta.netns_only && (!*c->pasta.netns || *c->pasta.userns);
}

/**
 * isolation_prefork() - Change identity, get a user namespace, detach PIDs
 * @c:		Execution context, setup done except forking to background
 *
 * Context: setup, before forking to background
 */
void isolation_prefork(struct ctx *c)
{
	uint64_t eff = 0, prm = 0;

	if (!c->iso.init_root) {
		if (c->iso.change_id)
			isolation_set_ids(c);

		if (c->mode == MODE_PASTA && c->pasta_st.userns_fd >= 0) {
			/* Owned by us, or we couldn't have set it up */
			if (setns(c->pasta_st.userns_fd, CLONE_NEWUSER))
				warn_perror("sandbox: can't join the target "
					    "user namespace");
		} else if (isolation_userns_allowed(c) &&
			   (isolation_capget(&eff, &prm) ||
			    !(eff & (1ULL << CAP_SYS_ADMIN)))) {
			int rc = isolation_userns_self();

			if (rc) {
				errno = -rc;
				warn_perror("sandbox: can't create a user "
					    "namespace");
			}
		}
	}

	if (c->mode == MODE_PASST && !c->foreground &&
	    unshare(CLONE_NEWPID))
		warn_perror("sandbox: can't detach the PID namespace");
}

/**
 * isolation_exit_handler() - Exit on SIGTERM and SIGQUIT as process 1
 * @sig:	Signal number, unused
 *
 * As process 1 of its PID namespace, the daemon would ignore these unless
 * it handles them.  The main loop normally takes them from its signalfd,
 * as they stay blocked: this is for any window where they are not.
 */
static void isolation_exit_handler(int sig)
{
	(void)sig;
	_exit(EXIT_SUCCESS);
}

/**
 * isolation_pivot() - Make an empty read-only tmpfs our root directory
 *
 * Context: setup, in a new mount namespace
 * Return: 0 with pivot_root(), 1 with the chroot() fallback, -errno if the
 *	   filesystem stays visible
 */
static int isolation_pivot(void)
{
	int rc;

	/* Nothing we do here may propagate back to the parent namespace */
	if (mount("", "/", "", MS_REC | MS_PRIVATE, NULL))
		return -errno;
	if (mount("", ISOLATION_EMPTY_DIR, "tmpfs",
		  MS_NODEV | MS_NOEXEC | MS_NOSUID | MS_RDONLY,
		  "nr_inodes=2"))
		return -errno;
	if (chdir(ISOLATION_EMPTY_DIR))
		return -errno;

	/* Stack the old root under the new one, then detach it */
	if (!syscall(SYS_pivot_root, ".", ".")) {
		if (umount2(".", MNT_DETACH))
			return -errno;
		if (chdir("/"))
			return -errno;
		return 0;
	}

	/* The initial ramfs can't be pivoted away from (pivot_root(2)) */
	rc = errno;
	if (chroot(".") || chdir("/"))
		return -errno;
	warn("sandbox: pivot_root failed (%s), using chroot: the old root "
	     "stays mounted in our namespace", strerror_(rc));
	return 1;
}

/**
 * isolation_caps_bound() - Drop capabilities from bounding and ambient sets
 * @keep:	Capabilities to keep, bit per capability
 *
 * Dropping from the bounding set needs CAP_SETPCAP: a process without it
 * can't regain anything through execve() anyway, and no_new_privs follows.
 * Unknown capabilities (EINVAL) end the loop's work early.
 *
 * Context: setup, exits on failure
 */
static void isolation_caps_bound(uint64_t keep)
{
	int i;

	for (i = 0; i < 64; i++) {
		if (keep & (1ULL << i))
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) && errno != EINVAL &&
		    errno != EPERM)
			die_perror("can't drop capability %i from bounding set",
				   i);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		die_perror("can't clear ambient capabilities");
}

/**
 * isolation_caps_set() - Keep only the given effective, permitted capabilities
 * @keep:	Capabilities to keep, bit per capability, if we have them
 *
 * Context: setup, exits on failure
 */
static void isolation_caps_set(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t eff = 0, prm = 0;

	if (isolation_capget(&eff, &prm))
		die_perror("capget");
	keep &= prm;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data))
		die_perror("can't drop capabilities");
}

/**
 * isolation_seccomp() - Install a filter allowing only the listed calls
 * @lists:	NULL-terminated array of NULL-terminated name lists
 * @bpf_map_ops: Also allow bpf(), for map lookups, updates and deletions
 *
 * The filter kills the whole process on any other system call.  A name
 * libseccomp doesn't know for this architecture is skipped with a warning.
 * A "bpf" entry in a list is allowed only for the map operations, too.
 *
 * Context: setup, no_new_privs set (or CAP_SYS_ADMIN held)
 * Return: 0 on success, -errno on failure
 */
int isolation_seccomp(const char *const *const *lists, bool bpf_map_ops)
{
	static const int bpf_ops[] = {
		BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM
	};
	scmp_filter_ctx f = seccomp_init(ISOLATION_SECCOMP_ACTION);
	const char *const *const *l;
	const char *const *name;
	size_t i;
	int rc;

	if (!f)
		return -ENOMEM;

	for (l = lists; *l; l++) {
		for (name = *l; *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);

			if (nr == __NR_SCMP_ERROR) {
				warn("seccomp: unknown system call %s", *name);
				continue;
			}
			if (nr == SCMP_SYS(bpf)) {
				bpf_map_ops = true;
				continue;
			}
			rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
			if (rc && rc != -EEXIST)
				goto out;
		}
	}

	for (i = 0; bpf_map_ops && i < ARRAY_SIZE(bpf_ops); i++) {
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)bpf_ops[i]));
		if (rc)
			goto out;
	}

	rc = seccomp_load(f);
out:
	seccomp_release(f);
	return rc;
}

/**
 * isolation_print() - Log the allowed system calls (--debug)
 * @lists:	NULL-terminated array of NULL-terminated name lists
 * @bpf:	bpf() allowed for map operations
 */
static void isolation_print(const char *const *const *lists, bool bpf)
{
	const char *const *const *l;
	const char *const *name;
	char line[160];
	size_t used = 0;
	int n = 0;

	for (l = lists; *l; l++)
		for (name = *l; *name; name++)
			n++;
	debug("seccomp: %i system calls allowed%s, any other kills us:", n,
	      bpf ? " (bpf() for map operations only)" : "");

	for (l = lists; *l; l++) {
		for (name = *l; *name; name++) {
			size_t len = strlen(*name) + 1;

			if (used && used + len >= sizeof(line)) {
				debug("seccomp:  %s", line);
				used = 0;
			}
			snprintf(line + used, sizeof(line) - used, " %s",
				 *name);
			used = MIN(used + len, sizeof(line) - 1);
		}
	}
	if (used)
		debug("seccomp:  %s", line);
}

/**
 * isolation_sandbox() - Detach, drop privileges, install the seccomp filter
 * @c:		Execution context, setup complete, in background if asked
 * @fastpath:	The eBPF fast path is live: allow its map operations
 *
 * In ASan and UBSan builds, the runtime gets what it needs to print a
 * report (measured with a seccomp logging filter): its attempts to read
 * /proc fail quietly in the empty root.  The valgrind build (make valgrind,
 * ISOLATION_VALGRIND) allows what valgrind's core calls for itself around
 * the program's system calls, as measured with strace (see README): only
 * that build, never the one installed.
 *
 * Context: setup, the last step before the main loop; exits on failure
 *
 * #syscalls:sanitizer sigaltstack read open openat readlink close mmap munmap
 * #syscalls:valgrind gettid rt_sigprocmask rt_sigtimedwait rt_sigreturn
 * #syscalls:valgrind mmap munmap futex
 */
void isolation_sandbox(struct ctx *c, bool fastpath)
{
	const char *const *lists[5] = { NULL, NULL, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = isolation_exit_handler };
	int rc, n;

#ifdef ISOLATION_SANITIZER
	/* LeakSanitizer's check at exit needs /proc and ptrace(): do it now,
	 * which also turns that one off
	 */
	__lsan_do_leak_check();
#endif

	if (getpid() == 1 &&
	    (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGQUIT, &sa, NULL)))
		die_perror("sandbox: can't handle SIGTERM and SIGQUIT");

	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS)) {
		warn_perror("sandbox: can't detach mount, IPC and UTS "
			    "namespaces, the filesystem stays visible");
	} else {
		rc = isolation_pivot();
		if (rc < 0) {
			errno = -rc;
			warn_perror("sandbox: can't hide the filesystem");
		}
		c->iso.detached = rc >= 0;
	}

	/* Root needs CAP_SETPCAP, then CAP_SETUID and CAP_SETGID, in turn */
	isolation_caps_bound(c->iso.keep_caps);
	if (c->iso.init_root)
		isolation_set_ids(c);
	isolation_caps_set(c->iso.keep_caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die_perror("can't set no_new_privs");

	n = 0;
	lists[n++] = c->mode == MODE_PASTA ? isolation_syscalls_pasta :
					     isolation_syscalls_passt;
	if (fastpath)
		lists[n++] = isolation_syscalls_bpf;
#ifdef ISOLATION_SANITIZER
	lists[n++] = isolation_syscalls_sanitizer;
#endif
#ifdef ISOLATION_VALGRIND
	lists[n++] = isolation_syscalls_valgrind;
#endif
	isolation_print(lists, fastpath);
	rc = isolation_seccomp(lists, fastpath);
	if (rc) {
		errno = -rc;
		die_perror("can't install the seccomp filter");
	}
}

/**
 * isolation_ns_sock() - Filter for the namespace socket factory process
 *
 * Context: the factory, after joining the namespaces; exits on failure
 */
void isolation_ns_sock(void)
{
	const char *const *lists[3] = { isolation_syscalls_ns_sock, NULL, NULL };

#ifdef ISOLATION_SANITIZER
	lists[1] = isolation_syscalls_sanitizer;
#endif

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    isolation_seccomp(lists, false))
		_exit(EXIT_FAILURE);
}
