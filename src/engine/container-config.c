/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-config.h"

#include <errno.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define CONTAINER_CONFIG_FILE "container.json"

static json_t *volumes_to_json(const struct container_config *c)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < c->n_volumes; i++) {
		const struct container_volume *v = &c->volumes[i];
		json_t *j = json_pack("{s:s, s:s, s:b}", "source", v->source,
				      "destination", v->destination,
				      "read_only", v->read_only);

		if (v->name != NULL)
			json_object_set_new(j, "name", json_string(v->name));
		if (v->propagation != NULL)
			json_object_set_new(j, "propagation",
					    json_string(v->propagation));
		json_array_append_new(arr, j);
	}
	return arr;
}

json_t *container_config_to_json(const struct container_config *c)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s,"
		" s:s, s:I, s:I, s:I, s:o, s:b, s:b, s:b, s:b, s:b}",
		"id", c->id, "name", c->name, "image", c->image, "image_id",
		c->image_id, "created", c->created, "entrypoint",
		json_strv_array(c->entrypoint), "cmd", json_strv_array(c->cmd),
		"env", json_strv_array(c->env), "workdir", c->workdir, "user",
		c->user, "hostname", c->hostname, "network", c->network,
		"lowerdir", c->lowerdir, "memory", (json_int_t)c->memory,
		"cpu_quota", (json_int_t)c->cpu_quota, "pids_limit",
		(json_int_t)c->pids_limit, "volumes", volumes_to_json(c),
		"read_only", c->read_only, "tty", c->tty, "interactive",
		c->interactive, "no_new_privileges", c->no_new_privileges,
		"auto_remove", c->auto_remove);

	/* Every string field is set, so json_pack fails only without memory. */
	if (j == NULL)
		abort();
	if (c->cgroup_parent != NULL)
		json_object_set_new(j, "cgroup_parent",
				    json_string(c->cgroup_parent));
	if (c->labels != NULL)
		json_object_set_new(j, "labels", json_strv_array(c->labels));
	if (c->tmpfs != NULL)
		json_object_set_new(j, "tmpfs", json_strv_array(c->tmpfs));
	if (c->cap_add != NULL)
		json_object_set_new(j, "cap_add", json_strv_array(c->cap_add));
	if (c->cap_drop != NULL)
		json_object_set_new(j, "cap_drop",
				    json_strv_array(c->cap_drop));
	if (c->stop_signal != NULL)
		json_object_set_new(j, "stop_signal",
				    json_string(c->stop_signal));
	if (c->stop_timeout >= 0)
		json_object_set_new(j, "stop_timeout",
				    json_integer(c->stop_timeout));
	if (c->restart != NULL)
		json_object_set_new(j, "restart", json_string(c->restart));
	if (c->init_path != NULL)
		json_object_set_new(j, "init_path", json_string(c->init_path));
	return j;
}

static int get_string(const json_t *j, const char *key, const char *what,
		      char **ret, struct berth_error **err)
{
	const char *s;

	if (json_get_string(j, key, what, &s, err) < 0)
		return -1;
	*ret = xstrdup(s);
	return 0;
}

static int get_volumes(const json_t *j, const char *what,
		       struct container_config *c, struct berth_error **err)
{
	json_t *arr = NULL, *v;
	size_t i;

	if (json_get_array_opt(j, "volumes", what, &arr, err) < 0)
		return -1;

	c->volumes = xcalloc(json_array_size(arr) + 1, sizeof(*c->volumes));
	json_array_foreach (arr, i, v) {
		struct container_volume *vol = &c->volumes[c->n_volumes];

		const char *name = NULL, *propagation = NULL;

		if (get_string(v, "source", what, &vol->source, err) < 0 ||
		    get_string(v, "destination", what, &vol->destination, err) <
			    0 ||
		    json_get_bool_opt(v, "read_only", what, &vol->read_only,
				      err) < 0 ||
		    json_get_string_opt(v, "name", what, &name, err) < 0 ||
		    json_get_string_opt(v, "propagation", what, &propagation,
					err) < 0) {
			free(vol->source);
			free(vol->destination);
			return -1;
		}
		vol->name = name != NULL ? xstrdup(name) : NULL;
		vol->propagation =
			propagation != NULL ? xstrdup(propagation) : NULL;
		c->n_volumes++;
	}
	return 0;
}

static int get_strings(const json_t *j, const char *what,
		       struct container_config *c, struct berth_error **err)
{
	const char *parent = NULL, *stop_signal = NULL, *restart = NULL;
	const char *init = NULL;

	if (get_string(j, "id", what, &c->id, err) < 0 ||
	    get_string(j, "name", what, &c->name, err) < 0 ||
	    get_string(j, "image", what, &c->image, err) < 0 ||
	    get_string(j, "image_id", what, &c->image_id, err) < 0 ||
	    get_string(j, "created", what, &c->created, err) < 0 ||
	    get_string(j, "workdir", what, &c->workdir, err) < 0 ||
	    get_string(j, "user", what, &c->user, err) < 0 ||
	    get_string(j, "hostname", what, &c->hostname, err) < 0 ||
	    get_string(j, "network", what, &c->network, err) < 0 ||
	    get_string(j, "lowerdir", what, &c->lowerdir, err) < 0)
		return -1;

