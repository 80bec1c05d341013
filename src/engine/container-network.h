/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_NETWORK_H
#define BERTH_ENGINE_CONTAINER_NETWORK_H

/*
 * A container's network: "none", "host", "container:REF" (join another
 * running container's namespace) or one or more bridge networks.
 *
 * ROOT/containers/<id>/network.json (engine/network-record.h) records
 * the choice and, on bridge networks, an address and aliases on each,
 * and the --add-host and --dns entries. Addresses are allocated at
 * create or "network connect" and released at removal or "network
 * disconnect", under the network lock. The namespace RUNROOT/netns/<id>
 * and the veth pairs exist only while the container runs: the monitor
 * makes them before the runtime creates the container and deletes them
 * when it exits; removal deletes them too, for a monitor that was
 * killed.
 */

#include <jansson.h>

#include "engine/container-config.h"
#include "engine/engine.h"
#include "util/error.h"

/* Return RUNROOT/netns/<id>, the namespace of a running bridge container. */
char *container_netns_path(const struct engine *engine, const char *id);

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
 * Join the container to one more bridge network. A running container
 * gets the device at once, and one on "none" makes it its main network.
 * The caller holds the store lock.
 */
int container_network_connect(struct engine *engine, const char *id,
			      const struct engine_endpoint_options *o,
			      struct berth_error **err);

/*
 * Take the container off a network. When that was the main one, the
 * next network takes its place and the default route. Without another
 * network the container is left on "none". The caller holds the store
 * lock.
 */
int container_network_disconnect(struct engine *engine, const char *id,
				 const char *network, struct berth_error **err);

/*
 * Rename the container in its record, its networks and its own and its
 * peers' hosts files. The caller holds the store lock.
 */
int container_network_rename(struct engine *engine, const char *id,
			     const char *name, struct berth_error **err);

/*
 * Docker's NetworkSettings of "inspect": IPAddress, IPPrefixLen, Gateway
 * and Networks, each with its NetworkID, address and Aliases.
 */
json_t *container_network_inspect_json(const char *dir);

#endif
