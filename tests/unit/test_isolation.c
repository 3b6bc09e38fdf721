// SPDX-License-Identifier: GPL-2.0-or-later
/* test_isolation.c - seccomp filter construction, generated lists, --runas
 *
 * Filters are installed in forked children (no_new_privs, no privileges
 * needed): an allowed call returns, anything else kills the child with
 * SIGSYS, which the parent sees in the wait status.
 */

#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "isolation.h"

#define CHILD_OK	42

/**
 * in_filter() - Fork, install a filter in the child, run a call there
 * @lists:	Lists for isolation_seccomp()
 * @bpf:	bpf() map operations allowed
 * @fn:		Called in the child once filtered; its return is the exit code
 *
 * Return: wait status of the child
 */
static int in_filter(const char *const *const *lists, bool bpf,
		     int (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    isolation_seccomp(lists, bpf))
			_exit(1);
		syscall(SYS_exit_group, fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/**
 * call_getppid() - A call only some filters allow
 *
 * Return: CHILD_OK if it returned
 */
static int call_getppid(void)
{
	return syscall(SYS_getppid) > 0 ? CHILD_OK : 2;
}

/**
 * call_bpf() - bpf() with a command given through the environment
 *
 * Return: CHILD_OK if the call returned EBADF (invalid map descriptor)
 */
static int call_bpf(void)
{
	const char *env = getenv("TEST_BPF_CMD");
	int cmd = env ? atoi(env) : -1;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)-1;
	if (syscall(SYS_bpf, cmd, &attr, sizeof(attr)) < 0 && errno == EBADF)
		return CHILD_OK;
	return 3;
}

/**
 * test_allow_kill() - Listed calls work, others kill the process
 * @state:	Unused
 */
static void test_allow_kill(void **state)
{
	static const char *const with[] = { "getppid", "exit_group", NULL };
	static const char *const without[] = { "getpid", "exit_group", NULL };
	const char *const *l_with[] = { with, NULL };
	const char *const *l_without[] = { without, NULL };
	int st;

	(void)state;
	st = in_filter(l_with, false, call_getppid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), CHILD_OK);

	st = in_filter(l_without, false, call_getppid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

/**
 * bpf_status() - Wait status of a filtered child calling bpf(@cmd)
 * @cmd:	bpf() command
 * @map_ops:	Filter built with bpf() map operations allowed
 *
 * Return: wait status
 */
static int bpf_status(int cmd, bool map_ops)
{
	static const char *const base[] = { "exit_group", NULL };
	const char *const *lists[] = { base, NULL };
	char v[16];

	snprintf(v, sizeof(v), "%d", cmd);
	setenv("TEST_BPF_CMD", v, 1);
	return in_filter(lists, map_ops, call_bpf);
}

/**
 * test_bpf_map_ops() - The bpf profile allows map operations, nothing else
 * @state:	Unused
 */
static void test_bpf_map_ops(void **state)
{
	static const int ok[] = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM,
				  BPF_MAP_DELETE_ELEM };
	static const int bad[] = { BPF_PROG_LOAD, BPF_MAP_CREATE,
				   BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET };
	size_t i;
	int st;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		st = bpf_status(ok[i], true);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), CHILD_OK);
		st = bpf_status(ok[i], false);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGSYS);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = bpf_status(bad[i], true);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGSYS);
	}
}

/**
 * test_lists_resolve() - Every annotated name is a system call here
 * @state:	Unused
 */
static void test_lists_resolve(void **state)
{
	const char *const *lists[] = { isolation_syscalls_passt,
				       isolation_syscalls_pasta,
				       isolation_syscalls_bpf,
				       isolation_syscalls_ns_sock,
				       isolation_syscalls_sanitizer, NULL };
	const char *const *const *l;
	const char *const *n;

	(void)state;
	for (l = lists; *l; l++) {
		for (n = *l; *n; n++) {
			if (seccomp_syscall_resolve_name(*n) == __NR_SCMP_ERROR)
				fail_msg("unknown system call '%s'", *n);
			/* bpf() only through the :bpf profile */
			if (*l != isolation_syscalls_bpf)
				assert_string_not_equal(*n, "bpf");
		}
	}
	/* The main loop can't run without these */
	for (l = lists; *l != isolation_syscalls_bpf; l++) {
		bool wait = false, exit_group = false;

		for (n = *l; *n; n++) {
			wait |= !strcmp(*n, "epoll_wait") ||
				!strcmp(*n, "epoll_pwait");
			exit_group |= !strcmp(*n, "exit_group");
		}
		assert_true(wait);
		assert_true(exit_group);
	}
}

/**
 * test_runas_parse() - UID[:GID] and LOGIN[:GROUP]
 * @state:	Unused
 */
static void test_runas_parse(void **state)
{
	uid_t uid;
	gid_t gid;

	(void)state;
	assert_int_equal(isolation_runas_parse("0", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_int_equal(isolation_runas_parse("root", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_int_equal(isolation_runas_parse("12345:23456", &uid, &gid), 0);
	assert_int_equal(uid, 12345);
	assert_int_equal(gid, 23456);
	/* No such user: the group is the same number */
	assert_int_equal(isolation_runas_parse("54321", &uid, &gid), 0);
	assert_int_equal(uid, 54321);
	assert_int_equal(gid, 54321);
	assert_int_equal(isolation_runas_parse("root:root", &uid, &gid), 0);
	assert_int_equal(gid, 0);

	assert_int_equal(isolation_runas_parse("nosuchuser-test-iso",
					       &uid, &gid), -ENOENT);
	assert_int_equal(isolation_runas_parse("0:nosuchgroup-test-iso",
					       &uid, &gid), -ENOENT);
	assert_int_equal(isolation_runas_parse("", &uid, &gid), -EINVAL);
	assert_int_equal(isolation_runas_parse("0:", &uid, &gid), -EINVAL);
	assert_int_equal(isolation_runas_parse("4294967295", &uid, &gid),
			 -ENOENT);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_kill),
		cmocka_unit_test(test_bpf_map_ops),
		cmocka_unit_test(test_lists_resolve),
		cmocka_unit_test(test_runas_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
