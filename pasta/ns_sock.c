// SPDX-License-Identifier: GPL-2.0-or-later
/* ns_sock.c - a socket factory living in the target network namespace
 *
 * The local bypass (spliced TCP, loopback UDP, automatic forwarding) needs
 * sockets in the namespace all the time, long after start.  Rather than
 * joining the namespace per socket, we fork one small process at start:
 * it joins the target user and network namespaces once, then waits on a
 * SOCK_SEQPACKET socketpair for requests ("N sockets of this family, type
 * and protocol") and answers with the new descriptors as SCM_RIGHTS.  A
 * socket keeps the network namespace it was created in, so the daemon can
 * bind, connect and listen on it from its own namespace.
 *
 * The process exits when the daemon's end of the pair closes, that is, when
 * the daemon exits.  It holds no other descriptor, but for a pidfd of the
 * command pasta spawned, if any: on its way out, it sends the command
 * SIGTERM.  pasta itself can't once it dropped root for nobody while the
 * command runs as root (isolation.c), and neither can the kernel on its
 * behalf (PR_SET_PDEATHSIG is subject to the same permission check).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isolation.h"
#include "log.h"
#include "ns_sock.h"
#include "util.h"

/**
 * struct ns_sock_req - one request to the factory
 * @domain:	Address family for socket(2)
 * @type:	Socket type, flags included
 * @protocol:	Protocol for socket(2)
 * @n:		How many sockets, 1 to NS_SOCK_BATCH
 */
struct ns_sock_req {
	int domain;
	int type;
	int protocol;
	int n;
};

/**
 * struct ns_sock_resp - the factory's answer, descriptors travel alongside
 * @n:		Sockets created (and attached), 0 on failure
 * @err:	errno of the first failure, 0 if all were created
 */
struct ns_sock_resp {
	int n;
	int err;
};

/**
 * ns_sock_end() - End the spawned command, if any, and exit
 * @pidfd:	pidfd of the command, -1 if none
 * @status:	Exit status
 *
 * #syscalls:ns_sock pidfd_send_signal
 */
__attribute__((noreturn))
static void ns_sock_end(int pidfd, int status)
{
	/* ESRCH if it's gone already: nothing else can have its pidfd */
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	_exit(status);
}

/**
 * ns_sock_serve() - Factory loop: answer requests until the daemon leaves
 * @s:		Our end of the socketpair
 * @pidfd:	pidfd of the spawned command, -1 if none
 *
 * Return: never, exits the process
 *
 * #syscalls:ns_sock recvfrom sendmsg socket close exit_group
 */
static void ns_sock_serve(int s, int pidfd)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * NS_SOCK_BATCH)];
			struct cmsghdr align;
		} u;
		struct ns_sock_resp resp = { 0, 0 };
		struct ns_sock_req req;
		struct iovec iov = { &resp, sizeof(resp) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		int fds[NS_SOCK_BATCH] = { 0 };
		ssize_t n;

		n = recv(s, &req, sizeof(req), 0);
		if (n == 0)
			ns_sock_end(pidfd, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ns_sock_end(pidfd, 1);
		}
		if (n != sizeof(req) || req.n < 1 || req.n > NS_SOCK_BATCH) {
			resp.err = EINVAL;
		} else {
			for (; resp.n < req.n; resp.n++) {
				int fd = socket(req.domain, req.type,
						req.protocol);

				if (fd < 0) {
					resp.err = errno;
					break;
				}
				fds[resp.n] = fd;
			}
		}

		if (resp.n) {
			struct cmsghdr *cmsg;

			mh.msg_control = u.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * resp.n);
			cmsg = CMSG_FIRSTHDR(&mh);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int) * resp.n);
			memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * resp.n);
		}
		while (sendmsg(s, &mh, MSG_NOSIGNAL) < 0) {
			if (errno != EINTR)
				ns_sock_end(pidfd, 1);
		}
		for (int i = 0; i < resp.n; i++)
			close(fds[i]);
	}
}

/**
 * ns_sock_fds() - Keep only the factory's descriptors: 3, and 4 if a pidfd
 * @s:		Factory's end of the socketpair
 * @pidfd:	pidfd of the spawned command, -1 if none
 *
 * Both are first copied above 4, so that neither overwrites the other.
 *
 * Return: 0 on success, -1 on failure
 */
