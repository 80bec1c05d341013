/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_IPAM_H
#define BERTH_NET_IPAM_H

/*
 * Address management of bridge networks. These functions only change
 * the in-memory network; the caller holds the network lock and saves
 * the network afterwards.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/network.h"

/*
 * Give the container an address: requested (a dotted quad) when not
 * NULL, else the lowest free host address. The gateway, the subnet's
 * first and last address and the addresses of other containers are
 * never given. Fails, changing nothing, when the requested address is
 * outside the subnet or taken, or the subnet is full.
 */
int net_ipam_allocate(struct net_network *net, const char *container,
		      const char *name, const char *requested, uint32_t *ret,
		      struct berth_error **err);

/* Forget the container's address; return whether it had one. */
bool net_ipam_release(struct net_network *net, const char *container);

/*
 * Choose a subnet for a new network: the first /24 of 10.89.1.0 to
 * 10.89.255.0 that overlaps none of the n subnets in taken.
 */
int net_subnet_choose(const struct net_cidr *taken, size_t n,
		      struct net_cidr *ret, struct berth_error **err);

#endif
