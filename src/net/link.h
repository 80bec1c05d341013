/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_LINK_H
#define BERTH_NET_LINK_H

/*
 * Network devices through rtnetlink (libnl-route): the bridge of a
 * network, and the veth pair that joins a container's network
 * namespace to it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/*
 * Make the bridge name (if missing) with address gateway/prefix and set
 * it up. An existing bridge with the address is left as it is. Returns
 * 1 when the bridge was made, 0 when it existed.
 */
int net_bridge_ensure(const char *name, uint32_t gateway, unsigned prefix,
		      struct berth_error **err);

/* Delete the device; a missing one is not an error. */
int net_link_delete(const char *name, struct berth_error **err);

bool net_link_exists(const char *name);

struct net_veth_config {
	const char *host_name; /* the end that stays on the host */
	const char *bridge;    /* the host end's master */
	int netns_fd;	       /* the container's network namespace */
	const char *ifname;    /* the other end's name there: "eth0" */
	uint32_t ip;	       /* the container end's address */
	unsigned prefix;
	uint32_t gateway;   /* the container's default route */
	bool default_route; /* false on internal and secondary networks */
};

/*
 * Make the veth pair: the host end joins the bridge and goes up, the
 * other end moves into the namespace as ifname with its address and,
 * if asked, the default route, and lo goes up there. A failure deletes
 * the pair.
 */
int net_veth_setup(const struct net_veth_config *config,
		   struct berth_error **err);

/*
 * In the network namespace netns_fd, route everything without a more
 * specific route through gateway on device ifname, replacing the
 * default route if there is one.
 */
int net_default_route_set(int netns_fd, const char *ifname, uint32_t gateway,
			  struct berth_error **err);

#endif
