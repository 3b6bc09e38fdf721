// SPDX-License-Identifier: GPL-2.0-or-later
/* passt_sock.c - qemu's stream transport: length-prefixed frames on a UNIX
 * socket
 *
 * Theory of operation: qemu (-netdev stream, since 7.2) sends and expects
 * each Ethernet frame preceded by its length as a 32-bit big-endian
 * integer.  We bind the listening socket once at start (it survives any
 * later sandboxing), accept one guest at a time, and close further clients
 * at once while a guest is connected.
 *
 * Receiving: bytes accumulate in c->passt.stream; every complete frame is
 * copied into the tap pool's buffer at an aligned offset and queued, so the
 * protocol handlers see exactly what they see in pasta mode.  A partial
 * frame stays at the start of the stream buffer for the next read.  A
 * length above the largest frame means the stream is out of step: the guest
 * is disconnected rather than risking misreading everything after it.
 *
 * Sending: length and frame go out in one sendmsg().  If the socket is full
 * the frame is dropped (like a full tap queue), but once part of a frame is
 * out, the rest must follow or the stream would be out of step, so we wait
 * (bounded) for room to finish it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "epoll_ref.h"
#include "icmp.h"
#include "log.h"
#include "packet.h"
#include "passt.h"
#include "tap.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define PASST_STREAM_SIZE	(1024 * 1024)
#define PASST_SEND_WAIT_MS	1000	/* to finish a partly sent frame */

/**
 * passt_sock_in_use() - Check whether a socket path accepts connections
 * @path:	Socket path
 *
 * Return: true if something listens there
 */
static bool passt_sock_in_use(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (s < 0)
		return false;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	used = !connect(s, (struct sockaddr *)&a, sizeof(a));
	close(s);
	return used;
}

/**
 * passt_sock_bind() - Bind and listen on a UNIX socket path
 * @path:	Socket path; a stale socket file there is replaced
 *
 * Return: listening socket, -errno on failure (-EADDRINUSE if in use)
 */
static int passt_sock_bind(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	if (passt_sock_in_use(path))
		return -EADDRINUSE;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);	/* stale: nobody accepts connections there */
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		int rc = -errno;

		close(s);
		return rc;
	}
	return s;
}

/**
 * passt_sock_sndbuf() - Give the guest's stream the largest send buffer
 * @s:		Connected stream socket
 *
 * The default (net.core.wmem_default, 208 KiB here) holds three frames at
 * MTU 65520: every third frame towards the guest found it full and waited
 * for an ACK from the guest.
 */
static void passt_sock_sndbuf(int s)
{
	if (sock_sndbuf_max(s))
		debug_perror("passt: SO_SNDBUF");
}

/**
 * passt_sock_init() - Bind the socket qemu connects to, or take -F's
 * @c:		Execution context, epoll ready
 *
 * Context: setup; exits on failure
 */
void passt_sock_init(struct ctx *c)
{
	struct passt_conf *pc = &c->passt;
	int s = -EADDRINUSE, rc;

	pc->stream = malloc(PASST_STREAM_SIZE);
	if (!pc->stream)
		die("can't allocate stream buffer");
	pc->fd_listen = -1;

	if (pc->fd >= 0) {
		c->fd_tap = pc->fd;
		pc->one_off = true;
		passt_sock_sndbuf(c->fd_tap);
		rc = epoll_ref_add(c->epollfd, EPOLLIN | EPOLLRDHUP,
				   EPOLL_TYPE_TAP, c->fd_tap, 0);
		if (rc) {
			errno = -rc;
			die_perror("--fd: can't watch descriptor %d", pc->fd);
		}
		return;
	}

	if (*pc->sock_path) {
		s = passt_sock_bind(pc->sock_path);
		if (s < 0) {
			errno = -s;
			die_perror("--socket: can't bind %s", pc->sock_path);
		}
	} else {
		for (int i = 1; i <= PASST_SOCK_MAX && s < 0; i++) {
			char path[sizeof(pc->sock_path)];

			snprintf(path, sizeof(path), "/tmp/passt_%i.socket", i);
			s = passt_sock_bind(path);
			if (s >= 0)
				snprintf(pc->sock_path, sizeof(pc->sock_path),
					 "%s", path);
		}
		if (s < 0)
			die("no free socket path in /tmp/passt_1.socket to "
			    "/tmp/passt_%i.socket: give one with --socket",
			    PASST_SOCK_MAX);
	}
	pc->fd_listen = s;
	rc = epoll_ref_add(c->epollfd, EPOLLIN, EPOLL_TYPE_TAP_LISTEN, s, 0);
	if (rc) {
		errno = -rc;
		die_perror("can't watch listening socket");
	}

	info("UNIX domain socket bound at %s", pc->sock_path);
	info("You can now start qemu (>= 7.2) with:");
	info("    qemu-system-x86_64 ... -device virtio-net-pci,netdev=s "
	     "-netdev stream,id=s,server=off,addr.type=unix,addr.path=%s",
	     pc->sock_path);
}

