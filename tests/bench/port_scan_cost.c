// SPDX-License-Identifier: GPL-2.0-or-later
/* port_scan_cost.c - cost of one port scan: inet_diag vs /proc/net text
 *
 * Usage: port_scan_cost [LISTENERS [SCANS]]
 *
 * Opens LISTENERS TCP sockets listening on 127.0.0.1 (and as many bound
 * UDP sockets), then times SCANS rounds of each method finding the bound
 * ports, IPv4 and IPv6: port_scan() (pasta/port_scan.c, what pasta uses)
 * and reading plus parsing /proc/net/{tcp,tcp6} (upstream pasta's way).
 * Prints microseconds per scan, wall clock and CPU, and checks that both
 * methods found the same ports.  Run it in a fresh network namespace
 * (unshare -n) for a count that doesn't depend on the machine.
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "port_scan.h"

#define NBITS	65536

/**
 * now_us() - Monotonic or CPU time in microseconds
 * @clk:	Clock
 *
 * Return: time in microseconds
 */
static double now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/**
 * proc_scan_file() - Parse one /proc/net/{tcp,udp}{,6} file
 * @path:	File
 * @state:	Socket state wanted (0A: listen, 07: unconnected UDP)
 * @map:	Bitmap to set ports in
 *
 * Return: sockets found in @state, -1 on error
 */
static int proc_scan_file(const char *path, unsigned state, uint8_t *map)
{
	static char buf[1 << 22];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	size_t len = 0;
	ssize_t r;
	char *line;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';

	line = strchr(buf, '\n');	/* header */
	while (line && *++line) {
		unsigned port, st;

		if (sscanf(line, "%*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
			   &port, &st) == 2 && st == state && port) {
			map[port / 8] |= (uint8_t)(1U << (port % 8));
			n++;
		}
		line = strchr(line, '\n');
	}
	return n;
}

/**
 * main() - Open sockets, time both methods
 * @argc:	Argument count
 * @argv:	LISTENERS, SCANS
 *
 * Return: 0 on success, 1 if a method failed or they disagreed
 */
int main(int argc, char **argv)
{
	int nsock = argc > 1 ? atoi(argv[1]) : 1000;
	int scans = argc > 2 ? atoi(argv[2]) : 200;
	static uint8_t m1[NBITS / 8], m2[NBITS / 8];
	struct rlimit rl = { 65536, 65536 };
	double t0, c0, nl_wall, nl_cpu, pr_wall, pr_cpu;
	int nl, i, found1 = 0, found2 = 0;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < nsock; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int u = socket(AF_INET, SOCK_DGRAM, 0);

		if (s < 0 || u < 0 ||
		    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
		    bind(u, (struct sockaddr *)&a, sizeof(a))) {
			perror("socket");
			return 1;
		}
	}
	nl = port_scan_open();
	if (nl < 0) {
		fprintf(stderr, "port_scan_open: %d\n", nl);
		return 1;
	}

	t0 = now_us(CLOCK_MONOTONIC);
	c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < scans; i++) {
		memset(m1, 0, sizeof(m1));
		found1 = port_scan(nl, IPPROTO_TCP, NULL, NULL, m1);
		if (found1 < 0) {
			fprintf(stderr, "port_scan: %d\n", found1);
			return 1;
		}
	}
	nl_wall = (now_us(CLOCK_MONOTONIC) - t0) / scans;
	nl_cpu = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / scans;

	t0 = now_us(CLOCK_MONOTONIC);
	c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < scans; i++) {
		int a, b;

		memset(m2, 0, sizeof(m2));
		a = proc_scan_file("/proc/net/tcp", 0x0a, m2);
		b = proc_scan_file("/proc/net/tcp6", 0x0a, m2);
		if (a < 0 || b < 0) {
			perror("/proc/net/tcp");
			return 1;
		}
		found2 = a + b;
	}
	pr_wall = (now_us(CLOCK_MONOTONIC) - t0) / scans;
	pr_cpu = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / scans;

	printf("TCP, %d listeners (+%d bound UDP sockets), %d scans each\n",
	       nsock, nsock, scans);
	printf("inet_diag: %d sockets, %.1f us/scan wall, %.1f us/scan CPU\n",
	       found1, nl_wall, nl_cpu);
	printf("/proc/net: %d sockets, %.1f us/scan wall, %.1f us/scan CPU\n",
	       found2, pr_wall, pr_cpu);

	t0 = now_us(CLOCK_MONOTONIC);
	c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	memset(m1, 0, sizeof(m1));
	for (i = 0; i < scans; i++)
		found1 = port_scan(nl, IPPROTO_UDP, NULL, NULL, m1);
	nl_wall = (now_us(CLOCK_MONOTONIC) - t0) / scans;
	nl_cpu = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / scans;
	t0 = now_us(CLOCK_MONOTONIC);
	c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	memset(m2, 0, sizeof(m2));
	for (i = 0; i < scans; i++)
		found2 = proc_scan_file("/proc/net/udp", 0x07, m2) +
			 proc_scan_file("/proc/net/udp6", 0x07, m2);
	pr_wall = (now_us(CLOCK_MONOTONIC) - t0) / scans;
	pr_cpu = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / scans;
	printf("UDP, %d bound sockets\n", nsock);
	printf("inet_diag: %d sockets, %.1f us/scan wall, %.1f us/scan CPU\n",
	       found1, nl_wall, nl_cpu);
	printf("/proc/net: %d sockets, %.1f us/scan wall, %.1f us/scan CPU\n",
	       found2, pr_wall, pr_cpu);

	/* Both methods must have found the same UDP ports */
	return memcmp(m1, m2, sizeof(m1)) ? 1 : 0;
}
