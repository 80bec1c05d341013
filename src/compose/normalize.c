/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "compose/norm-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL || strncmp(s, "git@", 4) == 0;
}

static int norm_build_args(struct norm *n, const json_t *in, json_t **out,
			   struct berth_error **err)
{
	return norm_environment(n, in, out, err);
}

static int norm_build(struct norm *n, const json_t *in, json_t **out,
		      struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"context", norm_string},
		{"dockerfile", norm_string},
		{"dockerfile_inline", norm_string},
		{"args", norm_build_args},
		{"target", norm_string},
		{"labels", norm_labels},
		{"network", norm_string},
		{"no_cache", norm_bool},
		{"pull", norm_bool},
		{"cache_from", norm_strlist},
		{"tags", norm_strlist},
		{"platforms", norm_strlist},
		{"shm_size", norm_bytes},
		{NULL, NULL},
	};
	_cleanup_json_ json_t *obj = NULL;
	const char *context;

	if (json_is_string(in)) {
		obj = json_pack("{s:O}", "context", (json_t *)in);
	} else if (norm_object(n, in, fields, &obj, err) < 0) {
		return -1;
	}

	/*
	 * No default context or dockerfile here: a later -f file that sets
	 * only build.args must not reset them. compose_project_build() sets
	 * the defaults once the files are merged.
	 */
	context = json_string_value(json_object_get(obj, "context"));
	if (context != NULL && !is_url(context)) {
		_cleanup_free_ char *abs = norm_resolve_path(n, context);

		json_object_set_new(obj, "context", json_string(abs));
	}

	*out = TAKE_PTR(obj);
	return 0;
}

static int norm_env_file_entry(struct norm *n, const json_t *in, json_t **out,
			       struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"path", norm_string},
		{"required", norm_bool},
		{"format", norm_string},
		{NULL, NULL},
	};
	_cleanup_json_ json_t *obj = NULL;
	_cleanup_free_ char *abs = NULL;
	const char *path;

	if (json_is_string(in))
		obj = json_pack("{s:O}", "path", (json_t *)in);
	else if (norm_object(n, in, fields, &obj, err) < 0)
		return -1;

	path = json_string_value(json_object_get(obj, "path"));
	if (path == NULL || *path == '\0')
		return norm_fail(n, err, "path: missing");
	abs = norm_resolve_path(n, path);
	json_object_set_new(obj, "path", json_string(abs));
	if (json_object_get(obj, "required") == NULL)
		json_object_set_new(obj, "required", json_true());

	*out = TAKE_PTR(obj);
	return 0;
}

static int norm_env_file(struct norm *n, const json_t *in, json_t **out,
			 struct berth_error **err)
{
	_cleanup_json_ json_t *list = json_array();
	json_t *v;
	size_t i;

	if (json_is_string(in)) {
		json_t *entry = NULL;

		if (norm_env_file_entry(n, in, &entry, err) < 0)
			return -1;
		json_array_append_new(list, entry);
		*out = TAKE_PTR(list);
		return 0;
	}
	if (!json_is_array(in))
		return norm_type_error(n, "a path or a sequence", err);

	json_array_foreach (in, i, v) {
		json_t *entry = NULL;

		path_push_index(&n->path, i);
		if (norm_env_file_entry(n, v, &entry, err) < 0)
			return -1;
		path_pop(&n->path);
		json_array_append_new(list, entry);
	}
	*out = TAKE_PTR(list);
	return 0;
}

static int norm_healthcheck_test(struct norm *n, const json_t *in, json_t **out,
				 struct berth_error **err)
{
	const char *first;

	if (json_is_string(in)) {
		if (strcmp(json_string_value(in), "NONE") == 0)
			*out = json_pack("[s]", "NONE");
		else
			*out = json_pack("[s,O]", "CMD-SHELL", (json_t *)in);
		return 0;
	}
	if (norm_strlist(n, in, out, err) < 0)
		return -1;

	first = json_string_value(json_array_get(*out, 0));
	if (first == NULL ||
	    (strcmp(first, "NONE") != 0 && strcmp(first, "CMD") != 0 &&
	     strcmp(first, "CMD-SHELL") != 0)) {
		json_decref(*out);
		*out = NULL;
		return norm_fail(n, err,
				 "a test list starts with NONE, CMD or "
				 "CMD-SHELL");
	}
	return 0;
}

