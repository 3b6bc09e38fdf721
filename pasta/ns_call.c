// SPDX-License-Identifier: GPL-2.0-or-later
/* ns_call.c - run a function inside the target namespaces
 *
 * A process that shares our memory and file table (CLONE_VM | CLONE_FILES)
 * joins the target user and network namespaces and runs the function; we
 * wait for it (CLONE_VFORK).  Sockets and devices it opens are therefore
 * ours, bound to the target namespace, and results it writes through @arg
 * are visible to us: the daemon itself never changes namespace.
 */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "ns_call.h"
#include "util.h"

#define NS_CALL_STACK	(256 * 1024)

/**
 * struct ns_call_arg - what the namespace-side process needs
 * @c:		Execution context
 * @fn:		Function to run
 * @arg:	Its argument
 * @rc:		Its return value, or -errno if joining failed
 */
struct ns_call_arg {
	const struct ctx *c;
	int (*fn)(void *arg);
	void *arg;
	int rc;
};

/**
 * ns_call_child() - Join the target namespaces and run the function
 * @arg:	struct ns_call_arg
 *
 * Return: 0 (the result travels through @arg)
 */
static int ns_call_child(void *arg)
{
	struct ns_call_arg *a = arg;

	if (a->c->pasta_st.userns_fd >= 0 &&
	    setns(a->c->pasta_st.userns_fd, CLONE_NEWUSER)) {
		a->rc = -errno;
		return 0;
	}
	if (setns(a->c->pasta_st.netns_fd, CLONE_NEWNET)) {
		a->rc = -errno;
		return 0;
	}
	a->rc = a->fn(a->arg);
	return 0;
}

/**
 * ns_call() - Run @fn in the target namespaces and wait for it
 * @c:		Execution context, namespace descriptors open
 * @fn:		Function; returns 0 or -errno
 * @arg:	Argument for @fn, may carry results back
 *
 * Context: setup
 * Return: what @fn returned, or -errno if the namespaces couldn't be joined
 */
int ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg)
{
	struct ns_call_arg a = { .c = c, .fn = fn, .arg = arg, .rc = -EIO };
	char *stack = malloc(NS_CALL_STACK);
	pid_t pid;

	if (!stack)
		return -ENOMEM;
	pid = clone(ns_call_child, stack + NS_CALL_STACK,
		    CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &a);
	if (pid < 0) {
		int rc = -errno;

		free(stack);
		return rc;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(stack);
	return a.rc;
}
