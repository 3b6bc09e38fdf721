// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_relay.c - test helper: a tap device in a test namespace as passt's
 * guest
 *
 * Connects to passt's UNIX socket and relays frames between it and an
 * existing tap device, in qemu's stream format (each frame preceded by its
 * length, 32-bit big-endian).  The tap device's network stack then is the
 * guest: a real kernel answers DHCP with udhcpc, does SLAAC, runs servers.
 *
 * Usage: tap_relay SOCKET_PATH TAP_NAME [DROP_PERMILLE REORDER_PERMILLE]
 * Run it inside the namespace that holds TAP_NAME (ip netns exec).  It
 * retries the connection for up to 5 s, and exits 0 when passt closes the
 * connection or on SIGTERM, 1 on errors.
 *
 * Impairment, for loss and reordering tests (this kernel has no netem): in
 * each direction, a frame is dropped with probability DROP_PERMILLE/1000,
 * or else held back with probability REORDER_PERMILLE/1000 and sent right
 * after the next frame (or after 5 ms if none comes).  A fixed-seed
 * xorshift generator makes runs repeatable.  At exit, the counts go to
 * standard error as "tap_relay: dropped N reordered M".
 */

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
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
#define RELAY_HOLD_MS		5		/* longest a frame is held back */

/**
 * struct impair - loss and reordering of one direction
 * @drop:	Frames dropped per 1000
 * @reorder:	Frames held back per 1000
 * @rng:	xorshift32 state
 * @held:	Frame held back (with its 4-byte length prefix if any)
 * @held_len:	Its length, 0 if none is held
 * @dropped:	Frames dropped so far
 * @reordered:	Frames sent after a later one so far
 * @to_tap:	Frames go to the tap (one write each, bad ones refused)
 */
struct impair {
	unsigned drop;
	unsigned reorder;
	uint32_t rng;
	uint8_t held[4 + RELAY_FRAME_MAX];
	size_t held_len;
	unsigned long dropped;
	unsigned long reordered;
	int to_tap;
};

static volatile sig_atomic_t relay_stop;

/**
 * relay_sigterm() - Ask the main loop to print its counts and exit
 * @sig:	Unused
 */
static void relay_sigterm(int sig)
{
	(void)sig;
	relay_stop = 1;
}

/**
 * impair_roll() - Next pseudo-random value in 0..999
 * @im:		Direction state
 *
 * Return: value
 */
static unsigned impair_roll(struct impair *im)
{
	im->rng ^= im->rng << 13;
	im->rng ^= im->rng >> 17;
	im->rng ^= im->rng << 5;
	return im->rng % 1000;
}

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
 * impair_write() - Write one frame to its destination
 * @im:		Direction state
 * @fd:		Destination
 * @buf:	Frame, as written to @fd
 * @len:	Its length
 *
 * A tap write fails only for bad frames: those are dropped, and we go on.
 *
 * Return: 0 on success, -1 on socket write errors
 */
static int impair_write(const struct impair *im, int fd, const uint8_t *buf,
			size_t len)
{
	if (!im->to_tap)
		return write_all(fd, buf, len);
	if (write(fd, buf, len) < 0 && errno != EINVAL)
		perror("tap_relay: tap write");
	return 0;
}

/**
 * impair_flush() - Send the frame held back, if any
 * @im:		Direction state
 * @fd:		Destination
 *
 * Return: 0 on success, -1 on write errors
 */
static int impair_flush(struct impair *im, int fd)
{
	size_t len = im->held_len;

	im->held_len = 0;
	return len ? impair_write(im, fd, im->held, len) : 0;
}

/**
 * impair_send() - Send a frame, or drop it, or hold it back for later
 * @im:		Direction state
 * @fd:		Destination
 * @buf:	Frame, as written to @fd
 * @len:	Its length
 *
 * Return: 0 on success, -1 on write errors
 */