	if (json_get_string_opt(j, "cgroup_parent", what, &parent, err) < 0)
		return -1;
	if (parent != NULL)
		c->cgroup_parent = xstrdup(parent);

	if (json_get_string_opt(j, "stop_signal", what, &stop_signal, err) < 0)
		return -1;
	if (stop_signal != NULL)
		c->stop_signal = xstrdup(stop_signal);
	if (json_get_string_opt(j, "restart", what, &restart, err) < 0)
		return -1;
	if (restart != NULL)
		c->restart = xstrdup(restart);
	if (json_get_string_opt(j, "init_path", what, &init, err) < 0)
		return -1;
	if (init != NULL)
		c->init_path = xstrdup(init);

	if (json_get_strv_opt(j, "entrypoint", what, &c->entrypoint, err) < 0 ||
	    json_get_strv_opt(j, "cmd", what, &c->cmd, err) < 0 ||
	    json_get_strv_opt(j, "env", what, &c->env, err) < 0 ||
	    json_get_strv_opt(j, "labels", what, &c->labels, err) < 0 ||
	    json_get_strv_opt(j, "tmpfs", what, &c->tmpfs, err) < 0 ||
	    json_get_strv_opt(j, "cap_add", what, &c->cap_add, err) < 0 ||
	    json_get_strv_opt(j, "cap_drop", what, &c->cap_drop, err) < 0)
		return -1;
	return 0;
}

static int get_scalars(const json_t *j, const char *what,
		       struct container_config *c, struct berth_error **err)
{
	if (json_get_int64_opt(j, "memory", what, &c->memory, err) < 0 ||
	    json_get_int64_opt(j, "cpu_quota", what, &c->cpu_quota, err) < 0 ||
	    json_get_int64_opt(j, "pids_limit", what, &c->pids_limit, err) <
		    0 ||
	    json_get_int64_opt(j, "stop_timeout", what, &c->stop_timeout, err) <
		    0)
		return -1;

	if (json_get_bool_opt(j, "read_only", what, &c->read_only, err) < 0 ||
	    json_get_bool_opt(j, "tty", what, &c->tty, err) < 0 ||
	    json_get_bool_opt(j, "interactive", what, &c->interactive, err) <
		    0 ||
	    json_get_bool_opt(j, "no_new_privileges", what,
			      &c->no_new_privileges, err) < 0 ||
	    json_get_bool_opt(j, "auto_remove", what, &c->auto_remove, err) < 0)
		return -1;
	return 0;
}

int container_config_from_json(const json_t *j, const char *what,
			       struct container_config **ret,
			       struct berth_error **err)
{
	_cleanup_container_config_ struct container_config *c = NULL;

	c = xzalloc(sizeof(*c));
	c->memory = -1;
	c->cpu_quota = -1;
	c->pids_limit = -1;
	c->stop_timeout = -1;

	if (!json_is_object(j))
		return berth_error_set(err, 0, "%s: expected an object", what);

	if (get_strings(j, what, c, err) < 0 ||
	    get_scalars(j, what, c, err) < 0 ||
	    get_volumes(j, what, c, err) < 0)
		return -1;

	*ret = TAKE_PTR(c);
	return 0;
}

int container_config_load(const char *dir, struct container_config **ret,
			  struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_CONFIG_FILE);
	_cleanup_json_ json_t *j = NULL;

	if (json_parse_file(path, &j, err) < 0)
		return -1;

	return container_config_from_json(j, path, ret, err);
}

int container_config_save(const char *dir,
			  const struct container_config *config,
			  struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, CONTAINER_CONFIG_FILE);
	_cleanup_json_ json_t *j = container_config_to_json(config);

	return json_write_file_atomic(path, j, err);
}

void container_config_free(struct container_config *c)
{
	if (c == NULL)
		return;

	free(c->id);
	free(c->name);
	free(c->image);
	free(c->image_id);
	free(c->created);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->hostname);
	free(c->network);
	free(c->lowerdir);
	free(c->cgroup_parent);
	strv_free(c->labels);
	strv_free(c->tmpfs);
	strv_free(c->cap_add);
	strv_free(c->cap_drop);
	strv_free(c->exposed_ports);
	free(c->stop_signal);
	free(c->restart);
	free(c->init_path);
	for (size_t i = 0; i < c->n_volumes; i++) {
		free(c->volumes[i].source);
		free(c->volumes[i].destination);
		free(c->volumes[i].name);
		free(c->volumes[i].propagation);
		strv_free(c->volumes[i].volume_labels);
	}
	free(c->volumes);
	free(c);
}
