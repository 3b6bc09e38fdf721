// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.c - kernel and privilege features we rely on, tried for real
 *
 * Each probe does what the daemon would do (create the namespace, open the
 * device, make the socket, load the program) with throwaway objects, and
 * reports whether it worked, what it saw, and what the daemon does about
 * it.  passt-probe prints these; the daemon uses the same functions.
 * Probes needing a new namespace run in a short-lived child process, so the
 * caller's own namespaces never change.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "util.h"

#define PROBE_STACK	(64 * 1024)

static const char *const probe_names[] = {
	[PROBE_USERNS]		= "user-namespaces",
	[PROBE_TUN]		= "dev-net-tun",
	[PROBE_TAP_NS]		= "tap-in-namespace",
	[PROBE_SPLICE]		= "splice",
	[PROBE_BPF_SK_SKB]	= "bpf-sk-skb",
	[PROBE_BPF_SK_MSG]	= "bpf-sk-msg",
	[PROBE_BPF_SOCKHASH]	= "bpf-sockhash",
	[PROBE_BPF_FASTPATH]	= "bpf-fastpath",
	[PROBE_SECCOMP]		= "seccomp-filter",
	[PROBE_BINDTODEVICE]	= "so-bindtodevice",
	[PROBE_TCP_SND_WND]	= "tcp-info-snd-wnd",
	[PROBE_PEEK_OFF]	= "tcp-so-peek-off",
	[PROBE_PING4]		= "ping-socket-ipv4",
	[PROBE_PING6]		= "ping-socket-ipv6",
	[PROBE_RAW_ICMP]	= "raw-icmp-socket",
	[PROBE_IPV6]		= "ipv6",
	[PROBE_NOFILE]		= "rlimit-nofile",
	[PROBE_PORT_START]	= "unprivileged-port-start",
};
_Static_assert(ARRAY_SIZE(probe_names) == PROBE_NUM,
	       "probe_names must name every probe");

/**
 * probe_set() - Fill a result
 * @r:		Result
 * @ok:		Feature available
 * @action:	What the daemon does about it
 * @fmt:	printf-style detail
 */
static void __attribute__((format(printf, 4, 5)))
probe_set(struct probe_result *r, bool ok, const char *action,
	  const char *fmt, ...)
{
	va_list ap;

	r->available = ok;
	snprintf(r->action, sizeof(r->action), "%s", action);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/**
 * probe_read_file() - First line of a small file, newline removed
 * @path:	File
 * @buf:	Output
 * @len:	Size of @buf
 *
 * Return: true if read
 */
static bool probe_read_file(const char *path, char *buf, size_t len)
{
	if (read_file(path, buf, len) <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	for (char *t = strchr(buf, '\t'); t; t = strchr(t, '\t'))
		*t = ' ';
	return true;
}

/**
 * probe_child_tap() - In new namespaces: create a tap device
 * @arg:	Unused
 *
 * Return: 0 on success, errno value otherwise (exit status of the child)
 */
static int probe_child_tap(void *arg)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), rc;

	(void)arg;
	if (fd < 0)
		return errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "probe0");
	rc = ioctl(fd, TUNSETIFF, &ifr) ? errno : 0;
	close(fd);
	return rc;
}

/**
 * probe_child_nop() - In new namespaces: nothing, creating them was the test
 * @arg:	Unused
 *
 * Return: 0
 */
static int probe_child_nop(void *arg)
{
	(void)arg;
	return 0;
}

/**
 * probe_in_ns() - Run @fn in a child in new user and network namespaces
 * @fn:		Function, returns 0 or an errno value
 *
 * Return: 0 on success, positive errno from clone() or @fn otherwise
 */
static int probe_in_ns(int (*fn)(void *))
{
	char *stack = malloc(PROBE_STACK);
	int status = 0;
	pid_t pid;

	if (!stack)
		return ENOMEM;
	pid = clone(fn, stack + PROBE_STACK,
		    CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, NULL);
	if (pid < 0) {
		int e = errno;

		free(stack);
		return e;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(stack);
	if (!WIFEXITED(status))
		return EIO;
	return WEXITSTATUS(status);
}

/**
 * probe_userns() - Can we create user and network namespaces
 * @r:		Result
 */
static void probe_userns(struct probe_result *r)
{
	char restrict_[16] = "", clone_[16] = "";
	int e = probe_in_ns(probe_child_nop);

	probe_read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
			restrict_, sizeof(restrict_));
	probe_read_file("/proc/sys/kernel/unprivileged_userns_clone", clone_,
			sizeof(clone_));
	if (!e) {
		probe_set(r, true, "pasta creates its namespace",
			  "created%s%s", *restrict_ ?
			  ", apparmor_restrict_unprivileged_userns=" : "",
			  restrict_);
		return;
	}
	probe_set(r, false, "pasta can only attach to existing namespaces "
		  "(--netns-only)", "%s%s%s%s%s", strerror_(e),
		  *clone_ ? ", unprivileged_userns_clone=" : "", clone_,
		  *restrict_ ? ", apparmor_restrict_unprivileged_userns=" : "",
		  restrict_);
}

