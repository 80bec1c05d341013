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
#include "net/ipam.h"
#include "net/link.h"
#include "net/nat.h"
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

static char *netns_path(const struct engine *engine, const char *id)
{
	char *path;

	xasprintf(&path, "%s/netns/%s", engine->runroot, id);
	return path;
}

/* The host end of the container's veth: "vb" and 11 digits of its id. */
static void veth_name(const char *id, char buf[static 16])
{
	snprintf(buf, 16, "vb%.11s", id);
}

static int save_record(const char *dir, json_t *record,
		       struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_NETWORK_RECORD);

	return json_write_file_atomic(path, record, err);
}

static json_t *strv_array(char *const *strv)
{
	json_t *arr = json_array();

	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		json_array_append_new(arr, json_string(strv[i]));
	return arr;
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

/* --add-host NAME:IP, as Docker writes it into /etc/hosts. */
static int check_add_hosts(char *const *list, struct berth_error **err)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		const char *colon = strchr(list[i], ':');
		uint32_t ip;

		if (colon == NULL || colon == list[i] ||
		    strcspn(list[i], " \t\n#") != strlen(list[i]))
			return berth_error_set(err, 0,
					       "invalid --add-host '%s': use "
					       "NAME:IP",
					       list[i]);
		if (net_ip_parse(colon + 1, &ip, err) < 0)
			return berth_error_wrap(err, "--add-host '%s'",
						list[i]);
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

static int check_options(const char *mode,
			 const struct engine_create_options *opts,
			 struct berth_error **err)
{
	bool bridge = !is_plain_mode(mode) && !is_container_mode(mode);

	if (!bridge && (opts->ip != NULL || opts->network_aliases != NULL))
		return berth_error_set(err, 0,
				       "--ip and --network-alias need a "
				       "bridge network, not '%s'",
				       mode);
	if (!bridge && (opts->publish != NULL || opts->publish_all))
		return berth_error_set(err, 0,
				       "--publish and --publish-all need a "
				       "bridge network, not '%s': add "
				       "--network bridge",
				       mode);
	if (check_add_hosts(opts->add_hosts, err) < 0 ||
	    check_ip_list(opts->dns, "--dns", err) < 0 ||
	    check_aliases(opts->network_aliases, err) < 0)
		return -1;
	return 0;
}

static json_t *new_record(const char *mode, const struct container_config *c,
			  const struct engine_create_options *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "mode", mode,
			 "hostname", c->hostname, "name", c->name, "aliases",
			 strv_array(opts->network_aliases), "add_hosts",
			 strv_array(opts->add_hosts), "dns",
			 strv_array(opts->dns));
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

	if (save_record(dir, record, err) < 0 ||
	    container_hosts_write(engine, dir, record, NULL, err) < 0)
		return -1;

	/* The host network mounts the host's resolv.conf instead. */
	if (strcmp(c->network, "host") == 0)
		return 0;
	return container_resolv_write(dir, record, err);
}

static int attach_bridge(struct engine *engine,
			 const struct container_config *c,
			 const struct engine_create_options *opts,
			 const char *dir, struct berth_error **err)
{
	_cleanup_network_ struct net_network *net = NULL;
	_cleanup_json_ json_t *record = new_record("bridge", c, opts);
	_cleanup_json_ json_t *ports = NULL;
	_cleanup_lock_ int lock = -1;
	char ip_text[16], gateway[16];
	uint32_t ip;

	if (container_ports_resolve(engine, c, opts, &ports, err) < 0 ||
	    net_store_lock(engine->root, &lock, err) < 0 ||
	    net_network_load(engine->root, c->network, &net, err) < 0 ||
	    net_ipam_allocate(net, c->id, c->name, opts->ip, &ip, err) < 0)
		return -1;

	net_ip_format(ip, ip_text);
	net_ip_format(net->gateway, gateway);
	json_object_set_new(record, "network", json_string(net->name));
	json_object_set_new(record, "network_id", json_string(net->id));
	json_object_set_new(record, "ip", json_string(ip_text));
	json_object_set_new(record, "prefix", json_integer(net->subnet.prefix));
	json_object_set_new(record, "gateway", json_string(gateway));
	json_object_set(record, "ports", ports);

	if (save_record(dir, record, err) < 0 ||
	    container_hosts_write(engine, dir, record, net, err) < 0 ||
	    container_resolv_write(dir, record, err) < 0 ||
	    net_network_save(engine->root, net, err) < 0)
		return -1;

	container_hosts_update_peers(engine, net, c->id);
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

static int load_record(const char *dir, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_NETWORK_RECORD);

	*ret = NULL;
	if (!fs_exists(path))
		return 0;
	return json_parse_file(path, ret, err);
}

static const char *record_string(const json_t *record, const char *key)
{
	const char *s = json_string_value(json_object_get(record, key));

	return s != NULL ? s : "";
}

/* Point linux.namespaces' network entry of config.json at path. */
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

		if (type != NULL && strcmp(type, "network") == 0) {
			json_object_set_new(ns, "path", json_string(path));
			return json_write_file_atomic(config, spec, err);
		}
	}
	return berth_error_set(
		err, 0, "%s: no network namespace to set the path of", config);
}