static int norm_healthcheck(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"test", norm_healthcheck_test},
		{"interval", norm_duration},
		{"timeout", norm_duration},
		{"retries", norm_uint},
		{"start_period", norm_duration},
		{"start_interval", norm_duration},
		{"disable", norm_bool},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static const char *const conditions[] = {
	"service_started",
	"service_healthy",
	"service_completed_successfully",
};

static int norm_dependency(struct norm *n, const json_t *in, json_t **out,
			   struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"condition", norm_string},
		{"required", norm_bool},
		{"restart", norm_bool},
		{NULL, NULL},
	};
	_cleanup_json_ json_t *obj = NULL;
	const char *condition;
	bool known = false;

	if (norm_object(n, in, fields, &obj, err) < 0)
		return -1;

	condition = json_string_value(json_object_get(obj, "condition"));
	if (condition == NULL) {
		condition = conditions[0];
		json_object_set_new(obj, "condition", json_string(condition));
	}
	for (size_t i = 0; i < ARRAY_SIZE(conditions); i++)
		known = known || strcmp(condition, conditions[i]) == 0;
	if (!known)
		return norm_fail(n, err,
				 "condition: invalid '%s': use "
				 "service_started, service_healthy or "
				 "service_completed_successfully",
				 condition);
	if (json_object_get(obj, "required") == NULL)
		json_object_set_new(obj, "required", json_true());

	*out = TAKE_PTR(obj);
	return 0;
}

static int norm_depends_on(struct norm *n, const json_t *in, json_t **out,
			   struct berth_error **err)
{
	_cleanup_json_ json_t *map = json_object();
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(in)) {
		json_array_foreach (in, i, v) {
			if (!json_is_string(v)) {
				path_push_index(&n->path, i);
				return norm_type_error(n, "a service name",
						       err);
			}
			json_object_set_new(map, json_string_value(v),
					    json_pack("{s:s,s:b}", "condition",
						      conditions[0], "required",
						      1));
		}
	} else if (json_is_object(in)) {
		json_object_foreach ((json_t *)in, key, v) {
			json_t *dep = NULL;

			if (norm_child(n, key, v, norm_dependency, &dep, err) <
			    0)
				return -1;
			json_object_set_new(map, key, dep);
		}
	} else {
		return norm_type_error(n, "a sequence or a mapping", err);
	}

	*out = TAKE_PTR(map);
	return 0;
}

static int norm_service_network(struct norm *n, const json_t *in, json_t **out,
				struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"aliases", norm_strlist},     {"ipv4_address", norm_string},
		{"ipv6_address", norm_string}, {"priority", norm_int},
		{"mac_address", norm_string},  {NULL, NULL},
	};

	if (json_is_null(in)) {
		*out = json_null();
		return 0;
	}
	return norm_object(n, in, fields, out, err);
}

static int norm_service_networks(struct norm *n, const json_t *in, json_t **out,
				 struct berth_error **err)
{
	_cleanup_json_ json_t *map = json_object();
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(in)) {
		json_array_foreach (in, i, v) {
			if (!json_is_string(v)) {
				path_push_index(&n->path, i);
				return norm_type_error(n, "a network name",
						       err);
			}
			json_object_set_new(map, json_string_value(v),
					    json_null());
		}
	} else if (json_is_object(in)) {
		json_object_foreach ((json_t *)in, key, v) {
			json_t *net = NULL;

			if (norm_child(n, key, v, norm_service_network, &net,
				       err) < 0)
				return -1;
			json_object_set_new(map, key, net);
		}
	} else {
		return norm_type_error(n, "a sequence or a mapping", err);
	}

	*out = TAKE_PTR(map);
	return 0;
}

static int norm_restart(struct norm *n, const json_t *in, json_t **out,
			struct berth_error **err)
{
	const char *s;

	if (norm_string(n, in, out, err) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	s = json_string_value(*out);
	if (strcmp(s, "no") == 0 || strcmp(s, "always") == 0 ||
	    strcmp(s, "unless-stopped") == 0 || strcmp(s, "on-failure") == 0 ||
	    (strncmp(s, "on-failure:", 11) == 0 && s[11] >= '0' &&
	     s[11] <= '9' && strspn(s + 11, "0123456789") == strlen(s + 11)))
		return 0;

	int r = norm_fail(n, err,
			  "invalid restart policy '%s': use no, always, "
			  "on-failure[:N] or unless-stopped",
			  s);

	json_decref(*out);
	*out = NULL;
	return r;
}

static int norm_extra_hosts(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	_cleanup_json_ json_t *list = json_array();
	_cleanup_json_ json_t *items = NULL;
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(in)) {
		json_object_foreach ((json_t *)in, key, v) {
			_cleanup_free_ char *ip = norm_scalar_text(v);
			_cleanup_free_ char *entry = NULL;

			if (ip == NULL) {
				path_push_key(&n->path, key);
				return norm_type_error(n, "an address", err);
			}
			xasprintf(&entry, "%s=%s", key, ip);
			json_array_append_new(list, json_string(entry));
		}
		*out = TAKE_PTR(list);
		return 0;
	}
	if (norm_strlist(n, in, &items, err) < 0)
		return -1;

