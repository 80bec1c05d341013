/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_NETWORK_ENDPOINT_H
#define BERTH_ENGINE_NETWORK_ENDPOINT_H

/*
 * One endpoint of a container on a bridge network (network-record.h).
 * Its address is allocated when the container joins the network and
 * released when it leaves. Its veth exists while the container runs.
 * Every function here expects the caller to hold the network lock.
 */

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "util/error.h"

/*
 * Allocate an address for container id (named name) on o->network and
 * return the new endpoint, whose device is ifname. The network file is
 * saved at once, and network_endpoint_release() undoes it.
 */
int network_endpoint_allocate(struct engine *engine, const char *id,
			      const char *name,
			      const struct engine_endpoint_options *o,
			      const char *ifname, json_t **ret,
			      struct berth_error **err);

/*
 * Release the address and rewrite the hosts files of the peers left on
 * the network. A network file removed by hand is skipped.
 */
void network_endpoint_release(struct engine *engine, const char *id,
			      const json_t *endpoint);

/*
 * Create the endpoint's veth into the network namespace netns_fd, first
 * creating the bridge and its NAT rule again if a reboot removed them.
 * The main endpoint carries the default route.
 */
int network_endpoint_plug(struct engine *engine, const char *id,
			  const json_t *endpoint, int netns_fd, bool main,
			  struct berth_error **err);

/* Delete the endpoint's veth. A missing veth is not an error. */
void network_endpoint_unplug(const char *id, const json_t *endpoint);

/* Rewrite the hosts files of the other containers on the network. */
void network_endpoint_update_peers(struct engine *engine, const char *id,
				   const json_t *endpoint);

#endif
