/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_NAT_H
#define BERTH_NET_NAT_H

/*
 * Outbound NAT of a bridge network: one iptables rule
 *
 *	-t nat POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE
 *
 * so that traffic that leaves the host from a container carries the
 * host's address. berth does not change net.ipv4.ip_forward: the host's
 * administrator decides whether the host forwards at all.
 */

#include "net/network.h"
#include "util/error.h"

/* Add the rule unless it is there. Internal networks get none. */
int net_nat_ensure(const struct net_network *net, struct berth_error **err);

/* Delete the rule; a missing rule is not an error. */
int net_nat_remove(const struct net_network *net, struct berth_error **err);

#endif
