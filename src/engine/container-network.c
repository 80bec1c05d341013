/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/container-hosts.h"
#include "engine/container-ports.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/network-endpoint.h"
#include "engine/network-record.h"
#include "net/ipam.h"
#include "net/netns.h"
#include "net/ports.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define CONTAINER_MODE_PREFIX "container:"

static bool is_plain_mode(const char *mode)
{
	return strcmp(mode, "none") == 0 || strcmp(mode, "host") == 0;
}

static bool is_container_mode(const char *mode)
{
	return strncmp(mode, CONTAINER_MODE_PREFIX,
		       strlen(CONTAINER_MODE_PREFIX)) == 0;
}

int container_network_check_mode(const char *mode, struct berth_error **err)
{
	if (is_plain_mode(mode))
		return 0;
	if (is_container_mode(mode)) {
		if (mode[strlen(CONTAINER_MODE_PREFIX)] == '\0')
			return berth_error_set(err, 0,
					       "invalid network '%s': use "
					       "container:NAME or "
					       "container:ID",
					       mode);
		return 0;
	}
	return net_name_validate(mode, err);
}

char *container_netns_path(const struct engine *engine, const char *id)
{
	char *path;

	xasprintf(&path, "%s/netns/%s", engine->runroot, id);
	return path;
}

static int check_ip_list(char *const *list, const char *flag,
			 struct berth_error **err)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		uint32_t ip;

		if (net_ip_parse(list[i], &ip, err) < 0)
			return berth_error_wrap(err, "%s", flag);
	}
	return 0;
}

/*
 * Check --add-host NAME:IP, as Docker writes it into /etc/hosts. IP may
 * be host-gateway: the host's address on the container's main network,
 * or 127.0.0.1 on the host's network.
 */
static int check_add_hosts(const char *mode, char *const *list,
			   struct berth_error **err)
{
	bool plain = is_plain_mode(mode) || is_container_mode(mode);

	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		const char *colon = strchr(list[i], ':');
		uint32_t ip;

		if (colon == NULL || colon == list[i] ||
		    strcspn(list[i], " \t\n#") != strlen(list[i]))
			return berth_error_set(err, 0,
					       "invalid --add-host '%s': use "
					       "NAME:IP",
					       list[i]);
		if (strcmp(colon + 1, CONTAINER_HOST_GATEWAY) == 0) {
			if (plain && strcmp(mode, "host") != 0)
				return berth_error_set(
					err, 0,
					"--add-host '%s': host-gateway "
					"needs a bridge network or the "
					"host's, not '%s'",
					list[i], mode);
			continue;
		}
		if (net_ip_parse(colon + 1, &ip, err) < 0)
			return berth_error_wrap(err, "--add-host '%s'",
						list[i]);
	}
	return 0;
}

/* Check --dns-search and --dns-option: single words of resolv.conf. */
static int check_resolv_words(char *const *list, const char *flag,
			      struct berth_error **err)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		size_t len = strlen(list[i]);

		if (len == 0 || len > 253 || strcspn(list[i], " \t\n#;") != len)
			return berth_error_set(err, 0,
					       "invalid %s '%s': use one word "
					       "of at most 253 characters",
					       flag, list[i]);
	}
	return 0;
}

static int check_aliases(char *const *aliases, struct berth_error **err)
{
	for (size_t i = 0; aliases != NULL && aliases[i] != NULL; i++)
		if (container_name_validate(aliases[i], err) < 0)
			return berth_error_wrap(err, "--network-alias");
	return 0;
}

static int check_more_networks(const struct engine_create_options *opts,
			       struct berth_error **err)
{
	for (size_t i = 0; i < opts->n_more_networks; i++) {
		const struct engine_endpoint_options *o =
			&opts->more_networks[i];

		if (is_plain_mode(o->network) || is_container_mode(o->network))
			return berth_error_set(err, 0,
					       "--network '%s' cannot be "
					       "combined with other networks",
					       o->network);
		if (net_name_validate(o->network, err) < 0 ||
		    check_aliases(o->aliases, err) < 0)
			return -1;
		if (strcmp(o->network, opts->network) == 0)
			return berth_error_set(err, 0,
					       "--network '%s' is given twice",
					       o->network);
		for (size_t k = 0; k < i; k++)
			if (strcmp(o->network,
				   opts->more_networks[k].network) == 0)
				return berth_error_set(err, 0,
						       "--network '%s' is "
						       "given twice",
						       o->network);
	}
	if (opts->n_more_networks > NETWORK_MAX_ENDPOINTS - 1)
		return berth_error_set(err, 0,
				       "a container joins at most %d networks",
				       NETWORK_MAX_ENDPOINTS);
	return 0;
}

