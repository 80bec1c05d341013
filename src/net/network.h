/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_NETWORK_H
#define BERTH_NET_NETWORK_H

/*
 * A bridge network, stored as ROOT/networks/<name>.json. The file also
 * records the address of each attached container, so the addresses are
 * allocated and released under the network lock (net_store_lock()) and
 * written with the rest of the network in one atomic replace.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/cidr.h"
#include "util/error.h"

#define NET_ID_LEN 64
#define NET_NAME_MAX 64
/* Linux limits interface names to IFNAMSIZ - 1 bytes. */
#define NET_IFNAME_MAX 15

/* The network that "--network bridge" joins, made on first use. */
#define NET_DEFAULT_NAME "bridge"
#define NET_DEFAULT_BRIDGE "berth0"
#define NET_DEFAULT_SUBNET "10.89.0.0/24"

struct net_attachment {
	char *container; /* 64-hex container id */
	char *name;	 /* container name, for inspect */
	uint32_t ip;
};

struct net_network {
	char *name;
	char *id;
	char *driver; /* always "bridge" */
	char *bridge; /* the bridge device */
	char *created;
	struct net_cidr subnet;
	uint32_t gateway;
	bool internal;
	char **labels; /* "K=V" */
	struct net_attachment *containers;
	size_t n_containers;
};

/* Check a network name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 bytes. */
int net_name_validate(const char *name, struct berth_error **err);

json_t *net_network_to_json(const struct net_network *net);

/* Parse and check a network file; what names it in errors. */
int net_network_from_json(const json_t *j, const char *what,
			  struct net_network **ret, struct berth_error **err);

/* Return the attachment of the container id, or NULL. */
struct net_attachment *net_network_find(const struct net_network *net,
					const char *container);

void net_network_free(struct net_network *net);

static inline void net_network_freep(struct net_network **net)
{
	net_network_free(*net);
}

#define _cleanup_network_ __attribute__((cleanup(net_network_freep)))

#endif