static int start_joined(struct engine *engine, const json_t *record,
			const char *dir, struct berth_error **err)
{
	const char *target = record_string(record, "container");
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

static int setup_veth(const char *id, const char *ns_path,
		      const struct net_network *net, const json_t *record,
		      struct berth_error **err)
{
	struct net_veth_config cfg = {
		.bridge = net->bridge,
		.prefix = net->subnet.prefix,
		.gateway = net->gateway,
		.internal = net->internal,
	};
	_cleanup_close_ int fd = -1;
	char host_name[16];

	veth_name(id, host_name);
	cfg.host_name = host_name;
	if (net_ip_parse(record_string(record, "ip"), &cfg.ip, err) < 0)
		return -1;

	fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", ns_path);
	cfg.netns_fd = fd;

	/* A monitor killed before its cleanup may have left the veth. */
	if (net_link_delete(host_name, err) < 0)
		return -1;
	return net_veth_setup(&cfg, err);
}

static int start_bridge(struct engine *engine, const char *id,
			const json_t *record, const char *dir,
			struct berth_error **err)
{
	_cleanup_free_ char *ns_dir = fs_path_join(engine->runroot, "netns");
	_cleanup_free_ char *ns_path = netns_path(engine, id);
	_cleanup_network_ struct net_network *net = NULL;
	_cleanup_lock_ int lock = -1;

	if (net_store_lock(engine->root, &lock, err) < 0 ||
	    net_network_load(engine->root, record_string(record, "network"),
			     &net, err) < 0)
		return -1;

	if (net_network_find(net, id) == NULL)
		return berth_error_set(err, 0,
				       "container '%.12s' has no address on "
				       "network '%s': recreate the container",
				       id, net->name);

	/* After a reboot the bridge and its NAT rule are gone. */
	if (net_bridge_ensure(net->bridge, net->gateway, net->subnet.prefix,
			      err) < 0 ||
	    net_nat_ensure(net, err) < 0 || fs_mkdir_p(ns_dir, 0700, err) < 0 ||
	    net_netns_create(ns_path, err) < 0)
		return -1;

	if (setup_veth(id, ns_path, net, record, err) < 0 ||
	    container_ports_forward(id, net, record, err) < 0 ||
	    set_spec_netns(dir, ns_path, err) < 0) {
		container_network_stop(engine, id);
		return -1;
	}
	return 0;
}

int container_network_start(struct engine *engine, const char *id,
			    const char *dir, struct berth_error **err)
{
	_cleanup_json_ json_t *record = NULL;
	const char *mode;

	if (load_record(dir, &record, err) < 0)
		return -1;
	if (record == NULL)
		return 0;

	mode = record_string(record, "mode");
	if (strcmp(mode, "container") == 0)
		return start_joined(engine, record, dir, err);
	if (strcmp(mode, "bridge") == 0)
		return start_bridge(engine, id, record, dir, err);
	return 0;
}

void container_network_stop(struct engine *engine, const char *id)
{
	_cleanup_free_ char *ns_path = netns_path(engine, id);
	char host_name[16];

	net_ports_unforward(id);
	veth_name(id, host_name);
	(void)net_link_delete(host_name, NULL);
	(void)net_netns_remove(ns_path, NULL);
}

int container_network_release(struct engine *engine, const char *id,
			      const char *dir, struct berth_error **err)
{
	_cleanup_network_ struct net_network *net = NULL;
	_cleanup_json_ json_t *record = NULL;
	_cleanup_lock_ int lock = -1;
	const char *network;

	container_network_stop(engine, id);

	if (load_record(dir, &record, err) < 0)
		return -1;
	if (record == NULL ||
	    strcmp(record_string(record, "mode"), "bridge") != 0)
		return 0;

	network = record_string(record, "network");
	if (net_store_lock(engine->root, &lock, err) < 0)
		return -1;

	/* A network file removed by hand leaves nothing to release. */
	if (!net_network_exists(engine->root, network))
		return 0;
	if (net_network_load(engine->root, network, &net, err) < 0)
		return -1;

	if (!net_ipam_release(net, id))
		return 0;
	if (net_network_save(engine->root, net, err) < 0)
		return -1;

	container_hosts_update_peers(engine, net, id);
	return 0;
}

static json_t *endpoint_json(const json_t *record)
{
	json_t *aliases = json_object_get(record, "aliases");

	return json_pack("{s:s, s:s, s:I, s:s, s:O}", "NetworkID",
			 record_string(record, "network_id"), "IPAddress",
			 record_string(record, "ip"), "IPPrefixLen",
			 json_integer_value(json_object_get(record, "prefix")),
			 "Gateway", record_string(record, "gateway"), "Aliases",
			 aliases != NULL ? aliases : json_null());
}

json_t *container_network_inspect_json(const char *dir)
{
	_cleanup_json_ json_t *record = NULL;
	json_t *j, *networks = json_object();
	const char *mode;

	if (load_record(dir, &record, NULL) < 0)
		record = NULL;
	mode = record != NULL ? record_string(record, "mode") : "";

	if (strcmp(mode, "bridge") == 0)
		json_object_set_new(networks, record_string(record, "network"),
				    endpoint_json(record));

	j = json_pack("{s:s, s:s, s:I, s:o}", "IPAddress",
		      record_string(record, "ip"), "Gateway",
		      record_string(record, "gateway"), "IPPrefixLen",
		      json_integer_value(json_object_get(record, "prefix")),
		      "Networks", networks);
	json_object_set_new(j, "Ports", container_ports_inspect_json(record));
	return j;
}
