/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "network connect", "network disconnect" and renames of a container. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/container-config.h"
#include "engine/container-hosts.h"
#include "engine/container-network.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/network-endpoint.h"
#include "engine/network-record.h"
#include "net/link.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/xalloc.h"

/* Keys of an endpoint, copied to the top level when it becomes main. */
static const char *const endpoint_keys[] = {
	"network", "network_id", "ip", "prefix", "gateway", "aliases", "ifname",
};

/*
 * Open the network namespace of a running container: berth's own for a
 * bridge container, the runtime's for one on "none". Sets *ret_fd to -1
 * when the container does not run or waits to restart, so the endpoint
 * is plugged at its next start.
 */
static int open_running_netns(struct engine *engine, const char *id,
			      int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *ns_path = container_netns_path(engine, id);
	struct container_state state;
	char proc[64];

	*ret_fd = -1;
	if (!fs_exists(ns_path)) {
		if (container_state_get(engine, id, &state, err) < 0)
			return -1;
		if (state.status != CONTAINER_STATUS_RUNNING || state.pid <= 0)
			return 0;
		snprintf(proc, sizeof(proc), "/proc/%d/ns/net", (int)state.pid);
		free(ns_path);
		ns_path = xstrdup(proc);
	}

	*ret_fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (*ret_fd < 0)
		return berth_error_set(err, errno, "open '%s'", ns_path);
	return 0;
}

/* Take the network lock and read the record, which every container has. */
static int lock_and_load(struct engine *engine, const char *id, int *net_lock,
			 json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);

	if (net_store_lock(engine->root, net_lock, err) < 0 ||
	    network_record_load(dir, ret, err) < 0)
		return -1;
	if (*ret == NULL)
		return berth_error_set(err, ENOENT,
				       "container '%.12s' has no network "
				       "record: recreate it",
				       id);
	return 0;
}

/* Choose the lowest free ethN and whether the new endpoint becomes main. */
static int choose_ifname(json_t *record, char ifname[static 16], bool *main,
			 struct berth_error **err)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	bool used[NETWORK_MAX_ENDPOINTS] = {false};
	json_t *ep;
	size_t i;

	json_array_foreach (endpoints, i, ep) {
		unsigned n;

		if (sscanf(network_endpoint_ifname(ep), "eth%u", &n) == 1 &&
		    n < NETWORK_MAX_ENDPOINTS)
			used[n] = true;
	}
	*main = json_array_size(endpoints) == 0;
	for (unsigned n = 0; n < NETWORK_MAX_ENDPOINTS; n++) {
		if (used[n])
			continue;
		snprintf(ifname, 16, "eth%u", n);
		return 0;
	}
	return berth_error_set(err, 0, "a container joins at most %d networks",
			       NETWORK_MAX_ENDPOINTS);
}

static int check_connectable(const char *id, json_t *record,
			     const char *network, struct berth_error **err)
{
	const char *mode = network_record_string(record, "mode");

	if (strcmp(mode, "host") == 0 || strcmp(mode, "container") == 0)
		return berth_error_set(err, 0,
				       "container '%.12s' uses the network of "
				       "%s: it cannot join network '%s'",
				       id,
				       strcmp(mode, "host") == 0 ?
					       "the host" :
					       "another container",
				       network);
	if (network_record_endpoint(record, network) != NULL)
		return berth_error_set(err, EEXIST,
				       "container '%.12s' is already on "
				       "network '%s'",
				       id, network);
	return 0;
}

/* Add the endpoint to the record as main or at the end of "more". */
static void add_endpoint(json_t *record, json_t *ep, bool main)
{
	if (!main) {
		json_array_append(json_object_get(record, "more"), ep);
		return;
	}
	json_object_set_new(record, "mode", json_string("bridge"));
	json_object_set_new(record, "more", json_array());
	json_object_update(record, ep);
}

int container_network_connect(struct engine *engine, const char *id,
			      const struct engine_endpoint_options *o,
			      struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *record = NULL;
	_cleanup_json_ json_t *ep = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_lock_ int lock = -1;
	char ifname[16];
	bool main;

	for (size_t i = 0; o->aliases != NULL && o->aliases[i] != NULL; i++)
		if (container_name_validate(o->aliases[i], err) < 0)
			return berth_error_wrap(err, "--alias");
	if (net_name_validate(o->network, err) < 0 ||
	    lock_and_load(engine, id, &lock, &record, err) < 0 ||
	    check_connectable(id, record, o->network, err) < 0 ||
	    choose_ifname(record, ifname, &main, err) < 0 ||
	    open_running_netns(engine, id, &fd, err) < 0)
		return -1;

	if (network_endpoint_allocate(engine, id,
				      network_record_string(record, "name"), o,
				      ifname, &ep, err) < 0)
		return -1;
	if (fd >= 0 &&
	    network_endpoint_plug(engine, id, ep, fd, main, err) < 0) {
		network_endpoint_release(engine, id, ep);
		return -1;
	}

	add_endpoint(record, ep, main);
	if (network_record_save(dir, record, err) < 0) {
		network_endpoint_unplug(id, ep);
		network_endpoint_release(engine, id, ep);
		return -1;
	}

	network_endpoint_update_peers(engine, id, ep);
	return container_hosts_write(engine, dir, id, record, err);
}

