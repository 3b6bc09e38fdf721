// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - answer the guest's ARP requests (RFC 826) on behalf of everybody
 *
 * Theory of operation: every IPv4 packet the guest sends leaves through us,
 * whatever its destination, so we claim every address the guest asks about
 * with our own MAC address.  The exceptions are the addresses the guest
 * itself uses (a reply would make its duplicate address detection fail) and
 * requests that are not questions: probes (RFC 5227, sender address
 * 0.0.0.0) and announcements (sender address equal to the target).  ARP
 * replies and anything not Ethernet/IPv4 are ignored.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ctx.h"
#include "l2.h"
#include "log.h"
#include "packet.h"
#include "tap.h"

/**
 * struct arp_msg - ARP header and Ethernet/IPv4 addresses, wire layout
 * @htype:	Hardware type, network order (ARPHRD_ETHER)
 * @ptype:	Protocol type, network order (ETH_P_IP)
 * @hlen:	Hardware address length (6)
 * @plen:	Protocol address length (4)
 * @op:		Operation, network order (ARPOP_REQUEST, ARPOP_REPLY)
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 */
struct arp_msg {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN_];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN_];
	uint8_t tpa[4];
};

static_assert(sizeof(struct arp_msg) == 28, "ARP message has no padding");

/**
 * arp_is_question() - Check whether an ARP request deserves an answer
 * @c:		Execution context
 * @am:		Request, Ethernet/IPv4, opcode already checked
 *
 * Return: true if we should claim the target address
 */
static bool arp_is_question(const struct ctx *c, const struct arp_msg *am)
{
	struct in_addr spa, tpa;

	memcpy(&spa, am->spa, sizeof(spa));
	memcpy(&tpa, am->tpa, sizeof(tpa));

	if (!spa.s_addr || spa.s_addr == tpa.s_addr) {
		trace("ARP: ignoring probe or announcement");
		return false;
	}
	if (!tpa.s_addr || tpa.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(tpa.s_addr)))
		return false;
	if (tpa.s_addr == c->ip4.addr.s_addr ||
	    tpa.s_addr == c->ip4.addr_seen.s_addr) {
		trace("ARP: not answering for the guest's own address");
		return false;
	}
	/* A multicast sender address would turn our reply into a broadcast */
	if (am->sha[0] & 1)
		return false;
	return true;
}

/**
 * arp() - Answer an ARP request from the guest with our MAC address
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l3off:	Offset of the ARP header in the frame
 *
 * Return: 1, always: ARP frames are consumed here, answered or not
 */
int arp(const struct ctx *c, const struct pool *p, size_t idx, size_t l3off)
{
	uint8_t frame[ETH_HLEN_ + sizeof(struct arp_msg)];
	const void *raw = packet_get(p, idx, l3off, sizeof(struct arp_msg),
				     NULL);
	uint16_t ethertype = htons(ETH_P_ARP);
	struct arp_msg am, reply;

	if (!raw) {
		debug("ARP: truncated message, dropped");
		return 1;
	}
	memcpy(&am, raw, sizeof(am));

	if (!c->ifi4)
		return 1;
	if (am.htype != htons(ARPHRD_ETHER) || am.ptype != htons(ETH_P_IP) ||
	    am.hlen != ETH_ALEN_ || am.plen != 4) {
		trace("ARP: not Ethernet/IPv4, ignored");
		return 1;
	}
	if (am.op != htons(ARPOP_REQUEST) || !arp_is_question(c, &am))
		return 1;

	reply = am;
	reply.op = htons(ARPOP_REPLY);
	memcpy(reply.sha, c->our_mac, ETH_ALEN_);
	memcpy(reply.spa, am.tpa, sizeof(reply.spa));
	memcpy(reply.tha, am.sha, ETH_ALEN_);
	memcpy(reply.tpa, am.spa, sizeof(reply.tpa));

	memcpy(frame, am.sha, ETH_ALEN_);
	memcpy(frame + ETH_ALEN_, c->our_mac, ETH_ALEN_);
	memcpy(frame + ETH_HLEN_ - sizeof(ethertype), &ethertype,
	       sizeof(ethertype));
	memcpy(frame + ETH_HLEN_, &reply, sizeof(reply));

	trace("ARP: claiming %u.%u.%u.%u", am.tpa[0], am.tpa[1], am.tpa[2],
	      am.tpa[3]);
	tap_send(c, frame, sizeof(frame));
	return 1;
}
