/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_STORE_H
#define BERTH_NET_STORE_H

/*
 * The networks of a store: ROOT/networks/<name>.json, read and changed
 * under ROOT/networks.lock (see util/lock.h for the lock order).
 */

#include <stdbool.h>

#include "net/network.h"
#include "util/error.h"

struct net_create_options {
	const char *name;
	const char *subnet;  /* NULL = a free /24 of 10.89.0.0/16 */
	const char *gateway; /* NULL = the subnet's first host address */
	bool internal;
	char **labels; /* "K=V" */
};

int net_store_lock(const char *root, int *ret_fd, struct berth_error **err);

/*
 * Load the network name, with the lock held. The default network is
 * created on first use.
 */
int net_network_load(const char *root, const char *name,
		     struct net_network **ret, struct berth_error **err);

bool net_network_exists(const char *root, const char *name);

int net_network_save(const char *root, const struct net_network *net,
		     struct berth_error **err);

/* The names of all networks, sorted. */
int net_network_list(const char *root, char ***ret_names,
		     struct berth_error **err);

/*
 * Create a network and its bridge, under the lock. The subnet must not
 * overlap another network's or a host route's.
 */
int net_network_create(const char *root, const struct net_create_options *opts,
		       struct net_network **ret, struct berth_error **err);

/* Remove a network without containers and its bridge, under the lock. */
int net_network_remove(const char *root, const char *name,
		       struct berth_error **err);

#endif