static int impair_send(struct impair *im, int fd, const uint8_t *buf,
		       size_t len)
{
	unsigned r = impair_roll(im);

	if (r < im->drop) {
		im->dropped++;
		return 0;
	}
	if (!im->held_len && r < im->drop + im->reorder) {
		memcpy(im->held, buf, len);
		im->held_len = len;
		return 0;
	}
	if (impair_write(im, fd, buf, len))
		return -1;
	if (im->held_len) {
		im->reordered++;
		return impair_flush(im, fd);
	}
	return 0;
}

/**
 * tap_to_sock() - Move one frame from the tap to the socket
 * @tap:	Tap descriptor
 * @s:		Socket
 * @im:		Impairment of this direction
 *
 * Return: 0 on success, -1 on error
 */
static int tap_to_sock(int tap, int s, struct impair *im)
{
	static uint8_t frame[4 + RELAY_FRAME_MAX];
	ssize_t n = read(tap, frame + 4, RELAY_FRAME_MAX);
	uint32_t len;

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	len = htonl((uint32_t)n);
	memcpy(frame, &len, 4);
	return impair_send(im, s, frame, 4 + (size_t)n);
}

/**
 * sock_to_tap() - Read from the socket, write every complete frame to the tap
 * @s:		Socket
 * @tap:	Tap descriptor
 * @buf:	Reassembly buffer, RELAY_BUF bytes
 * @fill:	Bytes pending in @buf, updated
 * @im:		Impairment of this direction
 *
 * Return: 1 if data was moved, 0 on end of stream, -1 on error
 */
static int sock_to_tap(int s, int tap, uint8_t *buf, size_t *fill,
		       struct impair *im)
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
		impair_send(im, tap, buf + off + 4, len);
		off += 4 + len;
	}
	memmove(buf, buf + off, *fill - off);
	*fill -= off;
	return 1;
}

/**
 * main() - Relay until passt closes the connection or SIGTERM
 * @argc:	Argument count
 * @argv:	SOCKET_PATH TAP_NAME [DROP_PERMILLE REORDER_PERMILLE]
 *
 * Return: 0 on end of stream or SIGTERM, 1 on errors
 */
int main(int argc, char **argv)
{
	static struct impair up = { .rng = 2463534242U };
	static struct impair down = { .rng = 88675123U, .to_tap = 1 };
	static uint8_t buf[RELAY_BUF];
	struct sigaction sa = { .sa_handler = relay_sigterm };
	size_t fill = 0;
	int tap, s, rc = 0;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s SOCKET_PATH TAP_NAME "
			"[DROP_PERMILLE REORDER_PERMILLE]\n", argv[0]);
		return 1;
	}
	if (argc == 5) {
		up.drop = down.drop = (unsigned)strtoul(argv[3], NULL, 10);
		up.reorder = down.reorder =
			(unsigned)strtoul(argv[4], NULL, 10);
		if (up.drop + up.reorder > 1000) {
			fprintf(stderr, "tap_relay: more than 1000 per mille\n");
			return 1;
		}
	}
	if (sigaction(SIGTERM, &sa, NULL)) {
		perror("tap_relay: sigaction");
		return 1;
	}
	if ((tap = tap_open(argv[2])) < 0 || (s = sock_connect(argv[1])) < 0)
		return 1;

	while (!relay_stop) {
		struct pollfd p[2] = { { tap, POLLIN, 0 }, { s, POLLIN, 0 } };
		int held = up.held_len || down.held_len;
		int n = poll(p, 2, held ? RELAY_HOLD_MS : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("tap_relay: poll");
			rc = 1;
			break;
		}
		if (!n) {	/* nothing came after a held frame: send it */
			if (impair_flush(&up, s) || impair_flush(&down, tap)) {
				perror("tap_relay: to passt");
				rc = 1;
				break;
			}
			continue;
		}
		if ((p[0].revents & POLLIN) && tap_to_sock(tap, s, &up)) {
			perror("tap_relay: to passt");
			rc = 1;
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = sock_to_tap(s, tap, buf, &fill, &down);

			if (r <= 0) {
				rc = r ? 1 : 0;
				break;
			}
		}
	}
	if (up.drop || up.reorder)
		fprintf(stderr, "tap_relay: dropped %lu reordered %lu\n",
			up.dropped + down.dropped,
			up.reordered + down.reordered);
	return rc;
}
