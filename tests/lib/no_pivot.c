// SPDX-License-Identifier: GPL-2.0-or-later
/* no_pivot.c - test helper: run a command where pivot_root() fails
 *
 * Installs a seccomp filter that makes pivot_root(2) fail with EPERM, and
 * allows every other system call, then executes the command.  The filter is
 * inherited by the command and its children, and stacks under any filter
 * they install: the kernel applies the strictest answer.  This is how the
 * tests reach the daemon's chroot() fallback (user/isolation.c) on a system
 * where pivot_root() works.
 *
 * Usage: no_pivot CMD [ARG...]
 * As root (CAP_SYS_ADMIN), no_new_privs is left alone; otherwise the kernel
 * requires it for the filter, and it is set.  Exits 1 if the filter can't
 * be installed or the command can't be run.
 */

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/**
 * no_pivot_filter() - Make pivot_root() fail with EPERM from now on
 * @nnp:	Set no_new_privs (needed without CAP_SYS_ADMIN)
 *
 * Return: 0 on success, negative error code from libseccomp on failure
 */
static int no_pivot_filter(int nnp)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!f)
		return -ENOMEM;
	rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, nnp ? 1 : 0);
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM),
				      SCMP_SYS(pivot_root), 0);
	if (!rc)
		rc = seccomp_load(f);
	seccomp_release(f);
	return rc;
}

/**
 * main() - Install the filter, run the command
 * @argc:	Argument count
 * @argv:	no_pivot CMD [ARG...]
 *
 * Return: 1 on failure, otherwise doesn't return
 */
int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG...]\n", argv[0]);
		return 1;
	}

	/* Without CAP_SYS_ADMIN the kernel refuses (libseccomp reports
	 * -ECANCELED, not the kernel's EACCES): no_new_privs is needed
	 */
	rc = no_pivot_filter(0);
	if (rc)
		rc = no_pivot_filter(1);
	if (rc) {
		fprintf(stderr, "no_pivot: can't install the filter: %s\n",
			strerror(-rc));
		return 1;
	}

	execvp(argv[1], argv + 1);
	fprintf(stderr, "no_pivot: can't run %s: %s\n", argv[1],
		strerror(errno));
	return 1;
}
