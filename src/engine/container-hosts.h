/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_HOSTS_H
#define BERTH_ENGINE_CONTAINER_HOSTS_H

/*
 * The hosts and resolv.conf files of a container from its network
 * record (see container-network.h). They are bind-mounted into the
 * running container, so they are rewritten in place: a rename would
 * leave the container with the old inode.
 */

#include <jansson.h>

#include "engine/engine.h"
#include "engine/network-record.h"
#include "net/network.h"
#include "util/error.h"

/* The --add-host address that means the host's address. */
#define CONTAINER_HOST_GATEWAY "host-gateway"

/*
 * Write DIR/hosts of container id: localhost, the container's own
 * names, the names and aliases of its peers on its user-defined
 * networks, then the --add-host entries. The caller must hold the
 * network lock because the networks are read from the store.
 */
int container_hosts_write(const struct engine *engine, const char *dir,
			  const char *id, json_t *record,
			  struct berth_error **err);

/*
 * Write DIR/resolv.conf: the --dns servers, else the host's, without
 * loopback servers that the container cannot reach.
 */
int container_resolv_write(const char *dir, const json_t *record,
			   struct berth_error **err);

/*
 * Rewrite the hosts file of every container on net but skip_id. A
 * failure leaves that peer's file as it was; peers are best effort.
 */
void container_hosts_update_peers(const struct engine *engine,
				  const struct net_network *net,
				  const char *skip_id);

#endif
