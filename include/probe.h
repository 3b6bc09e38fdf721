/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe.h - kernel and privilege features we rely on, tried for real */
#ifndef PROBE_H
#define PROBE_H

#include <stdbool.h>
#include <stddef.h>

/**
 * enum probe_id - features probed
 * @PROBE_USERNS:	Create a user and network namespace
 * @PROBE_TUN:		Open /dev/net/tun
 * @PROBE_TAP_NS:	Create a tap device inside a new namespace
 * @PROBE_SPLICE:	splice() from a socket, largest pipe size
 * @PROBE_BPF_SK_SKB:	Load sk_skb programs
 * @PROBE_BPF_SK_MSG:	Load sk_msg programs
 * @PROBE_BPF_SOCKHASH:	Create sockhash maps
 * @PROBE_BPF_FASTPATH:	Load and attach the fast-path object itself
 * @PROBE_SECCOMP:	Install seccomp filters
 * @PROBE_BINDTODEVICE:	SO_BINDTODEVICE without privileges
 * @PROBE_TCP_SND_WND:	tcpi_snd_wnd in TCP_INFO
 * @PROBE_PEEK_OFF:	SO_PEEK_OFF on TCP sockets
 * @PROBE_PING4:	ICMP ping sockets
 * @PROBE_PING6:	ICMPv6 ping sockets
 * @PROBE_RAW_ICMP:	Raw ICMP sockets (fallback for ping)
 * @PROBE_IPV6:		IPv6 sockets
 * @PROBE_NOFILE:	RLIMIT_NOFILE
 * @PROBE_PORT_START:	net.ipv4.ip_unprivileged_port_start
 * @PROBE_NUM:		Sentinel
 */
enum probe_id {
	PROBE_USERNS,
	PROBE_TUN,
	PROBE_TAP_NS,
	PROBE_SPLICE,
	PROBE_BPF_SK_SKB,
	PROBE_BPF_SK_MSG,
	PROBE_BPF_SOCKHASH,
	PROBE_BPF_FASTPATH,
	PROBE_SECCOMP,
	PROBE_BINDTODEVICE,
	PROBE_TCP_SND_WND,
	PROBE_PEEK_OFF,
	PROBE_PING4,
	PROBE_PING6,
	PROBE_RAW_ICMP,
	PROBE_IPV6,
	PROBE_NOFILE,
	PROBE_PORT_START,
	PROBE_NUM,
};

#define PROBE_TEXT	192

/**
 * struct probe_result - outcome of one probe
 * @name:	Feature name, stable (used as JSON key material)
 * @available:	The feature works here, for this user
 * @detail:	What was seen: a value, or the error and what it means
 * @action:	What the daemon does about it
 */
struct probe_result {
	const char *name;
	bool available;
	char detail[PROBE_TEXT];
	char action[PROBE_TEXT];
};

void probe_run(enum probe_id id, struct probe_result *r);
bool probe_tcp_peek_off(void);

/* BPF probes, implemented in loader/ (the only user of libbpf) */
int bpf_probe_prog_sk_skb(void);
int bpf_probe_prog_sk_msg(void);
int bpf_probe_map_sockhash(void);
int bpf_probe_fastpath(void);

#endif /* PROBE_H */