static bool has_ports(const json_t *record)
{
	return json_array_size(json_object_get(record, "ports")) > 0;
}

/* Move the default route of a running container to the new main. */
static int route_through_main(struct engine *engine, const char *id,
			      json_t *record, struct berth_error **err)
{
	_cleanup_network_ struct net_network *net = NULL;
	_cleanup_close_ int fd = -1;
	uint32_t gateway;

	if (open_running_netns(engine, id, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;

	if (net_network_load(engine->root,
			     network_record_string(record, "network"), &net,
			     err) < 0)
		return -1;
	if (net->internal)
		return 0;
	if (net_ip_parse(network_record_string(record, "gateway"), &gateway,
			 err) < 0)
		return -1;
	return net_default_route_set(fd, network_endpoint_ifname(record),
				     gateway, err);
}

/*
 * Remove the main endpoint. The first of "more" takes its place, and
 * without one the container is left on "none".
 */
static void drop_main(json_t *record)
{
	json_t *more = json_object_get(record, "more");
	json_t *next = json_array_get(more, 0);

	for (size_t i = 0; i < ARRAY_SIZE(endpoint_keys); i++) {
		json_t *v = json_object_get(next, endpoint_keys[i]);

		if (v != NULL)
			json_object_set(record, endpoint_keys[i], v);
		else
			json_object_del(record, endpoint_keys[i]);
	}

	if (next != NULL) {
		json_array_remove(more, 0);
		return;
	}
	json_object_del(record, "more");
	json_object_set_new(record, "mode", json_string("none"));
}

static void drop_more(json_t *record, const json_t *ep)
{
	json_t *more = json_object_get(record, "more"), *v;
	size_t i;

	json_array_foreach (more, i, v)
		if (v == ep) {
			json_array_remove(more, i);
			return;
		}
}

int container_network_disconnect(struct engine *engine, const char *id,
				 const char *network, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *record = NULL;
	_cleanup_json_ json_t *ep = NULL;
	_cleanup_lock_ int lock = -1;
	bool main;

	if (lock_and_load(engine, id, &lock, &record, err) < 0)
		return -1;

	ep = json_deep_copy(network_record_endpoint(record, network));
	if (ep == NULL)
		return berth_error_set(err, ENOENT,
				       "container '%.12s' is not on network "
				       "'%s'",
				       id, network);
	main = strcmp(network_record_string(record, "network"), network) == 0;
	if (main && has_ports(record))
		return berth_error_set(err, 0,
				       "container '%.12s' publishes ports "
				       "through network '%s': recreate it "
				       "without --publish to leave it",
				       id, network);

	if (main)
		drop_main(record);
	else
		drop_more(record, network_record_endpoint(record, network));
	if (network_record_save(dir, record, err) < 0)
		return -1;

	network_endpoint_unplug(id, ep);
	network_endpoint_release(engine, id, ep);
	if (container_hosts_write(engine, dir, id, record, err) < 0)
		return -1;
	if (main &&
	    strcmp(network_record_string(record, "mode"), "bridge") == 0)
		return route_through_main(engine, id, record, err);
	return 0;
}

/* Rename the attachment in a network file, which inspect and peers read. */
static void rename_in_network(struct engine *engine, const char *id,
			      const json_t *ep, const char *name)
{
	_cleanup_network_ struct net_network *net = NULL;
	struct net_attachment *a;

	if (net_network_load(engine->root, network_record_string(ep, "network"),
			     &net, NULL) < 0)
		return;
	a = net_network_find(net, id);
	if (a == NULL)
		return;
	free(a->name);
	a->name = xstrdup(name);
	if (net_network_save(engine->root, net, NULL) == 0)
		container_hosts_update_peers(engine, net, id);
}

int container_network_rename(struct engine *engine, const char *id,
			     const char *name, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *record = NULL;
	_cleanup_json_ json_t *endpoints = NULL;
	_cleanup_lock_ int lock = -1;
	json_t *ep;
	size_t i;

	if (lock_and_load(engine, id, &lock, &record, err) < 0)
		return -1;

	json_object_set_new(record, "name", json_string(name));
	if (network_record_save(dir, record, err) < 0 ||
	    container_hosts_write(engine, dir, id, record, err) < 0)
		return -1;

	endpoints = network_record_endpoints(record);
	json_array_foreach (endpoints, i, ep)
		rename_in_network(engine, id, ep, name);
	return 0;
}

int engine_network_connect(struct engine *engine, const char *id,
			   const struct engine_endpoint_options *o,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;

	if (container_store_lock(engine, &lock, err) < 0)
		return -1;
	return container_network_connect(engine, id, o, err);
}

int engine_network_disconnect(struct engine *engine, const char *id,
			      const char *network, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;

	if (container_store_lock(engine, &lock, err) < 0)
		return -1;
	return container_network_disconnect(engine, id, network, err);
}