static int ns_sock_fds(int s, int pidfd)
{
	int hs = fcntl(s, F_DUPFD, 5), hp = -1;

	if (hs < 0 || (pidfd >= 0 && (hp = fcntl(pidfd, F_DUPFD, 5)) < 0))
		return -1;
	if (dup2(hs, 3) < 0 || (hp >= 0 && dup2(hp, 4) < 0))
		return -1;
	return close_range(hp >= 0 ? 5 : 4, ~0U, 0) ? -1 : 0;
}

/**
 * ns_sock_init() - Start the factory in the target namespaces
 * @c:		Execution context, namespace descriptors open
 *
 * Context: setup, pasta only, before sandboxing
 * Return: 0 on success, -errno on failure (c->pasta_st.ns_sock stays -1)
 */
int ns_sock_init(struct ctx *c)
{
	int sv[2], pidfd = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;

	/* Linux 5.3: without pidfds, the command outlives us, as before */
	if (c->pasta_st.child > 0)
		pidfd = (int)syscall(SYS_pidfd_open, c->pasta_st.child, 0);

	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		close(sv[0]);
		close(sv[1]);
		if (pidfd >= 0)
			close(pidfd);
		return rc;
	}
	if (pid == 0) {
		/* Quiet stray signals: only EOF on the pair ends us */
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		prctl(PR_SET_NAME, "pasta-ns-sock");
		if (c->pasta_st.userns_fd >= 0 &&
		    setns(c->pasta_st.userns_fd, CLONE_NEWUSER))
			_exit(1);
		if (setns(c->pasta_st.netns_fd, CLONE_NEWNET))
			_exit(1);
		if (ns_sock_fds(sv[1], pidfd))
			_exit(1);
		isolation_ns_sock();
		ns_sock_serve(3, pidfd >= 0 ? 4 : -1);
	}

	close(sv[1]);
	if (pidfd >= 0)
		close(pidfd);
	c->pasta_st.ns_sock = sv[0];
	c->pasta_st.ns_sock_pid = pid;
	return 0;
}

/**
 * ns_sock_many() - Get sockets created inside the target namespace
 * @c:		Execution context, factory started
 * @domain:	Address family
 * @type:	Socket type, may include SOCK_NONBLOCK | SOCK_CLOEXEC
 * @protocol:	Protocol
 * @fds:	Filled with the new descriptors
 * @n:		How many are wanted, 1 to NS_SOCK_BATCH
 *
 * Return: number of sockets obtained (at least 1), or -errno if none
 *
 * #syscalls:pasta sendto recvmsg
 */
int ns_sock_many(const struct ctx *c, int domain, int type, int protocol,
		 int *fds, int n)
{
	struct ns_sock_req req = { domain, type, protocol, n };
	union {
		char buf[CMSG_SPACE(sizeof(int) * NS_SOCK_BATCH)];
		struct cmsghdr align;
	} u;
	struct ns_sock_resp resp;
	struct iovec iov = { &resp, sizeof(resp) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cmsg;
	int got = 0;
	ssize_t r;

	if (c->pasta_st.ns_sock < 0)
		return -ENOTCONN;
	if (n < 1 || n > NS_SOCK_BATCH)
		return -EINVAL;

	while (send(c->pasta_st.ns_sock, &req, sizeof(req), MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	while ((r = recvmsg(c->pasta_st.ns_sock, &mh, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return -errno;
	if (r != sizeof(resp))
		return -EPIPE;

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		got = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (got > n)
			got = n;	/* can't happen: kernel bounds it */
		memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * (size_t)got);
		break;
	}
	if (got)
		return got;
	return resp.err ? -resp.err : -EIO;
}

/**
 * ns_sock() - Get one socket created inside the target namespace
 * @c:		Execution context, factory started
 * @domain:	Address family
 * @type:	Socket type, may include SOCK_NONBLOCK | SOCK_CLOEXEC
 * @protocol:	Protocol
 *
 * Return: descriptor, or -errno
 */
int ns_sock(const struct ctx *c, int domain, int type, int protocol)
{
	int fd = -1, rc = ns_sock_many(c, domain, type, protocol, &fd, 1);

	return rc < 0 ? rc : fd;
}
