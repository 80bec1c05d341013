/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/network.h"

#include <string.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static bool is_hex_id(const char *s)
{
	return strlen(s) == NET_ID_LEN &&
	       strspn(s, "0123456789abcdef") == NET_ID_LEN;
}

int net_name_validate(const char *name, struct berth_error **err)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	size_t len = strlen(name);

	if (len == 0 || len > NET_NAME_MAX || strspn(name, allowed) != len ||
	    strchr("_.-", name[0]) != NULL)
		return berth_error_set(err, 0,
				       "invalid network name '%s': use at most "
				       "%d letters, digits, '_', '.' and '-', "
				       "starting with a letter or digit",
				       name, NET_NAME_MAX);
	return 0;
}

static int check_ifname(const char *name, const char *what,
			struct berth_error **err)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_-";
	size_t len = strlen(name);

	if (len == 0 || len > NET_IFNAME_MAX || strspn(name, allowed) != len)
		return berth_error_set(err, 0,
				       "%s: invalid bridge device name '%s'",
				       what, name);
	return 0;
}

static json_t *labels_json(char *const *labels)
{
	json_t *obj = json_object();

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key =
			xstrndup(labels[i], (size_t)(eq - labels[i]));

		json_object_set_new(obj, key, json_string(eq + 1));
	}
	return obj;
}

static json_t *containers_json(const struct net_network *net)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < net->n_containers; i++) {
		const struct net_attachment *a = &net->containers[i];
		char ip[16];

		net_ip_format(a->ip, ip);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id",
						     a->container, "name",
						     a->name, "ip", ip));
	}
	return arr;
}

json_t *net_network_to_json(const struct net_network *net)
{
	char subnet[19], gateway[16];

	net_cidr_format(&net->subnet, subnet);
	net_ip_format(net->gateway, gateway);
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name",
		net->name, "id", net->id, "driver", net->driver, "subnet",
		subnet, "gateway", gateway, "bridge", net->bridge, "created",
		net->created, "internal", net->internal, "labels",
		labels_json(net->labels), "containers", containers_json(net));
}

static int parse_labels(const json_t *obj, const char *what,
			struct net_network *net, struct berth_error **err)
{
	const char *key;
	json_t *value;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: labels: expected an object",
				       what);

	json_object_foreach ((json_t *)obj, key, value) {
		char *entry;

		if (!json_is_string(value))
			return berth_error_set(err, 0,
					       "%s: labels.%s: expected a "
					       "string",
					       what, key);
		if (key[0] == '\0' || strchr(key, '=') != NULL)
			return berth_error_set(err, 0,
					       "%s: invalid label key '%s'",
					       what, key);
		xasprintf(&entry, "%s=%s", key, json_string_value(value));
		strv_push_take(&net->labels, entry);
	}
	return 0;
}

/* An address for a container: inside the subnet, not its first or last. */
static bool usable_ip(const struct net_network *net, uint32_t ip)
{
	return net_cidr_contains(&net->subnet, ip) && ip != net->subnet.addr &&
	       ip != net_cidr_last(&net->subnet);
}

static int parse_attachment(const json_t *j, const char *what,
			    struct net_network *net, struct berth_error **err)
{
	const char *id = NULL, *name = NULL, *ip = NULL;
	struct net_attachment *a;
	uint32_t addr;

	if (!json_is_object(j))
		return berth_error_set(
			err, 0, "%s: containers: expected objects", what);
	if (json_get_string(j, "id", what, &id, err) < 0 ||
	    json_get_string(j, "name", what, &name, err) < 0 ||
	    json_get_string(j, "ip", what, &ip, err) < 0)
		return -1;

	if (!is_hex_id(id))
		return berth_error_set(err, 0, "%s: invalid container id '%s'",
				       what, id);
	if (net_ip_parse(ip, &addr, err) < 0)
		return berth_error_wrap(err, "%s", what);
	if (!usable_ip(net, addr) || addr == net->gateway)
		return berth_error_set(err, 0,
				       "%s: address '%s' of container '%.12s' "
				       "is not a free host address of the "
				       "subnet",
				       what, ip, id);
	for (size_t i = 0; i < net->n_containers; i++)
		if (net->containers[i].ip == addr ||
		    strcmp(net->containers[i].container, id) == 0)
			return berth_error_set(err, 0,
					       "%s: address '%s' or container "
					       "'%.12s' is listed twice",
					       what, ip, id);

