/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime/spec.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "runtime/spec-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

char *spec_field_path(const char *where, const char *key)
{
	char *path = NULL;

	if (where == NULL || where[0] == '\0')
		return xstrdup(key);

	xasprintf(&path, "%s.%s", where, key);
	return path;
}

char *spec_index_path(const char *where, size_t index)
{
	char *path = NULL;

	xasprintf(&path, "%s[%zu]", where, index);
	return path;
}

/* Drop the last component of the cleaned prefix buf[0..*len). */
static void clean_pop(char *buf, size_t *len, size_t root_len)
{
	while (*len > root_len && buf[*len - 1] != '/')
		(*len)--;
	if (*len > root_len)
		(*len)--;
}

static bool ends_with_dotdot(const char *buf, size_t len)
{
	return len >= 2 && buf[len - 1] == '.' && buf[len - 2] == '.' &&
	       (len == 2 || buf[len - 3] == '/');
}

char *spec_clean_path(const char *path)
{
	bool absolute = path[0] == '/';
	size_t root_len = absolute ? 1 : 0;
	size_t len = root_len;
	char *buf = xmalloc(strlen(path) + 2);
	const char *p = path;

	buf[0] = '/';
	while (*p != '\0') {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty component or ".": nothing to add */
		} else if (n == 2 && p[0] == '.' && p[1] == '.' &&
			   (absolute ||
			    (len > root_len && !ends_with_dotdot(buf, len)))) {
			clean_pop(buf, &len, root_len);
		} else {
			if (len > root_len)
				buf[len++] = '/';
			memcpy(buf + len, p, n);
			len += n;
		}
		p = *end == '/' ? end + 1 : end;
	}

	if (len == 0)
		buf[len++] = '.';
	buf[len] = '\0';
	return buf;
}

bool spec_has_field(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v != NULL && !json_is_null(v);
}

int spec_require_field(const json_t *obj, const char *key, const char *where,
		       struct berth_error **err)
{
	_cleanup_free_ char *field = NULL;

	if (spec_has_field(obj, key))
		return 0;

	field = spec_field_path(where, key);
	return berth_error_set(err, 0, "%s: missing required field", field);
}

int spec_check_absolute(const char *path, const char *where, const char *key,
			struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, key);

	if (path[0] != '/')
		return berth_error_set(err, 0,
				       "%s: path '%s' is not absolute, use a "
				       "path that starts with '/'",
				       field, path);
	return 0;
}

int spec_get_uint32_opt(const json_t *obj, const char *key, const char *where,
			uint32_t *ret, struct berth_error **err)
{
	uint64_t v = 0;

	if (!spec_has_field(obj, key))
		return 0;

	if (json_get_uint64_opt(obj, key, where, UINT32_MAX, &v, err) < 0)
		return -1;

	*ret = (uint32_t)v;
	return 0;
}

int spec_dup_string_opt(const json_t *obj, const char *key, const char *where,
			char **ret, struct berth_error **err)
{
	const char *s = NULL;

	if (json_get_string_opt(obj, key, where, &s, err) < 0)
		return -1;

	if (s != NULL) {
		free(*ret);
		*ret = xstrdup(s);
	}
	return 0;
}

int spec_get_string_map_opt(const json_t *obj, const char *key,
			    const char *where, json_t **ret,
			    struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, key);
	json_t *map = NULL;
	const char *name;
	json_t *v;

	if (json_get_object_opt(obj, key, where, &map, err) < 0)
		return -1;

	if (map == NULL)
		return 0;

	json_object_foreach (map, name, v) {
		if (!json_is_string(v))
			return berth_error_set(err, 0,
					       "%s.%s: expected a string",
					       field, name);
	}

	*ret = map;
	return 0;
}

int spec_parse_array(const json_t *obj, const char *key, const char *where,
		     size_t size, spec_element_parser parse, void **ret,
		     size_t *ret_n, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, key);
	json_t *arr = NULL;
	json_t *v;
	size_t i;

	if (json_get_array_opt(obj, key, where, &arr, err) < 0)
		return -1;

	if (arr == NULL)
		return 0;

	*ret = xcalloc(json_array_size(arr) + 1, size);
	*ret_n = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		_cleanup_free_ char *item = spec_index_path(field, i);

		if (parse(v, item, (char *)*ret + i * size, err) < 0)
			return -1;
	}
	return 0;
}

