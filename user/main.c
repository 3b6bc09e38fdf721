// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - start-up and the epoll main loop of passt and pasta
 *
 * Theory of operation: one process, one thread.  Start-up parses options,
 * completes the configuration from the host, sets up the guest side (for
 * pasta: the target namespace and its tap device), and registers every
 * descriptor with epoll using a typed reference (epoll_ref.h).  The main
 * loop then dispatches each event with a single switch on the reference
 * type, and a one-second timerfd drives protocol timers.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "conf.h"
#include "ctx.h"
#include "epoll_ref.h"
#include "fwd_auto.h"
#include "fastpath.h"
#include "icmp.h"
#include "isolation.h"
#include "l2.h"
#include "log.h"
#include "ns_sock.h"
#include "packet.h"
#include "passt.h"
#include "pcap.h"
#include "pasta.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "tcp_fastpath.h"
#include "udp.h"
#include "util.h"

#define EPOLL_EVENTS	64
#define TAP_POOL_FRAMES	128
#define TAP_BUF_SIZE	(TAP_POOL_FRAMES * 2048 + 8 * PKT_MAX_FRAME)

/**
 * main_mode() - Choose passt or pasta from the name we were started as
 * @argv0:	argv[0]
 *
 * Return: MODE_PASTA if the base name starts with "pasta", else MODE_PASST
 */
static enum passt_mode main_mode(const char *argv0)
{
	char name[256];

	snprintf(name, sizeof(name), "%s", argv0 ? argv0 : "passt");
	return strncmp(basename(name), "pasta", 5) ? MODE_PASST : MODE_PASTA;
}

/**
 * main_write_pid() - Write a PID to the file given with --pid
 * @c:		Execution context
 * @pid:	PID to write
 */
static void main_write_pid(const struct ctx *c, pid_t pid)
{
	char buf[32];
	int rc;

	if (!*c->pid_file)
		return;
	snprintf(buf, sizeof(buf), "%d\n", pid);
	rc = write_file(c->pid_file, buf);
	if (rc) {
		errno = -rc;
		die_perror("--pid: can't write %s", c->pid_file);
	}
}

/**
 * main_daemon() - Go to background: the parent writes the PID file and exits
 * @c:		Execution context
 */
static void main_daemon(const struct ctx *c)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		die_perror("can't fork to background");
	if (pid) {
		main_write_pid(c, pid);
		_exit(EXIT_SUCCESS);
	}
	if (setsid() < 0)
		die_perror("setsid");
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		die_perror("can't open /dev/null");
	if (dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
		die_perror("can't redirect standard streams");
	if (!c->log.to_stderr && dup2(null, STDERR_FILENO) < 0)
		die_perror("can't redirect standard error");
	close(null);
}

/**
 * main_sigmask() - Signals handled through the signalfd
 * @mask:	Filled with the set
 */
static void main_sigmask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGQUIT);
	sigaddset(mask, SIGHUP);
}

/**
 * main_signalfd() - Watch the blocked signals through a signalfd
 * @c:		Execution context, epoll ready
 *
 * Called once we are the process that will run the main loop: a signalfd
 * added to epoll wakes it up only for signals of the process that added
 * it, so one made before forking to background would never fire.
 */
static void main_signalfd(struct ctx *c)
{
	sigset_t mask;
	int sfd, rc;

	main_sigmask(&mask);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		die_perror("signalfd");
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_SIGNAL, sfd, 0);
	if (rc) {
		errno = -rc;
		die_perror("epoll_ctl on signalfd");
	}
}

/**
 * main_fds() - Create epoll instance and timer, block handled signals
 * @c:		Execution context
 */
static void main_fds(struct ctx *c)
{
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	sigset_t mask;
	int rc;

	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epollfd < 0)
		die_perror("epoll_create1");

	c->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timerfd < 0 || timerfd_settime(c->timerfd, 0, &its, NULL))
		die_perror("can't set up timer");
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TIMER, c->timerfd, 0);
	if (rc) {
		errno = -rc;
		die_perror("epoll_ctl on timer");
	}

	main_sigmask(&mask);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		die_perror("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
}