/**
 * passt_listen_handler() - Accept a guest, or turn it away if one is here
 * @c:		Execution context
 *
 * #syscalls:passt accept4 close
 */
void passt_listen_handler(struct ctx *c)
{
	int s = accept4(c->passt.fd_listen, NULL, NULL,
			SOCK_NONBLOCK | SOCK_CLOEXEC);
	int rc;

	if (s < 0) {
		if (errno != EAGAIN && errno != EINTR)
			debug_perror("accept on %s", c->passt.sock_path);
		return;
	}
	if (c->fd_tap >= 0) {
		info("another guest is connected: closing new connection");
		close(s);
		return;
	}
	passt_sock_sndbuf(s);
	rc = epoll_ref_add(c->epollfd, EPOLLIN | EPOLLRDHUP, EPOLL_TYPE_TAP,
			   s, 0);
	if (rc) {
		debug("can't watch guest connection: %s", strerror_(-rc));
		close(s);
		return;
	}
	c->fd_tap = s;
	c->passt.stream_used = 0;
	info("guest connected");
}

/**
 * passt_guest_gone() - Forget the guest: close its connection, reset state
 * @c:		Execution context
 *
 * What we learnt about the guest (MAC, addresses) and its ICMP sockets go,
 * so that the next guest starts afresh, Router Advertisements included.
 * With --one-off (or --fd), the main loop ends instead.
 *
 * #syscalls:passt epoll_ctl close
 */
void passt_guest_gone(struct ctx *c)
{
	if (c->fd_tap >= 0) {
		epoll_ctl(c->epollfd, EPOLL_CTL_DEL, c->fd_tap, NULL);
		close(c->fd_tap);
		c->fd_tap = -1;
	}
	info("guest disconnected");
	c->passt.stream_used = 0;
	pool_flush(c->pool_tap);
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));
	memset(&c->ip4.addr_seen, 0, sizeof(c->ip4.addr_seen));
	memset(&c->ip6.addr_seen, 0, sizeof(c->ip6.addr_seen));
	memset(&c->ip6.addr_ll_seen, 0, sizeof(c->ip6.addr_ll_seen));
	memset(&c->ra_next, 0, sizeof(c->ra_next));
	c->ra_sent = 0;
	icmp_reset(c);
	tcp_reset(c);
	udp_reset(c);
	if (c->passt.one_off)
		c->done = true;
}

/**
 * passt_parse_frames() - Queue the complete frames in the stream buffer
 * @c:		Execution context
 * @used:	In: offset in the tap buffer where the next frame may go;
 *		out: updated
 *
 * Return: frames queued, or -EPROTO if a length is impossible
 */
static int passt_parse_frames(struct ctx *c, size_t *used)
{
	struct passt_conf *pc = &c->passt;
	struct pool *p = c->pool_tap;
	size_t off = 0;
	int n = 0;

	while (pc->stream_used - off >= 4) {
		uint32_t len;

		memcpy(&len, pc->stream + off, 4);
		len = ntohl(len);
		if (len > PKT_MAX_FRAME) {
			debug("passt: frame length %u from guest, stream out "
			      "of step", len);
			return -EPROTO;
		}
		if (pc->stream_used - off - 4 < len)
			break;				/* partial frame */
		if (pool_full(p) || *used > p->buf_size ||
		    p->buf_size - *used < len)
			break;				/* next round */

		memcpy(p->buf + *used, pc->stream + off + 4, len);
		if (!packet_add(p, len, p->buf + *used))
			n++;
		*used = ((*used + len + 5) & ~(size_t)7) + TAP_FRAME_ALIGN_OFF;
		off += 4 + (size_t)len;
	}
	memmove(pc->stream, pc->stream + off, pc->stream_used - off);
	pc->stream_used -= off;
	return n;
}