	net->containers = xreallocarray(net->containers, net->n_containers + 1,
					sizeof(*net->containers));
	a = &net->containers[net->n_containers++];
	a->container = xstrdup(id);
	a->name = xstrdup(name);
	a->ip = addr;
	return 0;
}

static int parse_containers(const json_t *arr, const char *what,
			    struct net_network *net, struct berth_error **err)
{
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return berth_error_set(
			err, 0, "%s: containers: expected an array", what);
	json_array_foreach (arr, i, v)
		if (parse_attachment(v, what, net, err) < 0)
			return -1;
	return 0;
}

static int parse_addresses(struct net_network *net, const char *subnet,
			   const char *gateway, const char *what,
			   struct berth_error **err)
{
	if (net_cidr_parse(subnet, &net->subnet, err) < 0 ||
	    net_ip_parse(gateway, &net->gateway, err) < 0)
		return berth_error_wrap(err, "%s", what);

	if (net->subnet.prefix > 30)
		return berth_error_set(err, 0,
				       "%s: subnet '%s' is too small: use a "
				       "prefix of at most 30",
				       what, subnet);
	if (!usable_ip(net, net->gateway))
		return berth_error_set(err, 0,
				       "%s: gateway '%s' is not a host "
				       "address of subnet '%s'",
				       what, gateway, subnet);
	return 0;
}

static int parse_fields(const json_t *j, const char *what,
			struct net_network *net, struct berth_error **err)
{
	const char *name, *id, *driver, *bridge, *created, *subnet, *gateway;

	if (json_get_string(j, "name", what, &name, err) < 0 ||
	    json_get_string(j, "id", what, &id, err) < 0 ||
	    json_get_string(j, "driver", what, &driver, err) < 0 ||
	    json_get_string(j, "bridge", what, &bridge, err) < 0 ||
	    json_get_string(j, "created", what, &created, err) < 0 ||
	    json_get_string(j, "subnet", what, &subnet, err) < 0 ||
	    json_get_string(j, "gateway", what, &gateway, err) < 0 ||
	    json_get_bool_opt(j, "internal", what, &net->internal, err) < 0)
		return -1;

	if (net_name_validate(name, err) < 0)
		return berth_error_wrap(err, "%s", what);
	if (!is_hex_id(id))
		return berth_error_set(err, 0, "%s: invalid network id '%s'",
				       what, id);
	if (strcmp(driver, "bridge") != 0)
		return berth_error_set(err, 0,
				       "%s: unsupported driver '%s': only "
				       "'bridge' is supported",
				       what, driver);
	if (check_ifname(bridge, what, err) < 0 ||
	    parse_addresses(net, subnet, gateway, what, err) < 0)
		return -1;

	net->name = xstrdup(name);
	net->id = xstrdup(id);
	net->driver = xstrdup(driver);
	net->bridge = xstrdup(bridge);
	net->created = xstrdup(created);
	return 0;
}

int net_network_from_json(const json_t *j, const char *what,
			  struct net_network **ret, struct berth_error **err)
{
	struct net_network *net = xzalloc(sizeof(*net));

	if (!json_is_object(j)) {
		net_network_free(net);
		return berth_error_set(err, 0, "%s: expected a JSON object",
				       what);
	}

	if (parse_fields(j, what, net, err) < 0 ||
	    parse_labels(json_object_get(j, "labels"), what, net, err) < 0 ||
	    parse_containers(json_object_get(j, "containers"), what, net, err) <
		    0) {
		net_network_free(net);
		return -1;
	}
	*ret = net;
	return 0;
}

struct net_attachment *net_network_find(const struct net_network *net,
					const char *container)
{
	for (size_t i = 0; i < net->n_containers; i++)
		if (strcmp(net->containers[i].container, container) == 0)
			return &net->containers[i];
	return NULL;
}

void net_network_free(struct net_network *net)
{
	if (net == NULL)
		return;
	free(net->name);
	free(net->id);
	free(net->driver);
	free(net->bridge);
	free(net->created);
	strv_free(net->labels);
	for (size_t i = 0; i < net->n_containers; i++) {
		free(net->containers[i].container);
		free(net->containers[i].name);
	}
	free(net->containers);
	free(net);
}
