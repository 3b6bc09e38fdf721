// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_relay.c - test helper: a tap device in a test namespace as passt's
 * guest
 *
 * Connects to passt's UNIX socket and relays frames between it and an
 * existing tap device, in qemu's stream format (each frame preceded by its
 * length, 32-bit big-endian).  The tap device's network stack then is the
 * guest: a real kernel answers DHCP with udhcpc, does SLAAC, runs servers.
 *
 * Usage: tap_relay SOCKET_PATH TAP_NAME
 * Run it inside the namespace that holds TAP_NAME (ip netns exec).  It
 * retries the connection for up to 5 s, and exits 0 when passt closes the
 * connection, 1 on errors.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RELAY_FRAME_MAX		(65536 + 14)	/* largest frame we relay */
#define RELAY_BUF		(1 << 20)	/* stream reassembly buffer */
#define RELAY_CONNECT_TRIES	50		/* 100 ms apart: 5 s */

/**
 * write_all() - Write a whole buffer to a blocking descriptor
 * @fd:		Descriptor
 * @buf:	Data
 * @len:	Length
 *
 * Return: 0 on success, -1 on error
 */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * tap_open() - Attach to an existing tap device
 * @name:	Interface name
 *
 * Return: descriptor, or -1 on error (reported)
 */
static int tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("tap_relay: /dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		fprintf(stderr, "tap_relay: name too long: %s\n", name);
		close(fd);
		return -1;
	}
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		perror("tap_relay: TUNSETIFF");
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * sock_connect() - Connect to passt's socket, retrying while it starts
 * @path:	Socket path
 *
 * Return: descriptor, or -1 on error (reported)
 */
static int sock_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec pause = { 0, 100 * 1000 * 1000 };

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tap_relay: path too long: %s\n", path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	for (int i = 0; i < RELAY_CONNECT_TRIES; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			perror("tap_relay: socket");
			return -1;
		}
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			return s;
		close(s);
		nanosleep(&pause, NULL);
	}
	perror("tap_relay: connect");
	return -1;
}

/**
 * tap_to_sock() - Move one frame from the tap to the socket
 * @tap:	Tap descriptor
 * @s:		Socket
 *
 * Return: 0 on success, -1 on error
 */
static int tap_to_sock(int tap, int s)
{
	static uint8_t frame[4 + RELAY_FRAME_MAX];
	ssize_t n = read(tap, frame + 4, RELAY_FRAME_MAX);
	uint32_t len;

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	len = htonl((uint32_t)n);
	memcpy(frame, &len, 4);
	return write_all(s, frame, 4 + (size_t)n);
}

/**
 * sock_to_tap() - Read from the socket, write every complete frame to the tap
 * @s:		Socket
 * @tap:	Tap descriptor
 * @buf:	Reassembly buffer, RELAY_BUF bytes
 * @fill:	Bytes pending in @buf, updated
 *
 * Return: 1 if data was moved, 0 on end of stream, -1 on error
 */
static int sock_to_tap(int s, int tap, uint8_t *buf, size_t *fill)
{
	ssize_t n = read(s, buf + *fill, RELAY_BUF - *fill);
	size_t off = 0;

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
	if (n == 0)
		return 0;
	*fill += (size_t)n;

	while (*fill - off >= 4) {
		uint32_t len;

		memcpy(&len, buf + off, 4);
		len = ntohl(len);
		if (len > RELAY_FRAME_MAX) {
			fprintf(stderr, "tap_relay: bad frame length %u\n", len);
			return -1;
		}
		if (*fill - off - 4 < len)
			break;
		/* A tap write fails only for bad frames: drop and go on */
		if (write(tap, buf + off + 4, len) < 0 && errno != EINVAL)
			perror("tap_relay: tap write");
		off += 4 + len;
	}
	memmove(buf, buf + off, *fill - off);
	*fill -= off;
	return 1;
}

/**
 * main() - Relay until passt closes the connection
 * @argc:	Argument count
 * @argv:	SOCKET_PATH TAP_NAME
 *
 * Return: 0 on end of stream, 1 on errors
 */
int main(int argc, char **argv)
{
	static uint8_t buf[RELAY_BUF];
	size_t fill = 0;
	int tap, s;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET_PATH TAP_NAME\n", argv[0]);
		return 1;
	}
	if ((tap = tap_open(argv[2])) < 0 || (s = sock_connect(argv[1])) < 0)
		return 1;

	for (;;) {
		struct pollfd p[2] = { { tap, POLLIN, 0 }, { s, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("tap_relay: poll");
			return 1;
		}
		if ((p[0].revents & POLLIN) && tap_to_sock(tap, s)) {
			perror("tap_relay: to passt");
			return 1;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int rc = sock_to_tap(s, tap, buf, &fill);

			if (rc <= 0)
				return rc ? 1 : 0;
		}
	}
}
