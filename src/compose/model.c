/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "compose/model-internal.h"
#include "compose/normalize.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static char *get_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? xstrdup(s) : NULL;
}

static bool get_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

static long long get_int(const json_t *obj, const char *key, long long def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

static long long get_duration(const json_t *obj, const char *key)
{
	long long ns;

	if (compose_parse_duration(json_string_value(json_object_get(obj, key)),
				   &ns) < 0)
		return -1;
	return ns;
}

/* A list of strings, or NULL when key is unset or null. */
static char **get_strv(const json_t *obj, const char *key)
{
	json_t *array = json_object_get(obj, key);
	char **strv;
	json_t *v;
	size_t i;

	if (!json_is_array(array))
		return NULL;
	strv = xcalloc(json_array_size(array) + 1, sizeof(char *));
	json_array_foreach (array, i, v)
		strv[i] = xstrdup(json_string_value(v) ?: "");
	return strv;
}

/*
 * A mapping of strings as KEY=VALUE; keys with null values are left out.
 * Filled in place, not by strv_push(), which would take quadratic time
 * on the mappings of a hostile file.
 */
static char **get_pairs(const json_t *obj, const char *key)
{
	json_t *map = json_object_get(obj, key);
	char **strv;
	size_t n = 0;
	const char *k;
	json_t *v;

	if (json_object_size(map) == 0)
		return NULL;
	strv = xcalloc(json_object_size(map) + 1, sizeof(char *));
	json_object_foreach (map, k, v) {
		if (json_is_string(v))
			xasprintf(&strv[n++], "%s=%s", k, json_string_value(v));
	}
	if (n == 0) {
		free(strv);
		return NULL;
	}
	return strv;
}

static void load_build(struct compose_service *s, const json_t *build)
{
	if (!json_is_object(build))
		return;
	s->build = xzalloc(sizeof(*s->build));
	s->build->context = get_str(build, "context");
	s->build->dockerfile = get_str(build, "dockerfile");
	s->build->args = get_pairs(build, "args");
	s->build->target = get_str(build, "target");
}

static void load_ports(struct compose_service *s, const json_t *ports)
{
	json_t *v;
	size_t i;

	s->n_ports = json_array_size(ports);
	s->ports = xcalloc(s->n_ports + 1, sizeof(*s->ports));
	json_array_foreach (ports, i, v) {
		s->ports[i] = (struct compose_port){
			.host_ip = get_str(v, "host_ip"),
			.target = get_int(v, "target", 0),
			.published = get_str(v, "published"),
			.protocol = get_str(v, "protocol"),
		};
	}
}

static enum compose_mount_type mount_type(const char *type)
{
	if (strcmp(type, "bind") == 0)
		return COMPOSE_MOUNT_BIND;
	if (strcmp(type, "tmpfs") == 0)
		return COMPOSE_MOUNT_TMPFS;
	return COMPOSE_MOUNT_VOLUME;
}

static void load_mounts(struct compose_service *s, const json_t *volumes)
{
	json_t *v;
	size_t i;

	s->n_mounts = json_array_size(volumes);
	s->mounts = xcalloc(s->n_mounts + 1, sizeof(*s->mounts));
	json_array_foreach (volumes, i, v) {
		const json_t *bind = json_object_get(v, "bind");
		const json_t *tmpfs = json_object_get(v, "tmpfs");

		s->mounts[i] = (struct compose_mount){
			.type = mount_type(
				json_string_value(json_object_get(v, "type"))),
			.source = get_str(v, "source"),
			.target = get_str(v, "target"),
			.read_only = get_bool(v, "read_only", false),
			.create_host_path =
				get_bool(bind, "create_host_path", false),
			.propagation = get_str(bind, "propagation"),
			.nocopy = get_bool(json_object_get(v, "volume"),
					   "nocopy", false),
			.tmpfs_size = get_int(tmpfs, "size", -1),
			.tmpfs_mode = get_int(tmpfs, "mode", -1),
		};
	}
}

static void load_service_networks(struct compose_service *s,
				  const json_t *networks)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	s->n_networks = json_object_size(networks);
	s->networks = xcalloc(s->n_networks + 1, sizeof(*s->networks));
	json_object_foreach ((json_t *)networks, key, v) {
		s->networks[i++] = (struct compose_service_network){
			.name = xstrdup(key),
			.aliases = get_strv(v, "aliases"),
			.ipv4_address = get_str(v, "ipv4_address"),
			.ipv6_address = get_str(v, "ipv6_address"),
		};
	}
}