/**
 * main_tap_init() - Allocate the tap pool and watch the guest side: the tap
 *		     device (pasta) or the socket qemu connects to (passt)
 * @c:		Execution context, for pasta c->fd_tap open
 */
static void main_tap_init(struct ctx *c)
{
	int rc;

	c->buf_tap = malloc(TAP_BUF_SIZE);
	if (!c->buf_tap)
		die("can't allocate tap buffer");
	c->pool_tap = pool_new(c->buf_tap, TAP_BUF_SIZE, TAP_POOL_FRAMES);
	if (!c->pool_tap)
		die("can't allocate tap pool");
	if (c->mode == MODE_PASST) {
		passt_sock_init(c);
		return;
	}
	rc = epoll_ref_add(c->epollfd, EPOLLIN | EPOLLRDHUP, EPOLL_TYPE_TAP,
			   c->fd_tap, 0);
	if (rc) {
		errno = -rc;
		die_perror("epoll_ctl on tap");
	}
}

/**
 * main_signal() - Handle pending signals
 * @c:		Execution context
 * @fd:		signalfd
 *
 * #syscalls read
 * #syscalls:pasta kill
 */
static void main_signal(struct ctx *c, int fd)
{
	struct signalfd_siginfo si;
	int status;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			status = pasta_child_exited(c);
			if (status >= 0) {
				debug("spawned command exited, status %d",
				      status);
				c->exit_status = status;
				c->done = true;
			}
			break;
		case SIGINT:
		case SIGQUIT:
			/* The terminal sent it to the command as well */
			if (c->pasta_st.child)
				break;
			c->done = true;
			break;
		default:
			/* Not allowed if we dropped root and the command
			 * runs as root: then exit, and the socket factory
			 * ends the command (ns_sock.c)
			 */
			if (c->pasta_st.child &&
			    !kill(c->pasta_st.child, (int)si.ssi_signo))
				break;
			c->done = true;
		}
	}
}

/**
 * main_passt_event() - Handle frames from, or departure of, a qemu guest
 * @c:		Execution context
 * @events:	epoll events
 */
static void main_passt_event(struct ctx *c, uint32_t events)
{
	int n = 0, i;

	/* Bounded: a busy guest can't starve the other descriptors */
	for (i = 0; i < 16 && c->fd_tap >= 0; i++) {
		n = passt_read_frames(c);
		tap_handler(c);
		if (n <= 0)
			break;
	}
	if (n < 0 && n != -EAGAIN) {
		if (n != -ENOTCONN)
			debug("passt: guest connection: %s", strerror_(-n));
		passt_guest_gone(c);
	} else if (c->fd_tap >= 0 && (events & (EPOLLHUP | EPOLLERR)) &&
		   !(events & EPOLLIN)) {
		passt_guest_gone(c);
	}
}

/**
 * main_tap_event() - Handle readiness or errors of the tap descriptor
 * @c:		Execution context
 * @events:	epoll events
 */
static void main_tap_event(struct ctx *c, uint32_t events)
{
	if (c->mode == MODE_PASST) {
		main_passt_event(c, events);
		return;
	}

	if (events & EPOLLIN) {
		int n = tap_read_frames(c);

		tap_handler(c);
		if (n < 0 && n != -EAGAIN) {
			errno = -n;
			err_perror("tap device");
			c->exit_status = EXIT_FAILURE;
			c->done = true;
		}
	}
	if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
		err("tap device closed");
		c->exit_status = EXIT_FAILURE;
		c->done = true;
	}
}

/**
 * main_timer() - Run protocol timers, once a second
 * @c:		Execution context
 *
 * #syscalls read
 */