/**
 * probe_tun() - Can we open /dev/net/tun here
 * @r:		Result
 */
static void probe_tun(struct probe_result *r)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		probe_set(r, true, "pasta creates its tap device", "opened");
		return;
	}
	probe_set(r, false, "pasta can't run (no tap device)",
		  "%s%s", strerror_(errno),
		  errno == EACCES ? " (mode of /dev/net/tun?)" : "");
}

/**
 * probe_tap_ns() - Can we create a tap device inside a new namespace
 * @r:		Result
 */
static void probe_tap_ns(struct probe_result *r)
{
	int e = probe_in_ns(probe_child_tap);

	if (!e)
		probe_set(r, true, "pasta works", "tap device created");
	else
		probe_set(r, false, "pasta can't run", "%s", strerror_(e));
}

/**
 * probe_splice() - Can data be spliced from a socket into a pipe
 * @r:		Result
 */
static void probe_splice(struct probe_result *r)
{
	char max[32] = "?";
	int sv[2], p[2];
	ssize_t n;

	probe_read_file("/proc/sys/fs/pipe-max-size", max, sizeof(max));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		probe_set(r, false, "no local TCP bypass", "socketpair: %s",
			  strerror_(errno));
		return;
	}
	if (pipe2(p, O_CLOEXEC)) {
		probe_set(r, false, "no local TCP bypass", "pipe: %s",
			  strerror_(errno));
		close(sv[0]);
		close(sv[1]);
		return;
	}
	n = write(sv[0], "probe", 5) == 5 ?
	    splice(sv[1], NULL, p[1], NULL, 5, SPLICE_F_NONBLOCK) : -1;
	if (n == 5)
		probe_set(r, true, "usable by the local TCP bypass (issue 5)",
			  "works, pipe-max-size %s", max);
	else
		probe_set(r, false, "no local TCP bypass", "%s",
			  strerror_(errno));
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/**
 * probe_bpf() - Report one BPF probe from the loader
 * @r:		Result
 * @rc:		0 or -errno from the loader probe
 */
static void probe_bpf(struct probe_result *r, int rc)
{
	if (!rc) {
		probe_set(r, true, "usable by the eBPF fast path",
			  "loaded");
		return;
	}
	probe_set(r, false, "no eBPF fast path: userspace paths", "%s%s",
		  strerror_(-rc), rc == -EPERM ?
		  " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
}

/**
 * probe_seccomp() - Are seccomp filters supported (tried in a child)
 * @r:		Result
 */
static void probe_seccomp(struct probe_result *r)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		/* A NULL filter fails with EFAULT only if filters exist */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(2);
		prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0);
		_exit(errno == EFAULT ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		probe_set(r, false, "no seccomp filter", "fork: %s",
			  strerror_(errno));
		return;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		probe_set(r, true, "usable by the sandbox (issue 8)",
			  "supported");
	else
		probe_set(r, false, "runs without a seccomp filter",
			  "not supported by this kernel");
}

/**
 * probe_bindtodevice() - SO_BINDTODEVICE without privileges (Linux 5.7)
 * @r:		Result
 */
static void probe_bindtodevice(struct probe_result *r)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0) {
		probe_set(r, false, "--outbound-if4/6 ignored", "socket: %s",
			  strerror_(errno));
		return;
	}
	if (!setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2))
		probe_set(r, true, "--outbound-if4/6 and %IFNAME/ honoured",
			  "works");
	else
		probe_set(r, false, "--outbound-if4/6 ignored", "%s%s",
			  strerror_(errno), errno == EPERM ?
			  " (unprivileged since Linux 5.7)" : "");
	close(s);
}

/**
 * probe_tcp_pair() - A connected TCP pair on IPv4 loopback
 * @fds:	Filled with client, server
 *
 * Return: 0 on success, errno value otherwise
 */
static int probe_tcp_pair(int fds[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	fds[0] = fds[1] = -1;
	if (l < 0)
		return errno;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &sl))
		goto fail;
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (fds[1] < 0)
		goto fail;
	close(l);
	return 0;
fail:
	e = errno;
	close(l);
	if (fds[0] >= 0)
		close(fds[0]);
	return e;
}

/**
 * probe_tcp_peek_off() - Does SO_PEEK_OFF work on TCP sockets (Linux 6.10)
 *
 * Used by the daemon's TCP code and by passt-probe.
 *
 * Return: true if it does
 */
bool probe_tcp_peek_off(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	int zero = 0;
	bool ok;

	if (s < 0)
		return false;
	ok = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	close(s);
	return ok;
}

/**
 * probe_tcp() - tcpi_snd_wnd (Linux 5.3) or SO_PEEK_OFF on TCP (Linux 6.10)
 * @r:		Result
 * @id:		PROBE_TCP_SND_WND or PROBE_PEEK_OFF
 */
