/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/network-record.h"

#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

const char *network_record_string(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? s : "";
}

int network_record_load(const char *dir, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_NETWORK_RECORD);

	*ret = NULL;
	if (!fs_exists(path))
		return 0;
	return json_parse_file(path, ret, err);
}

int network_record_save(const char *dir, json_t *record,
			struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_NETWORK_RECORD);

	return json_write_file_atomic(path, record, err);
}

json_t *network_record_endpoints(json_t *record)
{
	json_t *endpoints = json_array(), *more, *ep;
	size_t i;

	if (strcmp(network_record_string(record, "mode"), "bridge") != 0)
		return endpoints;

	json_array_append(endpoints, record);
	more = json_object_get(record, "more");
	json_array_foreach (more, i, ep)
		if (json_is_object(ep))
			json_array_append(endpoints, ep);
	return endpoints;
}

json_t *network_record_endpoint(json_t *record, const char *network)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	json_t *ep;
	size_t i;

	json_array_foreach (endpoints, i, ep)
		if (strcmp(network_record_string(ep, "network"), network) == 0)
			return ep;
	return NULL;
}

const char *network_endpoint_ifname(const json_t *endpoint)
{
	const char *ifname = network_record_string(endpoint, "ifname");

	return ifname[0] != '\0' ? ifname : "eth0";
}

void network_endpoint_veth(const char *id, const json_t *endpoint,
			   char buf[static 16])
{
	const char *ifname = network_endpoint_ifname(endpoint);

	if (strcmp(ifname, "eth0") == 0)
		snprintf(buf, 16, "vb%.11s", id);
	else
		snprintf(buf, 16, "vb%.10sx%.2s", id, ifname + 3);
}