static int check_options(const char *mode,
			 const struct engine_create_options *opts,
			 struct berth_error **err)
{
	bool bridge = !is_plain_mode(mode) && !is_container_mode(mode);

	if (!bridge && opts->n_more_networks > 0)
		return berth_error_set(err, 0,
				       "--network '%s' cannot be combined "
				       "with other networks",
				       mode);
	if (!bridge && (opts->ip != NULL || opts->network_aliases != NULL))
		return berth_error_set(err, 0,
				       "--ip and --network-alias need a "
				       "bridge network, not '%s'",
				       mode);
	if (strcmp(mode, "host") == 0 &&
	    (opts->dns != NULL || opts->dns_search != NULL ||
	     opts->dns_options != NULL))
		return berth_error_set(err, 0,
				       "--dns, --dns-search and --dns-option "
				       "do not apply to --network host: the "
				       "container uses the host's "
				       "/etc/resolv.conf");
	if (!bridge && (opts->publish != NULL || opts->publish_all))
		return berth_error_set(err, 0,
				       "--publish and --publish-all need a "
				       "bridge network, not '%s': add "
				       "--network bridge",
				       mode);
	if (check_add_hosts(mode, opts->add_hosts, err) < 0 ||
	    check_ip_list(opts->dns, "--dns", err) < 0 ||
	    check_resolv_words(opts->dns_search, "--dns-search", err) < 0 ||
	    check_resolv_words(opts->dns_options, "--dns-option", err) < 0 ||
	    check_aliases(opts->network_aliases, err) < 0 ||
	    check_more_networks(opts, err) < 0)
		return -1;
	return 0;
}

static json_t *new_record(const char *mode, const struct container_config *c,
			  const struct engine_create_options *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "mode", mode,
			 "hostname", c->hostname, "name", c->name, "add_hosts",
			 json_strv_array(opts->add_hosts), "dns",
			 json_strv_array(opts->dns), "dns_search",
			 json_strv_array(opts->dns_search), "dns_options",
			 json_strv_array(opts->dns_options));
}

/* none, host and container:REF: no address, only the record. */
static int attach_plain(struct engine *engine, const struct container_config *c,
			const struct engine_create_options *opts,
			const char *dir, struct berth_error **err)
{
	_cleanup_json_ json_t *record = NULL;
	_cleanup_free_ char *target = NULL;

	if (is_container_mode(c->network)) {
		const char *ref = c->network + strlen(CONTAINER_MODE_PREFIX);

		if (engine_container_lookup(engine, ref, &target, err) < 0)
			return berth_error_wrap(err, "--network '%s'",
						c->network);
		if (strcmp(target, c->id) == 0)
			return berth_error_set(err, 0,
					       "--network '%s': a container "
					       "cannot share its own network",
					       c->network);
	}

	record = new_record(is_container_mode(c->network) ? "container" :
							    c->network,
			    c, opts);
	if (target != NULL)
		json_object_set_new(record, "container", json_string(target));

	if (network_record_save(dir, record, err) < 0 ||
	    container_hosts_write(engine, dir, c->id, record, err) < 0)
		return -1;

	/* The host network mounts the host's resolv.conf instead. */
	if (strcmp(c->network, "host") == 0)
		return 0;
	return container_resolv_write(dir, record, err);
}

static void release_all(struct engine *engine, const char *id, json_t *record)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	json_t *ep;
	size_t i;

	json_array_foreach (endpoints, i, ep)
		network_endpoint_release(engine, id, ep);
}

static void update_all_peers(struct engine *engine, const char *id,
			     json_t *record)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	json_t *ep;
	size_t i;

	json_array_foreach (endpoints, i, ep)
		network_endpoint_update_peers(engine, id, ep);
}