static void probe_tcp(struct probe_result *r, enum probe_id id)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);
	int fds[2], e = probe_tcp_pair(fds);

	if (e) {
		probe_set(r, false, "TCP can't be checked", "loopback: %s",
			  strerror_(e));
		return;
	}
	if (id == PROBE_TCP_SND_WND) {
		bool ok = !getsockopt(fds[0], IPPROTO_TCP, TCP_INFO, &ti, &sl) &&
			  sl >= offsetof(struct tcp_info, tcpi_snd_wnd) +
				sizeof(ti.tcpi_snd_wnd);

		probe_set(r, ok, ok ? "TCP (issue 3) can follow the peer's window" :
			  "TCP (issue 3) can only use the send buffer size",
			  ok ? "reported" : "missing (before Linux 5.3)");
	} else {
		bool ok = probe_tcp_peek_off();

		probe_set(r, ok, ok ? "TCP (issue 3) can peek past unacked data" :
			  "TCP (issue 3) must peek from the queue's start",
			  ok ? "supported" : "not supported (before Linux 6.10)");
	}
	close(fds[0]);
	close(fds[1]);
}

/**
 * probe_socket() - Can a socket of this kind be opened
 * @r:		Result
 * @af:		Address family
 * @type:	Socket type
 * @proto:	Protocol
 * @yes:	Action if it can
 * @no:		Action if it can't
 */
static void probe_socket(struct probe_result *r, int af, int type, int proto,
			 const char *yes, const char *no)
{
	char range[32] = "";
	int s = socket(af, type | SOCK_CLOEXEC, proto);

	probe_read_file("/proc/sys/net/ipv4/ping_group_range", range,
			sizeof(range));
	if (s >= 0) {
		close(s);
		probe_set(r, true, yes, "opened");
		return;
	}
	probe_set(r, false, no, "%s%s%s", strerror_(errno),
		  type == SOCK_DGRAM && *range ? ", ping_group_range " : "",
		  type == SOCK_DGRAM ? range : "");
}

/**
 * probe_nofile() - How many files may we open
 * @r:		Result
 */
static void probe_nofile(struct probe_result *r)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		probe_set(r, false, "default limits", "%s", strerror_(errno));
		return;
	}
	probe_set(r, true, "bounds the number of connections and flows",
		  "soft %llu, hard %llu", (unsigned long long)rl.rlim_cur,
		  (unsigned long long)rl.rlim_max);
}

/**
 * probe_port_start() - Lowest port bindable without privileges
 * @r:		Result
 */
static void probe_port_start(struct probe_result *r)
{
	char v[16];

	if (!probe_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start",
			     v, sizeof(v))) {
		probe_set(r, false, "ports below 1024 need privileges",
			  "not readable");
		return;
	}
	probe_set(r, true, "forwarded ports below this need "
		  "CAP_NET_BIND_SERVICE", "%s", v);
}

/**
 * probe_run() - Run one probe
 * @id:		Which
 * @r:		Filled with the result
 */
void probe_run(enum probe_id id, struct probe_result *r)
{
	memset(r, 0, sizeof(*r));
	r->name = id < PROBE_NUM ? probe_names[id] : "?";

	switch (id) {
	case PROBE_USERNS:	probe_userns(r);			break;
	case PROBE_TUN:		probe_tun(r);				break;
	case PROBE_TAP_NS:	probe_tap_ns(r);			break;
	case PROBE_SPLICE:	probe_splice(r);			break;
	case PROBE_BPF_SK_SKB:	probe_bpf(r, bpf_probe_prog_sk_skb());	break;
	case PROBE_BPF_SK_MSG:	probe_bpf(r, bpf_probe_prog_sk_msg());	break;
	case PROBE_BPF_SOCKHASH: probe_bpf(r, bpf_probe_map_sockhash()); break;
	case PROBE_BPF_FASTPATH: probe_bpf(r, bpf_probe_fastpath());	break;
	case PROBE_SECCOMP:	probe_seccomp(r);			break;
	case PROBE_BINDTODEVICE: probe_bindtodevice(r);			break;
	case PROBE_TCP_SND_WND:
	case PROBE_PEEK_OFF:	probe_tcp(r, id);			break;
	case PROBE_PING4:
		probe_socket(r, AF_INET, SOCK_DGRAM, IPPROTO_ICMP,
			     "ICMP echo through ping sockets",
			     "raw socket if allowed, else echo dropped");
		break;
	case PROBE_PING6:
		probe_socket(r, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6,
			     "ICMPv6 echo through ping sockets",
			     "raw socket if allowed, else echo dropped");
		break;
	case PROBE_RAW_ICMP:
		probe_socket(r, AF_INET, SOCK_RAW, IPPROTO_ICMP,
			     "fallback when ping sockets are not allowed",
			     "no fallback (needs CAP_NET_RAW)");
		break;
	case PROBE_IPV6:
		probe_socket(r, AF_INET6, SOCK_DGRAM, 0, "IPv6 served",
			     "IPv4 only");
		break;
	case PROBE_NOFILE:	probe_nofile(r);			break;
	case PROBE_PORT_START:	probe_port_start(r);			break;
	default:
		probe_set(r, false, "", "unknown probe");
	}
}
