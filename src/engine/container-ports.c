/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-ports.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container-hosts.h"
#include "engine/container-store.h"
#include "net/cidr.h"
#include "net/port-spec.h"
#include "net/ports.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

/* Kernel-chosen ports to try before failing, when containers use them. */
#define EPHEMERAL_TRIES 64

struct binding_list {
	struct net_port_binding *items;
	size_t n;
};

static void binding_list_push(struct binding_list *l,
			      const struct net_port_binding *b)
{
	l->items = xreallocarray(l->items, l->n + 1, sizeof(*l->items));
	l->items[l->n++] = *b;
}

static int binding_from_json(const json_t *j, struct net_port_binding *b)
{
	const char *proto = json_string_value(json_object_get(j, "proto"));
	const char *ip = json_string_value(json_object_get(j, "host_ip"));
	json_int_t cport =
		json_integer_value(json_object_get(j, "container_port"));
	json_int_t hport = json_integer_value(json_object_get(j, "host_port"));

	if (proto == NULL || net_proto_parse(proto, &b->proto) < 0 ||
	    ip == NULL || net_ip_parse(ip, &b->host_ip, NULL) < 0 ||
	    cport < 1 || cport > 65535 || hport < 1 || hport > 65535)
		return -1;
	b->container_port = (uint16_t)cport;
	b->host_port = (uint16_t)hport;
	return 0;
}

static json_t *binding_to_json(const struct net_port_binding *b)
{
	char ip[16];

	net_ip_format(b->host_ip, ip);
	return json_pack("{s:s, s:i, s:s, s:i}", "proto",
			 net_proto_name(b->proto), "container_port",
			 b->container_port, "host_ip", ip, "host_port",
			 b->host_port);
}

static void load_bindings(const json_t *record, struct binding_list *l)
{
	json_t *ports = json_object_get(record, "ports"), *j;
	size_t i;

	json_array_foreach (ports, i, j) {
		struct net_port_binding b;

		if (binding_from_json(j, &b) == 0)
			binding_list_push(l, &b);
	}
}

/* The host ports every other container recorded. */
static void load_allocated(struct engine *engine, const char *self,
			   struct binding_list *l)
{
	_cleanup_free_ char *dir = fs_path_join(engine->root, "containers");
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		_cleanup_free_ char *path = NULL;
		_cleanup_json_ json_t *record = NULL;

		if (!container_id_is_valid(e->d_name) ||
		    strcmp(e->d_name, self) == 0)
			continue;
		xasprintf(&path, "%s/%s/%s", dir, e->d_name,
			  CONTAINER_NETWORK_RECORD);
		if (!fs_exists(path) ||
		    json_parse_file(path, &record, NULL) < 0)
			continue;
		load_bindings(record, l);
	}
	closedir(d);
}

static bool overlaps(const struct net_port_binding *a,
		     const struct net_port_binding *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       (a->host_ip == 0 || b->host_ip == 0 || a->host_ip == b->host_ip);
}

static bool is_taken(const struct binding_list *taken,
		     const struct net_port_binding *b)
{
	for (size_t i = 0; i < taken->n; i++)
		if (overlaps(&taken->items[i], b))
			return true;
	return false;
}

static int allocated_error(const struct net_port_binding *b,
			   struct berth_error **err)
{
	char ip[16];

	net_ip_format(b->host_ip, ip);
	return berth_error_set(err, 0,
			       "failed to bind host port %s:%u/%s: port is "
			       "already allocated",
			       ip, b->host_port, net_proto_name(b->proto));
}

static int choose_ephemeral(struct net_port_binding *b,
			    const struct binding_list *taken,
			    struct berth_error **err)
{
	for (int i = 0; i < EPHEMERAL_TRIES; i++) {
		if (net_port_pick_ephemeral(b, &b->host_port, err) < 0)
			return -1;
		if (!is_taken(taken, b))
			return 0;
	}
	return berth_error_set(err, 0,
			       "no free host port for %u/%s: containers "
			       "hold every port the kernel offered",
			       b->container_port, net_proto_name(b->proto));
}

static int add_binding(struct net_port_binding *b, struct binding_list *taken,
		       json_t *ports, struct berth_error **err)
{
	if (b->host_port == 0) {
		if (choose_ephemeral(b, taken, err) < 0)
			return -1;
	} else if (is_taken(taken, b)) {
		return allocated_error(b, err);
	} else if (net_port_check_free(b, err) < 0) {
		return -1;
	}

	binding_list_push(taken, b);
	json_array_append_new(ports, binding_to_json(b));
	return 0;
}

