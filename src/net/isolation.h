/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_ISOLATION_H
#define BERTH_NET_ISOLATION_H

/*
 * Isolation between bridge networks, in the filter table:
 *
 *	-I FORWARD -j BERTH-ISOLATION-1
 *	-A BERTH-ISOLATION-1 -i BRIDGE ! -o BRIDGE -j BERTH-ISOLATION-2
 *	-I BERTH-ISOLATION-2 -m conntrack --ctstate DNAT -j RETURN
 *	-A BERTH-ISOLATION-2 -o BRIDGE -j DROP
 *
 * A packet that a host forwards from one berth bridge to another is
 * dropped, unless a published port's DNAT sent it there: a published
 * port is open to every client. An internal network also drops what
 * would leave or enter its bridge from anywhere else. The rules matter
 * only on hosts that forward (net.ipv4.ip_forward=1): without it no
 * packet crosses from one bridge to another.
 */

#include "net/network.h"
#include "util/error.h"

/* Add the network's rules (and the chains and jumps) unless present. */
int net_isolation_ensure(const struct net_network *net,
			 struct berth_error **err);

/* Delete the network's rules. Missing rules are not an error. */
int net_isolation_remove(const struct net_network *net,
			 struct berth_error **err);

#endif