static enum compose_condition condition_of(const char *s)
{
	if (s != NULL && strcmp(s, "service_healthy") == 0)
		return COMPOSE_SERVICE_HEALTHY;
	if (s != NULL && strcmp(s, "service_completed_successfully") == 0)
		return COMPOSE_SERVICE_COMPLETED_SUCCESSFULLY;
	return COMPOSE_SERVICE_STARTED;
}

static void load_depends_on(struct compose_service *s, const json_t *deps)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	s->n_depends_on = json_object_size(deps);
	s->depends_on = xcalloc(s->n_depends_on + 1, sizeof(*s->depends_on));
	json_object_foreach ((json_t *)deps, key, v) {
		s->depends_on[i++] = (struct compose_dependency){
			.service = xstrdup(key),
			.condition = condition_of(json_string_value(
				json_object_get(v, "condition"))),
			.required = get_bool(v, "required", true),
			.restart = get_bool(v, "restart", false),
		};
	}
}

#define SERVICE_MODE_PREFIX "service:"

/*
 * Read network_mode. The service whose network it shares becomes a
 * dependency, because it must start first, as in Compose.
 */
static void load_network_mode(struct compose_service *s, char *mode)
{
	const char *target;

	s->network_mode = mode;
	if (mode == NULL || strncmp(mode, SERVICE_MODE_PREFIX,
				    strlen(SERVICE_MODE_PREFIX)) != 0)
		return;

	target = mode + strlen(SERVICE_MODE_PREFIX);
	for (size_t i = 0; i < s->n_depends_on; i++)
		if (strcmp(s->depends_on[i].service, target) == 0)
			return;

	s->depends_on = xreallocarray(s->depends_on, s->n_depends_on + 2,
				      sizeof(*s->depends_on));
	s->depends_on[s->n_depends_on++] = (struct compose_dependency){
		.service = xstrdup(target),
		.condition = COMPOSE_SERVICE_STARTED,
		.required = true,
	};
	s->depends_on[s->n_depends_on] = (struct compose_dependency){0};
}

static void load_env_files(struct compose_service *s, const json_t *files)
{
	json_t *v;
	size_t i;

	s->n_env_files = json_array_size(files);
	s->env_files = xcalloc(s->n_env_files + 1, sizeof(*s->env_files));
	json_array_foreach (files, i, v) {
		s->env_files[i].path = get_str(v, "path");
		s->env_files[i].required = get_bool(v, "required", true);
	}
}

static void load_healthcheck(struct compose_service *s, const json_t *hc)
{
	struct compose_healthcheck *h = &s->healthcheck;

	h->set = json_is_object(hc);
	h->disable = get_bool(hc, "disable", false);
	h->test = get_strv(hc, "test");
	h->interval = get_duration(hc, "interval");
	h->timeout = get_duration(hc, "timeout");
	h->start_period = get_duration(hc, "start_period");
	h->retries = get_int(hc, "retries", -1);
	if (h->test != NULL && h->test[0] != NULL &&
	    strcmp(h->test[0], "NONE") == 0)
		h->disable = true;
}

