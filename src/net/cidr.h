/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_CIDR_H
#define BERTH_NET_CIDR_H

/*
 * IPv4 addresses and subnets in host byte order. Only dotted quads with
 * four decimal parts are accepted, so "10.1" or "010.0.0.1" never mean
 * something other than what they look like.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct net_cidr {
	uint32_t addr;	 /* the network address: host bits are zero */
	unsigned prefix; /* 0..32 */
};

int net_ip_parse(const char *s, uint32_t *ret, struct berth_error **err);

/* Parse "A.B.C.D/N"; host bits must be zero, as in "10.89.1.0/24". */
int net_cidr_parse(const char *s, struct net_cidr *ret,
		   struct berth_error **err);

uint32_t net_cidr_mask(const struct net_cidr *cidr);
bool net_cidr_contains(const struct net_cidr *cidr, uint32_t ip);
bool net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b);

/* The last address of the subnet, its broadcast address. */
uint32_t net_cidr_last(const struct net_cidr *cidr);

/* Format into buf: "A.B.C.D" (16 bytes) or "A.B.C.D/N" (19 bytes). */
void net_ip_format(uint32_t ip, char buf[static 16]);
void net_cidr_format(const struct net_cidr *cidr, char buf[static 19]);

#endif