/* Allocate the record's addresses on the main network and the others. */
static int allocate_all(struct engine *engine, const struct container_config *c,
			const struct engine_create_options *opts,
			json_t *record, struct berth_error **err)
{
	struct engine_endpoint_options main_ep = {
		.network = c->network,
		.ip = opts->ip,
		.aliases = opts->network_aliases,
	};
	_cleanup_json_ json_t *ep = NULL;
	json_t *more = json_array();

	json_object_set_new(record, "more", more);
	if (network_endpoint_allocate(engine, c->id, c->name, &main_ep, "eth0",
				      &ep, err) < 0)
		return -1;
	json_object_update(record, ep);

	for (size_t i = 0; i < opts->n_more_networks; i++) {
		char ifname[16];

		json_decref(ep);
		ep = NULL;
		snprintf(ifname, sizeof(ifname), "eth%u", (unsigned)i + 1);
		if (network_endpoint_allocate(engine, c->id, c->name,
					      &opts->more_networks[i], ifname,
					      &ep, err) < 0)
			return -1;
		json_array_append(more, ep);
	}
	return 0;
}

static int attach_bridge(struct engine *engine,
			 const struct container_config *c,
			 const struct engine_create_options *opts,
			 const char *dir, struct berth_error **err)
{
	_cleanup_json_ json_t *record = new_record("bridge", c, opts);
	_cleanup_json_ json_t *ports = NULL;
	_cleanup_lock_ int lock = -1;

	if (container_ports_resolve(engine, c, opts, &ports, err) < 0 ||
	    net_store_lock(engine->root, &lock, err) < 0)
		return -1;
	json_object_set(record, "ports", ports);

	if (allocate_all(engine, c, opts, record, err) < 0 ||
	    network_record_save(dir, record, err) < 0 ||
	    container_hosts_write(engine, dir, c->id, record, err) < 0 ||
	    container_resolv_write(dir, record, err) < 0) {
		release_all(engine, c->id, record);
		return -1;
	}

	update_all_peers(engine, c->id, record);
	return 0;
}

int container_network_attach(struct engine *engine,
			     const struct container_config *c,
			     const struct engine_create_options *opts,
			     const char *dir, struct berth_error **err)
{
	if (check_options(c->network, opts, err) < 0)
		return -1;

	if (is_plain_mode(c->network) || is_container_mode(c->network))
		return attach_plain(engine, c, opts, dir, err);
	return attach_bridge(engine, c, opts, dir, err);
}

/*
 * Point linux.namespaces' network entry of config.json at path, or with
 * NULL let the runtime create a new namespace. A file without a path is
 * not rewritten for NULL.
 */
static int set_spec_netns(const char *dir, const char *path,
			  struct berth_error **err)
{
	_cleanup_free_ char *config = fs_path_join(dir, "config.json");
	_cleanup_json_ json_t *spec = NULL;
	json_t *namespaces, *ns;
	size_t i;

	if (json_parse_file(config, &spec, err) < 0)
		return -1;

	namespaces =
		json_object_get(json_object_get(spec, "linux"), "namespaces");
	json_array_foreach (namespaces, i, ns) {
		const char *type =
			json_string_value(json_object_get(ns, "type"));

		if (type == NULL || strcmp(type, "network") != 0)
			continue;
		if (path != NULL)
			json_object_set_new(ns, "path", json_string(path));
		else if (json_object_del(ns, "path") < 0)
			return 0;
		return json_write_file_atomic(config, spec, err);
	}
	if (path == NULL)
		return 0;
	return berth_error_set(
		err, 0, "%s: no network namespace to set the path of", config);
}

static int start_joined(struct engine *engine, const json_t *record,
			const char *dir, struct berth_error **err)
{
	const char *target = network_record_string(record, "container");
	struct container_state state;
	char path[64];

	if (container_state_get(engine, target, &state, err) < 0)
		return berth_error_wrap(err, "network of container '%.12s'",
					target);
	if (state.status != CONTAINER_STATUS_RUNNING)
		return berth_error_set(err, 0,
				       "container '%.12s', whose network "
				       "this container joins, is not "
				       "running: start it first",
				       target);

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)state.pid);
	return set_spec_netns(dir, path, err);
}

static int plug_all(struct engine *engine, const char *id, json_t *record,
		    const char *ns_path, struct berth_error **err)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	_cleanup_network_ struct net_network *main_net = NULL;
	_cleanup_close_ int fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	json_t *ep;
	size_t i;

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", ns_path);

	json_array_foreach (endpoints, i, ep)
		if (network_endpoint_plug(engine, id, ep, fd, i == 0, err) < 0)
			return -1;

	if (net_network_load(engine->root,
			     network_record_string(record, "network"),
			     &main_net, err) < 0)
		return -1;
	return container_ports_forward(id, main_net, record, err);
}

