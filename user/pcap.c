// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - capture of guest-side frames in the classic pcap format
 *
 * With -p FILE, every frame read from or sent to the guest is appended to
 * FILE as a pcap record (the libpcap savefile format, link type Ethernet),
 * readable by tcpdump and tshark.  The file is opened once at start, so
 * capturing keeps working once the filesystem is out of reach.  A record
 * that can't be written is dropped (debug line); capture never stops
 * traffic.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pcap.h"
#include "util.h"

#define PCAP_MAGIC		0xa1b2c3d4	/* microsecond timestamps */
#define PCAP_VERSION_MAJOR	2
#define PCAP_VERSION_MINOR	4
#define PCAP_SNAPLEN		65535
#define PCAP_LINKTYPE_ETHERNET	1

/* Savefile header: magic (host order: readers detect it), version 2.4,
 * GMT offset 0, timestamp accuracy 0, snapshot length, link type
 */
#define PCAP_FILE_HDR_LEN	24

/**
 * struct pcap_rec_hdr - per-frame record header
 * @ts_sec:	Seconds (CLOCK_REALTIME)
 * @ts_usec:	Microseconds
 * @caplen:	Bytes stored
 * @len:	Bytes on the wire
 */
struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t caplen;
	uint32_t len;
};

/**
 * pcap_init() - Create the capture file and write its header
 * @c:		Execution context; c->pcap is the path, empty for none
 *
 * Context: setup, before any sandboxing; exits on failure
 */
void pcap_init(struct ctx *c)
{
	uint32_t magic = PCAP_MAGIC, snaplen = PCAP_SNAPLEN, zero = 0;
	uint32_t linktype = PCAP_LINKTYPE_ETHERNET;
	uint16_t major = PCAP_VERSION_MAJOR, minor = PCAP_VERSION_MINOR;
	struct iovec h[] = {
		{ &magic, 4 }, { &major, 2 }, { &minor, 2 },
		{ &zero, 4 }, { &zero, 4 }, { &snaplen, 4 }, { &linktype, 4 },
	};

	c->fd_pcap = -1;
	if (!*c->pcap)
		return;
	c->fd_pcap = open(c->pcap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
	if (c->fd_pcap < 0)
		die_perror("--pcap: can't open %s", c->pcap);
	if (writev(c->fd_pcap, h, ARRAY_SIZE(h)) != PCAP_FILE_HDR_LEN)
		die_perror("--pcap: can't write %s", c->pcap);
	info("Saving packet capture to %s", c->pcap);
}

/**
 * pcap_frame() - Append one frame to the capture, if capturing
 * @c:		Execution context
 * @frame:	Ethernet frame
 * @len:	Frame length
 *
 * #syscalls writev clock_gettime
 */
void pcap_frame(const struct ctx *c, const void *frame, size_t len)
{
	struct pcap_rec_hdr r;
	struct iovec iov[2];
	struct timespec ts;
	size_t cap = MIN(len, (size_t)PCAP_SNAPLEN);
	ssize_t n;

	if (c->fd_pcap < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	r.ts_sec = (uint32_t)ts.tv_sec;
	r.ts_usec = (uint32_t)(ts.tv_nsec / 1000);
	r.caplen = (uint32_t)cap;
	r.len = (uint32_t)len;
	iov[0].iov_base = &r;
	iov[0].iov_len = sizeof(r);
	iov[1].iov_base = (void *)(uintptr_t)frame;
	iov[1].iov_len = cap;
	n = writev(c->fd_pcap, iov, 2);
	if (n != (ssize_t)(sizeof(r) + cap))
		debug("pcap: record of %zu bytes not written", len);
}