static void load_limits(struct compose_service *s, const json_t *svc)
{
	json_t *limits = json_object_get(
		json_object_get(json_object_get(svc, "deploy"), "resources"),
		"limits");
	json_t *cpus = json_object_get(svc, "cpus");

	s->mem_limit = get_int(svc, "mem_limit", get_int(limits, "memory", -1));
	s->pids_limit = get_int(svc, "pids_limit", get_int(limits, "pids", -1));
	if (!json_is_number(cpus))
		cpus = json_object_get(limits, "cpus");
	s->cpus = json_is_number(cpus) ? json_number_value(cpus) : -1;
}

static void load_service(struct compose_service *s, const char *name,
			 const json_t *svc)
{
	s->name = xstrdup(name);
	s->image = get_str(svc, "image");
	load_build(s, json_object_get(svc, "build"));
	s->command = get_strv(svc, "command");
	s->entrypoint = get_strv(svc, "entrypoint");
	s->environment = get_pairs(svc, "environment");
	load_env_files(s, json_object_get(svc, "env_file"));
	load_ports(s, json_object_get(svc, "ports"));
	load_mounts(s, json_object_get(svc, "volumes"));
	load_service_networks(s, json_object_get(svc, "networks"));
	load_depends_on(s, json_object_get(svc, "depends_on"));
	load_network_mode(s, get_str(svc, "network_mode"));
	load_healthcheck(s, json_object_get(svc, "healthcheck"));

	s->restart = get_str(svc, "restart");
	s->user = get_str(svc, "user");
	s->working_dir = get_str(svc, "working_dir");
	s->read_only = get_bool(svc, "read_only", false);
	s->init = get_bool(svc, "init", false);
	s->tmpfs = get_strv(svc, "tmpfs");
	s->cap_add = get_strv(svc, "cap_add");
	s->cap_drop = get_strv(svc, "cap_drop");
	s->labels = get_pairs(svc, "labels");
	s->hostname = get_str(svc, "hostname");
	s->cgroup_parent = get_str(svc, "cgroup_parent");
	s->container_name = get_str(svc, "container_name");
	s->stop_signal = get_str(svc, "stop_signal");
	s->stop_grace_period = get_duration(svc, "stop_grace_period");
	s->expose = get_strv(svc, "expose");
	s->extra_hosts = get_strv(svc, "extra_hosts");
	s->dns = get_strv(svc, "dns");
	s->dns_search = get_strv(svc, "dns_search");
	s->dns_opt = get_strv(svc, "dns_opt");
	load_limits(s, svc);
}

static void load_network(struct compose_network *net, const char *key,
			 const json_t *obj)
{
	json_t *config =
		json_object_get(json_object_get(obj, "ipam"), "config");
	json_t *v;
	size_t i;

	net->key = xstrdup(key);
	net->name = get_str(obj, "name");
	net->driver = get_str(obj, "driver");
	net->external = get_bool(obj, "external", false);
	net->internal = get_bool(obj, "internal", false);
	net->labels = get_pairs(obj, "labels");
	net->n_ipam = json_array_size(config);
	net->ipam = xcalloc(net->n_ipam + 1, sizeof(*net->ipam));
	json_array_foreach (config, i, v) {
		net->ipam[i].subnet = get_str(v, "subnet");
		net->ipam[i].gateway = get_str(v, "gateway");
	}
}

static void load_volume(struct compose_volume *vol, const char *key,
			const json_t *obj)
{
	vol->key = xstrdup(key);
	vol->name = get_str(obj, "name");
	vol->driver = get_str(obj, "driver");
	vol->external = get_bool(obj, "external", false);
	vol->labels = get_pairs(obj, "labels");
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of a mapping in name order. */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys = xcalloc(json_object_size(obj) + 1, sizeof(char *));
	const char *key;
	json_t *v;

	*n = 0;
	json_object_foreach ((json_t *)obj, key, v)
		keys[(*n)++] = key;
	qsort(keys, *n, sizeof(*keys), compare_keys);
	return keys;
}

struct compose_project *model_from_json(const json_t *root)
{
	struct compose_project *p = xzalloc(sizeof(*p));
	json_t *services = json_object_get(root, "services");
	json_t *networks = json_object_get(root, "networks");
	json_t *volumes = json_object_get(root, "volumes");
	_cleanup_free_ const char **keys = NULL;
	size_t n;