/**
 * passt_read_frames() - Read from the guest's stream, queue complete frames
 * @c:		Execution context, guest connected
 *
 * Frames left over from an earlier call (pool full) are queued first; then
 * the socket is read once.
 *
 * Return: frames queued, -ENOTCONN if the guest left, -EPROTO if the stream
 * is out of step, other -errno on socket errors
 *
 * #syscalls:passt recvfrom
 */
int passt_read_frames(struct ctx *c)
{
	struct passt_conf *pc = &c->passt;
	size_t used = TAP_FRAME_ALIGN_OFF;
	int n, m;
	ssize_t r;

	n = passt_parse_frames(c, &used);
	if (n < 0 || pool_full(c->pool_tap))
		return n;

	r = recv(c->fd_tap, pc->stream + pc->stream_used,
		 PASST_STREAM_SIZE - pc->stream_used, MSG_DONTWAIT);
	if (r == 0)
		return -ENOTCONN;
	if (r < 0)
		return (errno == EAGAIN || errno == EINTR) ? n : -errno;
	pc->stream_used += (size_t)r;

	m = passt_parse_frames(c, &used);
	return m < 0 ? m : n + m;
}

/**
 * passt_send_rest() - Finish sending a partly sent frame
 * @c:		Execution context
 * @iov:	Length prefix and frame
 * @sent:	Bytes of @iov already sent
 *
 * Return: 0 on success, -errno if the stream is now out of step
 *
 * #syscalls:passt poll ppoll
 */
static int passt_send_rest(const struct ctx *c, const struct iovec *iov,
			   size_t sent)
{
	size_t total = iov[0].iov_len + iov[1].iov_len;
	int tries;

	for (tries = 0; sent < total && tries < 100; tries++) {
		struct pollfd pfd = { .fd = c->fd_tap, .events = POLLOUT };
		const char *base;
		size_t left;
		ssize_t n;

		if (sent < iov[0].iov_len) {
			base = (const char *)iov[0].iov_base + sent;
			left = iov[0].iov_len - sent;
		} else {
			base = (const char *)iov[1].iov_base + sent -
			       iov[0].iov_len;
			left = total - sent;
		}
		n = send(c->fd_tap, base, left, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (poll(&pfd, 1, PASST_SEND_WAIT_MS / 10) < 0 &&
		    errno != EINTR)
			return -errno;
	}
	return sent == total ? 0 : -ETIMEDOUT;
}

/**
 * passt_send_frame() - Send one frame to the guest, with its length prefix
 * @c:		Execution context
 * @frame:	Ethernet frame
 * @len:	Frame length
 *
 * Return: 0 on success, -errno if the frame was dropped
 *
 * #syscalls:passt sendmsg shutdown
 */
int passt_send_frame(const struct ctx *c, const void *frame, size_t len)
{
	uint32_t prefix = htonl((uint32_t)len);
	struct iovec iov[2] = {
		{ .iov_base = &prefix, .iov_len = 4 },
		{ .iov_base = (void *)(uintptr_t)frame, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	int rc;

	if (c->fd_tap < 0)
		return -ENOTCONN;
	n = sendmsg(c->fd_tap, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		rc = -errno;
		if (rc != -EAGAIN)
			debug_perror("passt: dropped frame of %zu bytes", len);
		return rc;
	}
	if ((size_t)n == len + 4)
		return 0;
	rc = passt_send_rest(c, iov, (size_t)n);
	if (rc) {
		/* Out of step: the main loop sees the hang-up and cleans up */
		debug("passt: can't finish sending a frame: %s", strerror_(-rc));
		shutdown(c->fd_tap, SHUT_RDWR);
	}
	return rc;
}
