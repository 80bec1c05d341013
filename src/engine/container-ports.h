/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_PORTS_H
#define BERTH_ENGINE_CONTAINER_PORTS_H

/*
 * A container's published ports. The host ports are chosen at create,
 * under the container store lock, and recorded in network.json as
 *
 *	"ports": [{"proto": "tcp", "container_port": 80,
 *		   "host_ip": "0.0.0.0", "host_port": 8080}, ...]
 *
 * so that no two containers get one host port. The iptables rules
 * (net/ports.h) exist only while the container runs.
 */

#include <jansson.h>

#include "engine/container-config.h"
#include "engine/engine.h"
#include "net/network.h"
#include "util/error.h"

/*
 * Turn --publish, and with --publish-all the image's ExposedPorts and
 * --expose, into bindings: choose ephemeral host ports and check that
 * neither another container nor a host socket uses a host port.
 * Returns the "ports" array, empty without --publish or --publish-all.
 */
int container_ports_resolve(struct engine *engine,
			    const struct container_config *c,
			    const struct engine_create_options *opts,
			    json_t **ret, struct berth_error **err);

/* Add the forwarding rules of a container's recorded ports. */
int container_ports_forward(const char *id, const struct net_network *net,
			    const json_t *record, struct berth_error **err);

/* Docker's NetworkSettings.Ports: {"80/tcp": [{HostIp, HostPort}]}. */
json_t *container_ports_inspect_json(const json_t *record);

#endif
