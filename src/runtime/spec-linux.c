/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int type;
} namespace_types[] = {
	{"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET},
	{"mount", CLONE_NEWNS},	 {"ipc", CLONE_NEWIPC},
	{"uts", CLONE_NEWUTS},	 {"cgroup", CLONE_NEWCGROUP},
	{"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME},
};

const char *spec_namespace_name(int type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(namespace_types); i++) {
		if (namespace_types[i].type == type)
			return namespace_types[i].name;
	}
	return NULL;
}

static int namespace_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(namespace_types); i++) {
		if (strcmp(namespace_types[i].name, name) == 0)
			return namespace_types[i].type;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned long flags;
} propagation_modes[] = {
	{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	{"slave", MS_SLAVE},	       {"rslave", MS_SLAVE | MS_REC},
	{"shared", MS_SHARED},	       {"rshared", MS_SHARED | MS_REC},
	{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int parse_namespace(const json_t *obj, const char *where, void *elem,
			   struct berth_error **err)
{
	struct spec_namespace *ns = elem;
	const char *type = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(obj, "type", where, &type, err) < 0)
		return -1;

	ns->type = namespace_from_name(type);
	if (ns->type < 0)
		return berth_error_set(err, 0,
				       "%s.type: unknown namespace type '%s', "
				       "expected pid, network, mount, ipc, "
				       "uts, cgroup, user or time",
				       where, type);

	if (spec_dup_string_opt(obj, "path", where, &ns->path, err) < 0)
		return -1;

	if (ns->path != NULL &&
	    spec_check_absolute(ns->path, where, "path", err) < 0)
		return -1;
	return 0;
}

static int parse_namespaces(const json_t *obj, struct spec_linux *lx,
			    struct berth_error **err)
{
	void *namespaces = NULL;
	int r;

	r = spec_parse_array(obj, "namespaces", "linux",
			     sizeof(*lx->namespaces), parse_namespace,
			     &namespaces, &lx->n_namespaces, err);
	lx->namespaces = namespaces;
	if (r < 0)
		return -1;

	for (size_t i = 0; i < lx->n_namespaces; i++) {
		for (size_t j = 0; j < i; j++) {
			if (lx->namespaces[j].type != lx->namespaces[i].type)
				continue;

			return berth_error_set(
				err, 0,
				"linux.namespaces[%zu].type: duplicate "
				"namespace '%s', list each type once",
				i, spec_namespace_name(lx->namespaces[i].type));
		}
	}
	return 0;
}

static int parse_id_mapping(const json_t *obj, const char *where, void *elem,
			    struct berth_error **err)
{
	struct spec_id_mapping *m = elem;
	static const char *const keys[] = {"containerID", "hostID", "size"};
	uint32_t *fields[] = {&m->container_id, &m->host_id, &m->size};
	size_t i;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (spec_require_field(obj, keys[i], where, err) < 0)
			return -1;

		if (spec_get_uint32_opt(obj, keys[i], where, fields[i], err) <
		    0)
			return -1;
	}

	/*
	 * The kernel rejects an empty range and one whose end passes
	 * 2^32 - 1, so (uid_t)-1 is never mapped.
	 */
	if (m->size == 0 || (uint64_t)m->container_id + m->size > UINT32_MAX ||
	    (uint64_t)m->host_id + m->size > UINT32_MAX)
		return berth_error_set(err, 0,
				       "%s: invalid mapping of %u ids from "
				       "'%u' to '%u': size must be above 0, "
				       "and each id plus size at most "
				       "4294967295",
				       where, m->size, m->container_id,
				       m->host_id);
	return 0;
}

static int parse_id_mappings(const json_t *obj, const char *key,
			     struct spec_id_mapping **ret, size_t *ret_n,
			     struct berth_error **err)
{
	void *mappings = NULL;
	int r;

	r = spec_parse_array(obj, key, "linux", sizeof(**ret), parse_id_mapping,
			     &mappings, ret_n, err);
	*ret = mappings;
	return r;
}

static int parse_device_numbers(const json_t *obj, const char *where,
				struct spec_device *dev,
				struct berth_error **err)
{
	/* A FIFO has no device numbers; every other type needs both. */
	if (dev->type == 'p')
		return 0;

	if (spec_require_field(obj, "major", where, err) < 0 ||
	    spec_require_field(obj, "minor", where, err) < 0)
		return -1;

	if (json_get_int64_opt(obj, "major", where, &dev->major, err) < 0 ||
	    json_get_int64_opt(obj, "minor", where, &dev->minor, err) < 0)
		return -1;

	if (dev->major < 0 || dev->major > UINT32_MAX || dev->minor < 0 ||
	    dev->minor > UINT32_MAX)
		return berth_error_set(err, 0,
				       "%s: device number %lld:%lld out of "
				       "range",
				       where, (long long)dev->major,
				       (long long)dev->minor);
	return 0;
}

static int parse_device(const json_t *obj, const char *where, void *elem,
			struct berth_error **err)
{
	struct spec_device *dev = elem;
	const char *type = NULL;
	uint64_t mode = 0;
	uint32_t id;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (spec_dup_string_opt(obj, "path", where, &dev->path, err) < 0)
		return -1;

	if (dev->path == NULL)
		return berth_error_set(
			err, 0, "%s.path: missing required field", where);

	if (spec_check_absolute(dev->path, where, "path", err) < 0)
		return -1;

	if (json_get_string(obj, "type", where, &type, err) < 0)
		return -1;

	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return berth_error_set(err, 0,
				       "%s.type: unknown device type '%s', "
				       "expected c, b, u or p",
				       where, type);
	dev->type = type[0];

	if (parse_device_numbers(obj, where, dev, err) < 0)
		return -1;

	if (spec_has_field(obj, "fileMode")) {
		if (json_get_uint64_opt(obj, "fileMode", where, 07777, &mode,
					err) < 0)
			return -1;
		dev->file_mode = (mode_t)mode;
		dev->has_file_mode = true;
	}

	id = 0;
	if (spec_get_uint32_opt(obj, "uid", where, &id, err) < 0)
		return -1;
	dev->uid = id;

	id = 0;
	if (spec_get_uint32_opt(obj, "gid", where, &id, err) < 0)
		return -1;
	dev->gid = id;
	return 0;
}

static int parse_devices(const json_t *obj, struct spec_linux *lx,
			 struct berth_error **err)
{
	void *devices = NULL;
	int r;

	r = spec_parse_array(obj, "devices", "linux", sizeof(*lx->devices),
			     parse_device, &devices, &lx->n_devices, err);
	lx->devices = devices;
	return r;
}

static int parse_propagation(const json_t *obj, struct spec_linux *lx,
			     struct berth_error **err)
{
	const char *mode = NULL;
	size_t i;

	if (json_get_string_opt(obj, "rootfsPropagation", "linux", &mode, err) <
	    0)
		return -1;

	if (mode == NULL || mode[0] == '\0')
		return 0;

	for (i = 0; i < ARRAY_SIZE(propagation_modes); i++) {
		if (strcmp(propagation_modes[i].name, mode) == 0) {
			lx->rootfs_propagation = propagation_modes[i].flags;
			return 0;
		}
	}
	return berth_error_set(err, 0,
			       "linux.rootfsPropagation: unknown propagation "
			       "'%s', expected private, rprivate, slave, "
			       "rslave, shared, rshared, unbindable or "
			       "runbindable",
			       mode);
}

static int parse_path_list(const json_t *obj, const char *key, char ***ret,
			   struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path("linux", key);
	size_t i;

	if (json_get_strv_opt(obj, key, "linux", ret, err) < 0)
		return -1;

	for (i = 0; *ret != NULL && (*ret)[i] != NULL; i++) {
		_cleanup_free_ char *where = spec_index_path(field, i);

		if (spec_check_absolute((*ret)[i], "", where, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_sysctl(const json_t *obj, struct spec_linux *lx,
			struct berth_error **err)
{
	json_t *map = NULL;
	const char *key;
	json_t *v;
	size_t i = 0;

	if (spec_get_string_map_opt(obj, "sysctl", "linux", &map, err) < 0)
		return -1;

	if (map == NULL)
		return 0;

	lx->sysctls = xcalloc(json_object_size(map) + 1, sizeof(*lx->sysctls));
	json_object_foreach (map, key, v) {
		if (key[0] == '\0')
			return berth_error_set(
				err, 0,
				"linux.sysctl: expected a sysctl "
				"name, got an empty key");

		lx->sysctls[i].key = xstrdup(key);
		lx->sysctls[i].value = xstrdup(json_string_value(v));
		lx->n_sysctls = ++i;
	}
	return 0;
}

static int parse_seccomp_object(const json_t *obj, struct spec_linux *lx,
				struct berth_error **err)
{
	json_t *seccomp = NULL;

	if (json_get_object_opt(obj, "seccomp", "linux", &seccomp, err) < 0)
		return -1;

	if (seccomp == NULL)
		return 0;

	return spec_parse_seccomp(seccomp, "linux.seccomp", &lx->seccomp, err);
}

/* NOTE: personality, timeOffsets and intelRdt are not parsed yet. */
int spec_parse_linux(const json_t *obj, struct spec_linux *lx,
		     struct berth_error **err)
{
	if (parse_namespaces(obj, lx, err) < 0)
		return -1;

	if (parse_id_mappings(obj, "uidMappings", &lx->uid_mappings,
			      &lx->n_uid_mappings, err) < 0 ||
	    parse_id_mappings(obj, "gidMappings", &lx->gid_mappings,
			      &lx->n_gid_mappings, err) < 0)
		return -1;

	if (parse_devices(obj, lx, err) < 0)
		return -1;

	if (spec_dup_string_opt(obj, "cgroupsPath", "linux", &lx->cgroups_path,
				err) < 0)
		return -1;

	if (spec_parse_linux_resources(obj, lx, err) < 0)
		return -1;

	if (parse_propagation(obj, lx, err) < 0)
		return -1;

	if (parse_path_list(obj, "maskedPaths", &lx->masked_paths, err) < 0 ||
	    parse_path_list(obj, "readonlyPaths", &lx->readonly_paths, err) < 0)
		return -1;

	if (parse_seccomp_object(obj, lx, err) < 0)
		return -1;

	if (parse_sysctl(obj, lx, err) < 0)
		return -1;

	return spec_dup_string_opt(obj, "mountLabel", "linux", &lx->mount_label,
				   err);
}

void spec_linux_free(struct spec_linux *lx)
{
	size_t i;

	for (i = 0; i < lx->n_namespaces; i++)
		free(lx->namespaces[i].path);
	free(lx->namespaces);
	free(lx->uid_mappings);
	free(lx->gid_mappings);
	for (i = 0; i < lx->n_devices; i++)
		free(lx->devices[i].path);
	free(lx->devices);
	free(lx->cgroups_path);
	free(lx->resources.cpu.cpus);
	free(lx->resources.cpu.mems);
	for (i = 0; i < lx->resources.n_devices; i++)
		free(lx->resources.devices[i].access);
	free(lx->resources.devices);
	if (lx->resources.unified != NULL)
		json_decref(lx->resources.unified);
	strv_free(lx->masked_paths);
	strv_free(lx->readonly_paths);
	spec_seccomp_free(lx->seccomp);
	for (i = 0; i < lx->n_sysctls; i++) {
		free(lx->sysctls[i].key);
		free(lx->sysctls[i].value);
	}
	free(lx->sysctls);
	free(lx->mount_label);
}