	json_array_foreach (items, i, v) {
		_cleanup_free_ char *entry = xstrdup(json_string_value(v));
		char *sep = strchr(entry, '=');

		/* "host:ip" is the older spelling; addresses may hold ':'. */
		if (sep == NULL)
			sep = strchr(entry, ':');
		if (sep == NULL || sep == entry || sep[1] == '\0') {
			path_push_index(&n->path, i);
			return norm_fail(n, err,
					 "invalid host entry '%s': use "
					 "HOST=ADDRESS",
					 entry);
		}
		*sep = '=';
		json_array_append_new(list, json_string(entry));
	}
	*out = TAKE_PTR(list);
	return 0;
}

static int norm_resources_set(struct norm *n, const json_t *in, json_t **out,
			      struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"cpus", norm_number},
		{"memory", norm_bytes},
		{"pids", norm_int},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_resources(struct norm *n, const json_t *in, json_t **out,
			  struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"limits", norm_resources_set},
		{"reservations", norm_resources_set},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_restart_policy(struct norm *n, const json_t *in, json_t **out,
			       struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"condition", norm_string},
		{"delay", norm_duration},
		{"max_attempts", norm_uint},
		{"window", norm_duration},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_deploy(struct norm *n, const json_t *in, json_t **out,
		       struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"resources", norm_resources},
		{"replicas", norm_uint},
		{"restart_policy", norm_restart_policy},
		{"labels", norm_labels},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_map_of_strings(struct norm *n, const json_t *in, json_t **out,
			       struct berth_error **err)
{
	return norm_labels(n, in, out, err);
}

static const struct norm_field service_fields[] = {
	{"build", norm_build},
	{"cap_add", norm_strlist},
	{"cap_drop", norm_strlist},
	{"cgroup_parent", norm_string},
	{"command", norm_command},
	{"container_name", norm_string},
	{"cpus", norm_number},
	{"depends_on", norm_depends_on},
	{"deploy", norm_deploy},
	{"devices", norm_strlist},
	{"dns", norm_strlist},
	{"dns_opt", norm_strlist},
	{"dns_search", norm_strlist},
	{"domainname", norm_string},
	{"entrypoint", norm_command},
	{"env_file", norm_env_file},
	{"environment", norm_environment},
	{"expose", norm_expose},
	{"extra_hosts", norm_extra_hosts},
	{"healthcheck", norm_healthcheck},
	{"hostname", norm_string},
	{"image", norm_string},
	{"init", norm_bool},
	{"ipc", norm_string},
	{"labels", norm_labels},
	{"mac_address", norm_string},
	{"mem_limit", norm_bytes},
	{"mem_reservation", norm_bytes},
	{"memswap_limit", norm_bytes},
	{"network_mode", norm_string},
	{"networks", norm_service_networks},
	{"pid", norm_string},
	{"pids_limit", norm_int},
	{"platform", norm_string},
	{"ports", norm_ports},
	{"privileged", norm_bool},
	{"profiles", norm_strlist},
	{"pull_policy", norm_string},
	{"read_only", norm_bool},
	{"restart", norm_restart},
	{"security_opt", norm_strlist},
	{"shm_size", norm_bytes},
	{"stdin_open", norm_bool},
	{"stop_grace_period", norm_duration},
	{"stop_signal", norm_string},
	{"sysctls", norm_map_of_strings},
	{"tmpfs", norm_strlist},
	{"tty", norm_bool},
	{"user", norm_string},
	{"userns_mode", norm_string},
	{"volumes", norm_volumes},
	{"working_dir", norm_string},
	{NULL, NULL},
};

static int norm_service(struct norm *n, const json_t *in, json_t **out,
			struct berth_error **err)
{
	return norm_object(n, in, service_fields, out, err);
}

