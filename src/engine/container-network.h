/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_NETWORK_H
#define BERTH_ENGINE_CONTAINER_NETWORK_H

/*
 * A container's network: "none", "host", "container:REF" (join another
 * running container's namespace) or the name of a bridge network.
 *
 * ROOT/containers/<id>/network.json records the choice and, on a bridge
 * network, the address, aliases and the --add-host and --dns entries.
 * The address is allocated at create and released at removal, both
 * under the network lock. The namespace RUNROOT/netns/<id> and the veth
 * pair exist only while the container runs: the monitor makes them
 * before the runtime creates the container and deletes them when it
 * exits; removal deletes them too, for a monitor that was killed.
 */

#include <jansson.h>

#include "engine/container-config.h"
#include "engine/engine.h"
#include "util/error.h"

/* Check the --network value without touching anything. */
int container_network_check_mode(const char *mode, struct berth_error **err);

/*
 * At create, under the store lock, after the bundle is written: record
 * network.json, allocate the address and write the container's hosts
 * and resolv.conf and those of its peers. Nothing is left allocated on
 * failure.
 */
int container_network_attach(struct engine *engine,
			     const struct container_config *config,
			     const struct engine_create_options *opts,
			     const char *dir, struct berth_error **err);

/*
 * Before the runtime creates the container: make the namespace and
 * veth, or find the namespace to join, and point config.json's network
 * namespace at it.
 */
int container_network_start(struct engine *engine, const char *id,
			    const char *dir, struct berth_error **err);

/* After the container exited: delete its veth and namespace. */
void container_network_stop(struct engine *engine, const char *id);

/*
 * Before the container directory is removed: stop, release the address
 * and drop the container from its peers' hosts files.
 */
int container_network_release(struct engine *engine, const char *id,
			      const char *dir, struct berth_error **err);

/*
 * Docker's NetworkSettings of "inspect": IPAddress, IPPrefixLen, Gateway
 * and Networks, each with its NetworkID, address and Aliases.
 */
json_t *container_network_inspect_json(const char *dir);

#endif