static void main_timer(struct ctx *c)
{
	uint64_t expirations;

	if (read(c->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		debug_perror("timerfd");
	ndp_timer(c);
	icmp_timer(c);
	tcp_timer(c);
	tcp_splice_timer(c);
	udp_timer(c);
}

/**
 * main_loop() - Wait for events and dispatch them until told to stop
 * @c:		Execution context
 *
 * #syscalls epoll_wait epoll_pwait
 */
static void main_loop(struct ctx *c)
{
	struct epoll_event events[EPOLL_EVENTS];

	while (!c->done) {
		int n = epoll_wait(c->epollfd, events, EPOLL_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_perror("epoll_wait");
		}
		clock_gettime(CLOCK_MONOTONIC, &c->now);

		for (int i = 0; i < n && !c->done; i++) {
			union epoll_ref ref = { .u64 = events[i].data.u64 };

			switch (ref.type) {
			case EPOLL_TYPE_TAP:
				main_tap_event(c, events[i].events);
				break;
			case EPOLL_TYPE_TIMER:
				main_timer(c);
				break;
			case EPOLL_TYPE_PING:
				icmp_sock_handler(c, ref);
				break;
			case EPOLL_TYPE_UDP:
				udp_sock_handler(c, ref, events[i].events);
				break;
			case EPOLL_TYPE_TCP:
				tcp_sock_handler(c, ref, events[i].events);
				break;
			case EPOLL_TYPE_TCP_LISTEN:
				tcp_listen_handler(c, ref, events[i].events);
				break;
			case EPOLL_TYPE_TCP_TIMER:
				tcp_wnd_handler(c);
				break;
			case EPOLL_TYPE_TCP_SPLICE:
				tcp_splice_sock_handler(c, ref,
							events[i].events);
				break;
			case EPOLL_TYPE_TCP_LISTEN_NS:
				tcp_splice_listen_handler(c, ref,
							  events[i].events);
				break;
			case EPOLL_TYPE_FWD_AUTO:
				fwd_auto_handler(c);
				break;
			case EPOLL_TYPE_TCP_FASTPATH:
				tcp_fastpath_timer_handler(c);
				break;
			case EPOLL_TYPE_SIGNAL:
				main_signal(c, ref.fd);
				break;
			case EPOLL_TYPE_NSQUIT:
				pasta_netns_quit_handler(c, ref.fd);
				break;
			case EPOLL_TYPE_TAP_LISTEN:
				passt_listen_handler(c);
				break;
			default:
				debug("event for unexpected type %s",
				      epoll_type_str(ref.type));
			}
		}
	}
}

/**
 * main_pasta_setup() - Create or join the namespace and set up its side
 * @c:		Execution context, pasta mode
 *
 * Context: setup, exits on failure
 */
static void main_pasta_setup(struct ctx *c)
{
	int rc;

	pasta_start_ns(c);
	pasta_open_tap(c);
	pasta_ns_conf(c);
	rc = ns_sock_init(c);
	if (rc) {
		errno = -rc;
		die_perror("can't start the namespace socket factory");
	}
	pasta_netns_quit_init(c);
}

/**
 * main() - Entry point for passt and pasta
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on clean exit, 1 on errors, or the spawned command's status
 *
 * #syscalls exit_group
 */
int main(int argc, char **argv)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		die("can't allocate execution context");
	c->mode = main_mode(argv[0]);
	conf(c, argc, argv);
	log_setup(&c->log);
	isolation_prepare(c);

	main_fds(c);
	pcap_init(c);
	if (icmp_init(c))
		die("can't allocate ICMP tables");
	icmp_raw_init(c);

	/* Loading needs CAP_BPF and CAP_NET_ADMIN in the initial user
	 * namespace: before joining any namespace, and before sandboxing
	 */
	fastpath_init(c);
	if (tcp_fastpath_init(c))
		die("can't set up the eBPF fast path for TCP");
	if (c->mode == MODE_PASTA)
		main_pasta_setup(c);
	main_tap_init(c);
	if (udp_init(c))
		die("can't set up UDP");
	clock_gettime(CLOCK_MONOTONIC, &c->now);
	if (tcp_init(c))
		die("can't allocate TCP tables");
	/* After every static forward: their sockets are never mirrored */
	rc = fwd_auto_init(c);
	if (rc) {
		errno = -rc;
		die_perror("can't set up automatic port forwarding");
	}

	if (!c->quiet)
		conf_print(c);

	isolation_prefork(c);
	if (c->foreground)
		main_write_pid(c, getpid());
	else
		main_daemon(c);
	main_signalfd(c);
	if (c->mode == MODE_PASTA)
		pasta_release_child(c);

	isolation_sandbox(c, fastpath_active(c));
	main_loop(c);
	fastpath_exit(c);
	return c->exit_status;
}