	p->name = get_str(root, "name");

	keys = sorted_keys(services, &n);
	p->services = xcalloc(n + 1, sizeof(*p->services));
	p->n_services = n;
	for (size_t i = 0; i < n; i++)
		load_service(&p->services[i], keys[i],
			     json_object_get(services, keys[i]));
	free(keys);

	keys = sorted_keys(networks, &n);
	p->networks = xcalloc(n + 1, sizeof(*p->networks));
	p->n_networks = n;
	for (size_t i = 0; i < n; i++)
		load_network(&p->networks[i], keys[i],
			     json_object_get(networks, keys[i]));
	free(keys);

	keys = sorted_keys(volumes, &n);
	p->volumes = xcalloc(n + 1, sizeof(*p->volumes));
	p->n_volumes = n;
	for (size_t i = 0; i < n; i++)
		load_volume(&p->volumes[i], keys[i],
			    json_object_get(volumes, keys[i]));
	return p;
}

static void free_service(struct compose_service *s)
{
	free(s->name);
	free(s->image);
	if (s->build != NULL) {
		free(s->build->context);
		free(s->build->dockerfile);
		strv_free(s->build->args);
		free(s->build->target);
		free(s->build);
	}
	strv_free(s->command);
	strv_free(s->entrypoint);
	strv_free(s->environment);
	for (size_t i = 0; i < s->n_env_files; i++)
		free(s->env_files[i].path);
	free(s->env_files);
	for (size_t i = 0; i < s->n_ports; i++) {
		free(s->ports[i].host_ip);
		free(s->ports[i].published);
		free(s->ports[i].protocol);
	}
	free(s->ports);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].source);
		free(s->mounts[i].target);
		free(s->mounts[i].propagation);
	}
	free(s->mounts);
	for (size_t i = 0; i < s->n_networks; i++) {
		free(s->networks[i].name);
		strv_free(s->networks[i].aliases);
		free(s->networks[i].ipv4_address);
		free(s->networks[i].ipv6_address);
	}
	free(s->networks);
	for (size_t i = 0; i < s->n_depends_on; i++)
		free(s->depends_on[i].service);
	free(s->depends_on);
	strv_free(s->healthcheck.test);
	free(s->restart);
	free(s->user);
	free(s->working_dir);
	strv_free(s->tmpfs);
	strv_free(s->cap_add);
	strv_free(s->cap_drop);
	strv_free(s->labels);
	free(s->hostname);
	free(s->cgroup_parent);
	free(s->network_mode);
	free(s->container_name);
	free(s->stop_signal);
	strv_free(s->expose);
	strv_free(s->extra_hosts);
	strv_free(s->dns);
	strv_free(s->dns_search);
	strv_free(s->dns_opt);
}

void compose_project_free(struct compose_project *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_services; i++)
		free_service(&p->services[i]);
	free(p->services);
	for (size_t i = 0; i < p->n_networks; i++) {
		struct compose_network *net = &p->networks[i];

		free(net->key);
		free(net->name);
		free(net->driver);
		strv_free(net->labels);
		for (size_t j = 0; j < net->n_ipam; j++) {
			free(net->ipam[j].subnet);
			free(net->ipam[j].gateway);
		}
		free(net->ipam);
	}
	free(p->networks);
	for (size_t i = 0; i < p->n_volumes; i++) {
		free(p->volumes[i].key);
		free(p->volumes[i].name);
		free(p->volumes[i].driver);
		strv_free(p->volumes[i].labels);
	}
	free(p->volumes);
	free(p->name);
	free(p->working_dir);
	json_decref(p->config);
	free(p);
}

const struct compose_service *
compose_project_service(const struct compose_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++) {
		if (strcmp(p->services[i].name, name) == 0)
			return &p->services[i];
	}
	return NULL;
}