static void unplug_all(const char *id, json_t *record)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	json_t *ep;
	size_t i;

	/* Each iptables run costs milliseconds: skip it without ports. */
	if (json_array_size(json_object_get(record, "ports")) > 0)
		net_ports_unforward(id);
	json_array_foreach (endpoints, i, ep)
		network_endpoint_unplug(id, ep);
}

static void stop_locked(struct engine *engine, const char *id, json_t *record)
{
	_cleanup_free_ char *ns_path = container_netns_path(engine, id);

	if (record != NULL)
		unplug_all(id, record);
	(void)net_netns_remove(ns_path, NULL);
}

static int start_bridge(struct engine *engine, const char *id, const char *dir,
			struct berth_error **err)
{
	_cleanup_free_ char *ns_dir = fs_path_join(engine->runroot, "netns");
	_cleanup_free_ char *ns_path = container_netns_path(engine, id);
	_cleanup_json_ json_t *record = NULL;
	_cleanup_lock_ int lock = -1;

	/* Read under the lock because "network connect" may change the record. */
	if (net_store_lock(engine->root, &lock, err) < 0 ||
	    network_record_load(dir, &record, err) < 0)
		return -1;

	if (fs_mkdir_p(ns_dir, 0700, err) < 0 ||
	    net_netns_create(ns_path, err) < 0)
		return -1;

	if (plug_all(engine, id, record, ns_path, err) < 0 ||
	    set_spec_netns(dir, ns_path, err) < 0) {
		stop_locked(engine, id, record);
		return -1;
	}
	return 0;
}

int container_network_start(struct engine *engine, const char *id,
			    const char *dir, struct berth_error **err)
{
	_cleanup_json_ json_t *record = NULL;
	const char *mode;

	if (network_record_load(dir, &record, err) < 0)
		return -1;
	if (record == NULL)
		return 0;

	mode = network_record_string(record, "mode");
	if (strcmp(mode, "container") == 0)
		return start_joined(engine, record, dir, err);
	if (strcmp(mode, "bridge") == 0)
		return start_bridge(engine, id, dir, err);
	/* A container that left its last network needs a new namespace. */
	if (strcmp(mode, "none") == 0)
		return set_spec_netns(dir, NULL, err);
	return 0;
}

void container_network_stop(struct engine *engine, const char *id)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *record = NULL;
	_cleanup_lock_ int lock = -1;

	(void)net_store_lock(engine->root, &lock, NULL);
	if (network_record_load(dir, &record, NULL) < 0)
		record = NULL;
	stop_locked(engine, id, record);
}

int container_network_release(struct engine *engine, const char *id,
			      const char *dir, struct berth_error **err)
{
	_cleanup_json_ json_t *record = NULL;
	_cleanup_lock_ int lock = -1;

	if (net_store_lock(engine->root, &lock, err) < 0 ||
	    network_record_load(dir, &record, err) < 0)
		return -1;

	stop_locked(engine, id, record);
	if (record != NULL)
		release_all(engine, id, record);
	return 0;
}

static json_t *endpoint_json(const json_t *ep)
{
	json_t *aliases = json_object_get(ep, "aliases");

	return json_pack("{s:s, s:s, s:I, s:s, s:O}", "NetworkID",
			 network_record_string(ep, "network_id"), "IPAddress",
			 network_record_string(ep, "ip"), "IPPrefixLen",
			 json_integer_value(json_object_get(ep, "prefix")),
			 "Gateway", network_record_string(ep, "gateway"),
			 "Aliases", aliases != NULL ? aliases : json_null());
}

json_t *container_network_inspect_json(const char *dir)
{
	_cleanup_json_ json_t *record = NULL;
	_cleanup_json_ json_t *endpoints = NULL;
	json_t *j, *networks = json_object(), *ep;
	size_t i;

	if (network_record_load(dir, &record, NULL) < 0)
		record = NULL;
	endpoints = network_record_endpoints(record);

	json_array_foreach (endpoints, i, ep)
		json_object_set_new(networks,
				    network_record_string(ep, "network"),
				    endpoint_json(ep));

	j = json_pack("{s:s, s:s, s:I, s:o}", "IPAddress",
		      network_record_string(record, "ip"), "Gateway",
		      network_record_string(record, "gateway"), "IPPrefixLen",
		      json_integer_value(json_object_get(record, "prefix")),
		      "Networks", networks);
	json_object_set_new(j, "Ports", container_ports_inspect_json(record));
	return j;
}