static int add_spec(const struct net_port_spec *p, struct binding_list *taken,
		    json_t *ports, struct berth_error **err)
{
	for (unsigned port = p->container_first; port <= p->container_last;
	     port++) {
		struct net_port_binding b = {
			.proto = p->proto,
			.container_port = (uint16_t)port,
			.host_ip = p->host_ip,
		};

		if (p->host_first != 0)
			b.host_port = (uint16_t)(p->host_first +
						 (port - p->container_first));
		if (add_binding(&b, taken, ports, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_published(const json_t *ports, const struct net_port_spec *p,
			 unsigned port)
{
	const json_t *j;
	size_t i;

	json_array_foreach (ports, i, j) {
		struct net_port_binding b;

		if (binding_from_json(j, &b) == 0 && b.proto == p->proto &&
		    b.container_port == port)
			return true;
	}
	return false;
}

/* -P: an ephemeral port for each exposed port not published yet. */
static int add_exposed(char *const *exposed, struct binding_list *taken,
		       json_t *ports, struct berth_error **err)
{
	for (size_t i = 0; exposed != NULL && exposed[i] != NULL; i++) {
		struct net_port_spec p;

		if (net_port_expose_parse(exposed[i], &p, err) < 0)
			return berth_error_wrap(err, "exposed ports");
		for (unsigned port = p.container_first;
		     port <= p.container_last; port++) {
			struct net_port_spec one = p;

			if (is_published(ports, &p, port))
				continue;
			one.container_first = one.container_last =
				(uint16_t)port;
			if (add_spec(&one, taken, ports, err) < 0)
				return -1;
		}
	}
	return 0;
}

int container_ports_resolve(struct engine *engine,
			    const struct container_config *c,
			    const struct engine_create_options *opts,
			    json_t **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *ports = json_array();
	struct binding_list taken = {0};
	int r = 0;

	for (size_t i = 0; opts->expose != NULL && opts->expose[i] != NULL;
	     i++) {
		struct net_port_spec p;

		if (net_port_expose_parse(opts->expose[i], &p, err) < 0)
			return berth_error_wrap(err, "--expose");
	}

	if (opts->publish != NULL || opts->publish_all)
		load_allocated(engine, c->id, &taken);

	for (size_t i = 0;
	     r == 0 && opts->publish != NULL && opts->publish[i] != NULL; i++) {
		struct net_port_spec p;

		r = net_port_spec_parse(opts->publish[i], &p, err);
		if (r == 0)
			r = add_spec(&p, &taken, ports, err);
	}
	if (r == 0 && opts->publish_all)
		r = add_exposed(c->exposed_ports, &taken, ports, err);

	free(taken.items);
	if (r < 0)
		return -1;
	*ret = TAKE_PTR(ports);
	return 0;
}

int container_ports_forward(const char *id, const struct net_network *net,
			    const json_t *record, struct berth_error **err)
{
	struct binding_list l = {0};
	uint32_t ip;
	int r;

	load_bindings(record, &l);
	if (l.n == 0)
		return 0;

	/* A host socket bound since create would lose its connections. */
	r = 0;
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = net_port_check_free(&l.items[i], err);

	if (r == 0)
		r = net_ip_parse(
			json_string_value(json_object_get(record, "ip")), &ip,
			err);
	if (r == 0)
		r = net_ports_forward(id, net, ip, l.items, l.n, err);
	free(l.items);
	return r;
}

json_t *container_ports_inspect_json(const json_t *record)
{
	struct binding_list l = {0};
	json_t *ports = json_object();
	char ip[16], key[16], port[8];

	load_bindings(record, &l);
	for (size_t i = 0; i < l.n; i++) {
		json_t *list;

		snprintf(key, sizeof(key), "%u/%s", l.items[i].container_port,
			 net_proto_name(l.items[i].proto));
		list = json_object_get(ports, key);
		if (list == NULL) {
			list = json_array();
			json_object_set_new(ports, key, list);
		}
		net_ip_format(l.items[i].host_ip, ip);
		snprintf(port, sizeof(port), "%u", l.items[i].host_port);
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp",
						      ip, "HostPort", port));
	}
	free(l.items);
	return ports;
}