/* Accept "1.0.0", "1.1.0-rc.1", "1.0.2-dev": any 1.x version. */
static int parse_oci_version(const json_t *root, struct spec *spec,
			     struct berth_error **err)
{
	const char *version = NULL;

	if (json_get_string(root, "ociVersion", "", &version, err) < 0)
		return -1;

	if (strncmp(version, "1.", 2) != 0 || version[2] < '0' ||
	    version[2] > '9')
		return berth_error_set(err, 0,
				       "ociVersion: unsupported version '%s', "
				       "expected a 1.x runtime-spec version",
				       version);

	spec->oci_version = xstrdup(version);
	return 0;
}

static int parse_root(const json_t *root, struct spec *spec,
		      struct berth_error **err)
{
	const char *path = NULL;
	json_t *obj = NULL;

	if (json_get_object_opt(root, "root", "", &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return berth_error_set(err, 0, "root: missing required field");

	if (json_get_string(obj, "path", "root", &path, err) < 0)
		return -1;

	if (path[0] == '\0')
		return berth_error_set(err, 0,
				       "root.path: expected a path, "
				       "got an empty string");

	spec->root_path = xstrdup(path);
	return json_get_bool_opt(obj, "readonly", "root", &spec->root_readonly,
				 err);
}

static int parse_mount(const json_t *obj, const char *where, void *elem,
		       struct berth_error **err)
{
	struct spec_mount *mount = elem;
	const char *destination = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(obj, "destination", where, &destination, err) < 0)
		return -1;

	mount->destination = spec_clean_path(destination);
	if (spec_check_absolute(mount->destination, where, "destination", err) <
	    0)
		return -1;

	if (spec_dup_string_opt(obj, "source", where, &mount->source, err) < 0)
		return -1;

	if (spec_dup_string_opt(obj, "type", where, &mount->type, err) < 0)
		return -1;

	mount->options = xcalloc(1, sizeof(char *));
	return json_get_strv_opt(obj, "options", where, &mount->options, err);
}

static int parse_mounts(const json_t *root, struct spec *spec,
			struct berth_error **err)
{
	void *mounts = NULL;
	int r;

	r = spec_parse_array(root, "mounts", "", sizeof(*spec->mounts),
			     parse_mount, &mounts, &spec->n_mounts, err);
	spec->mounts = mounts;
	return r;
}

static int parse_hook(const json_t *obj, const char *where, void *elem,
		      struct berth_error **err)
{
	struct spec_hook *hook = elem;
	const char *path = NULL;
	int64_t timeout = 0;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(obj, "path", where, &path, err) < 0)
		return -1;

	hook->path = xstrdup(path);
	if (spec_check_absolute(path, where, "path", err) < 0)
		return -1;

	if (json_get_strv_opt(obj, "args", where, &hook->args, err) < 0)
		return -1;

	if (json_get_strv_opt(obj, "env", where, &hook->env, err) < 0)
		return -1;

	if (json_get_int64_opt(obj, "timeout", where, &timeout, err) < 0)
		return -1;

	if (spec_has_field(obj, "timeout") &&
	    (timeout <= 0 || timeout > INT32_MAX))
		return berth_error_set(err, 0,
				       "%s.timeout: expected a number of "
				       "seconds above 0, got %lld",
				       where, (long long)timeout);

	hook->timeout = (int)timeout;
	return 0;
}

static int parse_hook_list(const json_t *hooks, const char *key,
			   struct spec_hook_list *list,
			   struct berth_error **err)
{
	void *array = NULL;
	int r;

	r = spec_parse_array(hooks, key, "hooks", sizeof(*list->hooks),
			     parse_hook, &array, &list->n_hooks, err);
	list->hooks = array;
	return r;
}

static int parse_hooks(const json_t *root, struct spec *spec,
		       struct berth_error **err)
{
	struct spec_hooks *h = &spec->hooks;
	const struct {
		const char *key;
		struct spec_hook_list *list;
	} lists[] = {
		{"prestart", &h->prestart},
		{"createRuntime", &h->create_runtime},
		{"createContainer", &h->create_container},
		{"startContainer", &h->start_container},
		{"poststart", &h->poststart},
		{"poststop", &h->poststop},
	};
	json_t *obj = NULL;

