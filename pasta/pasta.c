// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - target namespace: create one for a command, or join one
 *
 * Theory of operation: without a target, pasta clones a child into a new
 * user and network namespace, maps our user to root there, and keeps the
 * child waiting on a pipe until the tap device and (optionally) addresses
 * and routes are in place; the child then runs the command or a shell, and
 * pasta exits with the child's status.  With a PID, --netns or --userns,
 * pasta opens the namespace files instead.  Either way, only descriptors
 * of the namespaces are kept: see ns_call.c for how they are used.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "pasta.h"
#include "util.h"

#define PASTA_CHILD_STACK	(256 * 1024)

/**
 * struct pasta_child_arg - what the spawned child needs
 * @c:		Execution context
 * @sync:	Read end of the pipe the child waits on before exec
 * @sync_wr:	Write end, pasta's: the child closes its copy, so that it
 *		sees end-of-file if pasta exits without releasing it
 */
struct pasta_child_arg {
	const struct ctx *c;
	int sync;
	int sync_wr;
};

/**
 * pasta_child() - Wait for the network to be ready, then exec the command
 * @arg:	struct pasta_child_arg
 *
 * Return: does not return on success, 127 if exec fails
 */
static int pasta_child(void *arg)
{
	const struct pasta_child_arg *a = arg;
	char *const *argv = a->c->pasta.argv;
	const char *shell = getenv("SHELL");
	char *sh_argv[] = { NULL, NULL };
	sigset_t none;
	ssize_t n;
	char b;

	/* Until pasta says go; if pasta went away instead, give up */
	close(a->sync_wr);
	do {
		n = read(a->sync, &b, 1);
	} while (n < 0 && errno == EINTR);
	close(a->sync);
	if (n != 1)
		_exit(1);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (!argv || !argv[0]) {
		if (!shell || !*shell || access(shell, X_OK))
			shell = "/bin/sh";
		sh_argv[0] = (char *)(uintptr_t)shell;
		argv = sh_argv;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "pasta: can't run %s: %s\n", argv[0], strerror_(errno));
	return 127;
}

/**
 * pasta_map_ids() - Map our UID and GID to root in the child's namespace
 * @pid:	Child PID
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_map_ids(pid_t pid)
{
	char path[64], map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int rc;

	if (uid == 0) {
		/* Root keeps every identity: files stay owned by their users */
		snprintf(map, sizeof(map), "0 0 4294967295");
	} else {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		rc = write_file(path, "deny");
		if (rc && rc != -ENOENT)
			return rc;
		snprintf(map, sizeof(map), "0 %u 1", uid);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	rc = write_file(path, map);
	if (rc)
		return rc;
	if (uid)
		snprintf(map, sizeof(map), "0 %u 1", gid);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	return write_file(path, map);
}

/**
 * pasta_open_ns() - Open namespace files of the target
 * @c:		Execution context
 * @netns:	Path of the network namespace
 * @userns:	Path of the user namespace, NULL or empty to join none
 */
static void pasta_open_ns(struct ctx *c, const char *netns,
			  const char *userns)
{
	struct stat self, target;

	c->pasta_st.netns_fd = open(netns, O_RDONLY | O_CLOEXEC);
	if (c->pasta_st.netns_fd < 0)
		die_perror("can't open network namespace %s", netns);
	c->pasta_st.userns_fd = -1;
	if (!userns || !*userns)
		return;

	c->pasta_st.userns_fd = open(userns, O_RDONLY | O_CLOEXEC);
	if (c->pasta_st.userns_fd < 0)
		die_perror("can't open user namespace %s", userns);

	/* Joining the namespace we are in fails (EINVAL) and is not needed */
	if (!stat("/proc/self/ns/user", &self) &&
	    !fstat(c->pasta_st.userns_fd, &target) &&
	    self.st_ino == target.st_ino && self.st_dev == target.st_dev) {
		close(c->pasta_st.userns_fd);
		c->pasta_st.userns_fd = -1;
	}
}

/**
 * pasta_spawn() - Create a child in new user and network namespaces
 * @c:		Execution context
 *
 * Return: write end of the pipe releasing the child
 */
static int pasta_spawn(struct ctx *c)
{
	struct pasta_child_arg a;	/* the child gets its own copy */
	char netns[64], userns[64];
	int sync[2], rc;
	char *stack;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC))
		die_perror("can't create pipe for the child");
	a.c = c;
	a.sync = sync[0];
	a.sync_wr = sync[1];

	stack = malloc(PASTA_CHILD_STACK);
	if (!stack)
		die("can't allocate stack for the child");
	/* No CLONE_VM: the child gets its own copy of everything */
	pid = clone(pasta_child, stack + PASTA_CHILD_STACK,
		    CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, &a);
	if (pid < 0)
		die_perror("can't create user and network namespace");
	free(stack);
	close(sync[0]);
	c->pasta_st.child = pid;

	rc = pasta_map_ids(pid);
	if (rc) {
		errno = -rc;
		die_perror("can't set up UID/GID mapping for the namespace");
	}

	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", pid);
	snprintf(userns, sizeof(userns), "/proc/%d/ns/user", pid);
	pasta_open_ns(c, netns, userns);
	return sync[1];
}

/**
 * pasta_start_ns() - Create the target namespaces, or open the given ones
 * @c:		Execution context, configuration complete
 *
 * Context: setup; exits on failure
 */
void pasta_start_ns(struct ctx *c)
{
	c->pasta_st.child_sync = -1;
	if (*c->pasta.netns) {
		pasta_open_ns(c, c->pasta.netns,
			      c->pasta.netns_only ? NULL : c->pasta.userns);
		return;
	}
	c->pasta_st.child_sync = pasta_spawn(c);
}

/**
 * pasta_release_child() - Let the spawned command start
 * @c:		Execution context
 */
void pasta_release_child(struct ctx *c)
{
	if (c->pasta_st.child_sync < 0)
		return;
	if (write(c->pasta_st.child_sync, "", 1) != 1)
		warn_perror("can't release the spawned command");
	close(c->pasta_st.child_sync);
	c->pasta_st.child_sync = -1;
}

/**
 * pasta_child_exited() - Reap the spawned command if it has exited
 * @c:		Execution context
 *
 * Return: its exit status (128 + signal if killed), -1 if still running
 *
 * #syscalls:pasta wait4
 */
int pasta_child_exited(struct ctx *c)
{
	int status;
	pid_t pid;

	if (!c->pasta_st.child)
		return -1;
	pid = waitpid(c->pasta_st.child, &status, WNOHANG);
	if (pid != c->pasta_st.child)
		return -1;
	c->pasta_st.child = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
