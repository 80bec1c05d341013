/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_NETWORK_RECORD_H
#define BERTH_ENGINE_NETWORK_RECORD_H

/*
 * ROOT/containers/<id>/network.json, the network record of a container
 * (see container-network.h). Its mode is "none", "host", "container" or
 * "bridge", and a "bridge" record contains one endpoint per network. The main
 * endpoint carries the default route and the published ports. It sits
 * at the top level next to mode, hostname, name, add_hosts, dns and
 * ports, and the others are in the array "more".
 * An endpoint has network, network_id, ip, prefix, gateway, aliases and
 * ifname, the device's name in the container ("eth0" when absent).
 */

#include <jansson.h>

#include "util/error.h"

#define CONTAINER_NETWORK_RECORD "network.json"

/* Maximum endpoints per container: eth0 to eth15. */
#define NETWORK_MAX_ENDPOINTS 16

/* Return the string at key of j, or "" when it is missing. */
const char *network_record_string(const json_t *j, const char *key);

/* Read DIR's record into *ret, or NULL when the file is missing. */
int network_record_load(const char *dir, json_t **ret,
			struct berth_error **err);

int network_record_save(const char *dir, json_t *record,
			struct berth_error **err);

/*
 * Return a new array of the record's endpoints, the main one first.
 * It is empty unless the mode is "bridge". The record owns the items.
 */
json_t *network_record_endpoints(json_t *record);

/* Return the record's endpoint on network (owned by the record) or NULL. */
json_t *network_record_endpoint(json_t *record, const char *network);

/* Return the endpoint's device in the container: "eth0", "eth1" ... */
const char *network_endpoint_ifname(const json_t *endpoint);

/*
 * Format the host end of the endpoint's veth: "vb" and 11 digits of the
 * id for eth0, and "vb", 10 digits, "x" and N for ethN. No two
 * containers or endpoints share a name because an id digit is never "x".
 */
void network_endpoint_veth(const char *id, const json_t *endpoint,
			   char buf[static 16]);

#endif