	if (json_get_object_opt(root, "hooks", "", &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		if (parse_hook_list(obj, lists[i].key, lists[i].list, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_annotations(const json_t *root, struct spec *spec,
			     struct berth_error **err)
{
	json_t *obj = NULL;

	if (spec_get_string_map_opt(root, "annotations", "", &obj, err) < 0)
		return -1;

	if (obj != NULL)
		spec->annotations = json_incref(obj);
	return 0;
}

static int parse_linux_object(const json_t *root, struct spec *spec,
			      struct berth_error **err)
{
	json_t *obj = NULL;

	if (json_get_object_opt(root, "linux", "", &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	return spec_parse_linux(obj, &spec->linux, err);
}

static int parse_spec(const json_t *root, struct spec *spec,
		      struct berth_error **err)
{
	json_t *process = NULL;

	if (parse_oci_version(root, spec, err) < 0)
		return -1;

	if (parse_root(root, spec, err) < 0)
		return -1;

	if (json_get_object_opt(root, "process", "", &process, err) < 0)
		return -1;

	if (process != NULL &&
	    spec_parse_process(process, "process", &spec->process, err) < 0)
		return -1;

	if (spec_dup_string_opt(root, "hostname", "", &spec->hostname, err) < 0)
		return -1;

	if (spec_dup_string_opt(root, "domainname", "", &spec->domainname,
				err) < 0)
		return -1;

	if (parse_mounts(root, spec, err) < 0)
		return -1;

	if (parse_hooks(root, spec, err) < 0)
		return -1;

	if (parse_annotations(root, spec, err) < 0)
		return -1;

	return parse_linux_object(root, spec, err);
}

int spec_parse(const char *data, size_t len, const char *what,
	       struct spec **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *root = NULL;
	_cleanup_spec_ struct spec *spec = NULL;
	_cleanup_free_ char *widened = NULL;
	size_t widened_len = 0;

	widened = spec_widen_large_integers(data, len, &widened_len);
	if (json_parse_buffer(widened != NULL ? widened : data,
			      widened != NULL ? widened_len : len, what, &root,
			      err) < 0)
		return -1;

	if (!json_is_object(root))
		return berth_error_set(err, 0, "%s: expected a JSON object",
				       what);

	spec = xzalloc(sizeof(*spec));
	spec->linux.resources.memory = (struct spec_memory){
		.limit = -1,
		.reservation = -1,
		.swap = -1,
		.swappiness = -1,
	};
	spec->linux.resources.cpu.quota = -1;
	spec->linux.resources.pids_limit = -1;

	if (parse_spec(root, spec, err) < 0)
		return berth_error_wrap(err, "%s", what);

	*ret = TAKE_PTR(spec);
	return 0;
}

int spec_load(const char *path, struct spec **ret, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *what = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;

	xasprintf(&what, "'%s'", path);
	return spec_parse(data, len, what, ret, err);
}

const struct spec_namespace *spec_find_namespace(const struct spec *spec,
						 int type)
{
	size_t i;

	for (i = 0; i < spec->linux.n_namespaces; i++) {
		if (spec->linux.namespaces[i].type == type)
			return &spec->linux.namespaces[i];
	}
	return NULL;
}

static void hook_list_free(struct spec_hook_list *list)
{
	size_t i;

	for (i = 0; i < list->n_hooks; i++) {
		free(list->hooks[i].path);
		strv_free(list->hooks[i].args);
		strv_free(list->hooks[i].env);
	}
	free(list->hooks);
}

void spec_free(struct spec *spec)
{
	size_t i;

	if (spec == NULL)
		return;

	free(spec->oci_version);
	free(spec->root_path);
	spec_process_free(spec->process);
	free(spec->hostname);
	free(spec->domainname);
	for (i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].destination);
		free(spec->mounts[i].source);
		free(spec->mounts[i].type);
		strv_free(spec->mounts[i].options);
	}
	free(spec->mounts);
	hook_list_free(&spec->hooks.prestart);
	hook_list_free(&spec->hooks.create_runtime);
	hook_list_free(&spec->hooks.create_container);
	hook_list_free(&spec->hooks.start_container);
	hook_list_free(&spec->hooks.poststart);
	hook_list_free(&spec->hooks.poststop);
	spec_linux_free(&spec->linux);
	if (spec->annotations != NULL)
		json_decref(spec->annotations);
	free(spec);
}
