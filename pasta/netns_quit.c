// SPDX-License-Identifier: GPL-2.0-or-later
/* netns_quit.c - exit when the target network namespace's file is deleted
 *
 * A namespace given by path or name (--netns) usually lives in a bind mount
 * such as /run/netns/NAME: 'ip netns del NAME' unmounts and unlinks it.
 * Our own descriptor would keep the namespace alive with nobody in it, so,
 * unless --no-netns-quit, an inotify watch on the file's directory makes us
 * exit once the file is gone.  Paths under /proc (a PID's namespace) can't
 * be watched this way and are skipped.
 */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "epoll_ref.h"
#include "log.h"
#include "pasta.h"
#include "util.h"

/**
 * pasta_netns_quit_init() - Watch the directory holding the namespace file
 * @c:		Execution context, epoll ready
 *
 * Context: setup
 */
void pasta_netns_quit_init(struct ctx *c)
{
	char dir[PATH_MAX_];
	int fd, rc;

	if (!*c->pasta.netns || c->pasta.no_netns_quit ||
	    !strncmp(c->pasta.netns, "/proc/", 6))
		return;

	snprintf(dir, sizeof(dir), "%s", c->pasta.netns);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		die_perror("--netns: can't watch %s for removal", c->pasta.netns);
	if (inotify_add_watch(fd, dirname(dir), IN_DELETE | IN_MOVED_FROM) < 0)
		die_perror("--netns: can't watch %s for removal", c->pasta.netns);
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_NSQUIT, fd, 0);
	if (rc) {
		errno = -rc;
		die_perror("epoll_ctl on inotify descriptor");
	}
}

/**
 * pasta_netns_quit_handler() - End the main loop if the namespace file left
 * @c:		Execution context
 * @fd:		inotify descriptor
 *
 * #syscalls:pasta read
 */
void pasta_netns_quit_handler(struct ctx *c, int fd)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX_];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), "%s", c->pasta.netns);
	name = basename(path);

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev =
				(const struct inotify_event *)(buf + off);

			if (ev->len && off + sizeof(*ev) + ev->len <= (size_t)n &&
			    !strncmp(ev->name, name, ev->len)) {
				info("namespace %s is gone, exiting",
				     c->pasta.netns);
				c->done = true;
			}
			off += sizeof(*ev) + ev->len;
		}
	}
}