static int norm_ipam_config(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"subnet", norm_string},
		{"gateway", norm_string},
		{"ip_range", norm_string},
		{NULL, NULL},
	};
	_cleanup_json_ json_t *list = json_array();
	json_t *v;
	size_t i;

	if (!json_is_array(in))
		return norm_type_error(n, "a sequence", err);
	json_array_foreach (in, i, v) {
		json_t *entry = NULL;

		path_push_index(&n->path, i);
		if (norm_object(n, v, fields, &entry, err) < 0)
			return -1;
		path_pop(&n->path);
		json_array_append_new(list, entry);
	}
	*out = TAKE_PTR(list);
	return 0;
}

static int norm_ipam(struct norm *n, const json_t *in, json_t **out,
		     struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"driver", norm_string},
		{"config", norm_ipam_config},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

/* external: true, or the older external: {name: N}. */
static int norm_external(struct norm *n, const json_t *in, json_t **out,
			 struct berth_error **err)
{
	if (json_is_object(in)) {
		norm_warn(n, "external.name is deprecated, use name");
		*out = json_true();
		return 0;
	}
	return norm_bool(n, in, out, err);
}

static int norm_network(struct norm *n, const json_t *in, json_t **out,
			struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"driver", norm_string},
		{"driver_opts", norm_map_of_strings},
		{"external", norm_external},
		{"name", norm_string},
		{"internal", norm_bool},
		{"attachable", norm_bool},
		{"enable_ipv6", norm_bool},
		{"ipam", norm_ipam},
		{"labels", norm_labels},
		{NULL, NULL},
	};
	json_t *ext_name =
		json_object_get(json_object_get(in, "external"), "name");

	if (norm_object(n, in, fields, out, err) < 0)
		return -1;
	if (json_is_string(ext_name) && json_object_get(*out, "name") == NULL)
		json_object_set(*out, "name", ext_name);
	return 0;
}

static int norm_volume(struct norm *n, const json_t *in, json_t **out,
		       struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"driver", norm_string},
		{"driver_opts", norm_map_of_strings},
		{"external", norm_external},
		{"name", norm_string},
		{"labels", norm_labels},
		{NULL, NULL},
	};
	json_t *ext_name =
		json_object_get(json_object_get(in, "external"), "name");

	if (norm_object(n, in, fields, out, err) < 0)
		return -1;
	if (json_is_string(ext_name) && json_object_get(*out, "name") == NULL)
		json_object_set(*out, "name", ext_name);
	return 0;
}

/* A mapping whose values each go through fn. */
static int norm_named(struct norm *n, const json_t *in, norm_fn fn,
		      json_t **out, struct berth_error **err)
{
	_cleanup_json_ json_t *map = json_object();
	const char *key;
	json_t *v;

	if (json_is_null(in)) {
		*out = TAKE_PTR(map);
		return 0;
	}
	if (!json_is_object(in))
		return norm_type_error(n, "a mapping", err);

	json_object_foreach ((json_t *)in, key, v) {
		json_t *item = NULL;

		if (strncmp(key, "x-", 2) == 0)
			continue;
		if (norm_child(n, key, v, fn, &item, err) < 0)
			return -1;
		json_object_set_new(map, key, item);
	}
	*out = TAKE_PTR(map);
	return 0;
}

static int norm_services(struct norm *n, const json_t *in, json_t **out,
			 struct berth_error **err)
{
	return norm_named(n, in, norm_service, out, err);
}

static int norm_networks(struct norm *n, const json_t *in, json_t **out,
			 struct berth_error **err)
{
	return norm_named(n, in, norm_network, out, err);
}

static int norm_top_volumes(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	return norm_named(n, in, norm_volume, out, err);
}

static int norm_version(struct norm *n, const json_t *in, json_t **out,
			struct berth_error **err)
{
	norm_warn(n, "obsolete, ignored");
	*out = NULL;
	return 0;
}

int compose_normalize(const json_t *in, const struct normalize_options *opts,
		      json_t **ret, struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"name", norm_string},	       {"version", norm_version},
		{"services", norm_services},   {"networks", norm_networks},
		{"volumes", norm_top_volumes}, {NULL, NULL},
	};
	struct norm n = {.opts = opts};
	int r;

	if (!json_is_object(in))
		return berth_error_set(err, 0,
				       "%s: expected a mapping at the top "
				       "level",
				       opts->file);

	r = norm_object(&n, in, fields, ret, err);
	path_release(&n.path);
	return r;
}
