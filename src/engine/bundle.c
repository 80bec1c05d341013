/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/bundle.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/container-init.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Docker's default RLIMIT_NOFILE: soft 1024, hard 1048576. */
#define NOFILE_SOFT 1024
#define NOFILE_HARD 1048576
#define CPU_PERIOD 100000

static json_t *strv_json(char *const *strv)
{
	json_t *arr = json_array();

	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		json_array_append_new(arr, json_string(strv[i]));
	return arr;
}

/*
 * Without CAP_SYS_RESOURCE the init cannot raise a hard limit above the
 * host's, so the default hard limit is capped at what this process has.
 */
static json_t *rlimits_json(void)
{
	struct rlimit host = {.rlim_max = NOFILE_HARD};
	uint64_t hard = NOFILE_HARD, soft = NOFILE_SOFT;

	(void)getrlimit(RLIMIT_NOFILE, &host);
	if (host.rlim_max != RLIM_INFINITY && host.rlim_max < hard)
		hard = host.rlim_max;
	if (soft > hard)
		soft = hard;

	return json_pack("[{s:s, s:I, s:I}]", "type", "RLIMIT_NOFILE", "soft",
			 (json_int_t)soft, "hard", (json_int_t)hard);
}

static json_t *user_json(const struct user_ids *user)
{
	json_t *groups = json_array();

	for (size_t i = 0; i < user->n_groups; i++)
		json_array_append_new(groups, json_integer(user->groups[i]));

	return json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)user->uid, "gid",
			 (json_int_t)user->gid, "additionalGids", groups);
}

/* The capabilities named in the JSON array names, as a mask. */
static uint64_t capability_mask(const json_t *names)
{
	uint64_t mask = 0;
	json_t *name;
	size_t i;

	json_array_foreach (names, i, name) {
		int cap = spec_capability_from_name(json_string_value(name));

		if (cap >= 0 && cap < 64)
			mask |= UINT64_C(1) << cap;
	}
	return mask;
}

static uint64_t strv_capability_mask(char *const *names)
{
	uint64_t mask = 0;

	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		int cap = spec_capability_from_name(names[i]);

		if (cap >= 0 && cap < 64)
			mask |= UINT64_C(1) << cap;
	}
	return mask;
}

static uint64_t all_capabilities(void)
{
	uint64_t mask = 0;

	for (int cap = 0; cap < 64; cap++)
		if (spec_capability_name(cap) != NULL)
			mask |= UINT64_C(1) << cap;
	return mask;
}

/*
 * Apply --cap-add and --cap-drop to the default set as Docker does. ALL
 * in cap_add gives every capability but the dropped ones. ALL in
 * cap_drop gives only the added ones. Otherwise the drops come off the
 * default set before the adds go on.
 */
static uint64_t container_capabilities(const struct container_config *c,
				       uint64_t defaults)
{
	uint64_t add = strv_capability_mask(c->cap_add);
	uint64_t drop = strv_capability_mask(c->cap_drop);

	if (strv_contains(c->cap_add, "ALL"))
		return all_capabilities() & ~drop;
	if (strv_contains(c->cap_drop, "ALL"))
		return add;
	return (defaults & ~drop) | add;
}

static json_t *capability_names(uint64_t mask)
{
	json_t *names = json_array();

	for (int cap = 0; cap < 64; cap++)
		if (mask & (UINT64_C(1) << cap))
			json_array_append_new(
				names, json_string(spec_capability_name(cap)));
	return names;
}

static void set_capabilities(json_t *process, const struct container_config *c)
{
	json_t *caps = json_object_get(process, "capabilities");
	uint64_t mask;
	json_t *names;

	if (c->cap_add == NULL && c->cap_drop == NULL)
		return;

	mask = container_capabilities(
		c, capability_mask(json_object_get(caps, "bounding")));
	names = capability_names(mask);
	json_object_set(caps, "bounding", names);
	json_object_set(caps, "effective", names);
	json_object_set_new(caps, "permitted", names);
}

static void set_process(json_t *process, const struct container_config *c,
			const struct user_ids *user)
{
	json_t *args = strv_json(c->entrypoint);
	json_t *cmd = strv_json(c->cmd);

	json_array_extend(args, cmd);
	json_decref(cmd);
	json_object_set_new(process, "args", args);
	json_object_set_new(process, "env", strv_json(c->env));
	json_object_set_new(process, "cwd", json_string(c->workdir));
	json_object_set_new(process, "terminal", json_boolean(c->tty));
	json_object_set_new(process, "user", user_json(user));
	json_object_set_new(process, "rlimits", rlimits_json());
	json_object_set_new(process, "noNewPrivileges",
			    json_boolean(c->no_new_privileges));
	set_capabilities(process, c);
}

static json_t *bind_mount(const char *source, const char *destination,
			  bool read_only)
{
	return json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
			 destination, "type", "bind", "source", source,
			 "options", "rbind", "rprivate",
			 read_only ? "ro" : "rw");
}

/*
 * A --tmpfs mount from "DIR:OPTIONS". Docker's defaults noexec, nosuid
 * and nodev come first, so that an option such as "exec" overrides them.
 */
static json_t *tmpfs_mount(const char *entry)
{
	const char *colon = strchr(entry, ':');
	_cleanup_free_ char *dest = xstrndup(entry, (size_t)(colon - entry));
	_cleanup_free_ char *copy = xstrdup(colon + 1);
	json_t *options = json_pack("[s, s, s]", "noexec", "nosuid", "nodev");
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o != NULL;
	     o = strtok_r(NULL, ",", &save))
		json_array_append_new(options, json_string(o));

	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type",
			 "tmpfs", "source", "tmpfs", "options", options);
}

/* The number of components of a normalized absolute path: "/a/b" has 2. */
static size_t path_depth(const char *path)
{
	size_t depth = 0;

	for (const char *p = path; p != NULL && *p != '\0'; p++)
		if (*p == '/')
			depth++;
	return depth;
}

static size_t mount_depth(const json_t *mount)
{
	return path_depth(
		json_string_value(json_object_get(mount, "destination")));
}

/*
 * Append the mounts of added to mounts, shallow destinations first and
 * in their given order within one depth, as Docker sorts them. A mount
 * at /a then never hides one at /a/b, whatever the order of the flags.
 */
static void append_by_depth(json_t *mounts, const json_t *added)
{
	size_t max = 0, i;
	json_t *m;

	json_array_foreach (added, i, m)
		if (mount_depth(m) > max)
			max = mount_depth(m);

	for (size_t depth = 0; depth <= max; depth++)
		json_array_foreach (added, i, m)
			if (mount_depth(m) == depth)
				json_array_append(mounts, m);
}

static void add_mounts(json_t *spec_mounts, const struct container_config *c,
		       const char *dir)
{
	static const char *const files[] = {"hosts", "hostname", "resolv.conf"};
	_cleanup_json_ json_t *mounts = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *source = fs_path_join(dir, files[i]);
		_cleanup_free_ char *dest = fs_path_join("/etc", files[i]);

		/* The host network shares the host's name servers. */
		if (strcmp(c->network, "host") == 0 &&
		    strcmp(files[i], "resolv.conf") == 0) {
			free(source);
			source = xstrdup("/etc/resolv.conf");
		}
		json_array_append_new(mounts, bind_mount(source, dest, false));
	}

	for (size_t i = 0; i < c->n_volumes; i++) {
		const struct container_volume *v = &c->volumes[i];
		json_t *m = bind_mount(v->source, v->destination, v->read_only);

		/* The options are rbind, rprivate, ro|rw: set the second. */
		if (v->propagation != NULL)
			json_array_set_new(json_object_get(m, "options"), 1,
					   json_string(v->propagation));
		json_array_append_new(mounts, m);
	}

	for (size_t i = 0; c->tmpfs != NULL && c->tmpfs[i] != NULL; i++)
		json_array_append_new(mounts, tmpfs_mount(c->tmpfs[i]));

	append_by_depth(spec_mounts, mounts);
}

/*
 * The runtime's default device rule denies every device. On top of it,
 * allow what Docker allows: mknod of any device, and use of the
 * standard character devices and terminals.
 */
static json_t *device_rules(void)
{
	static const struct {
		const char *type;
		int major;
		int minor; /* -1 = any */
		const char *access;
	} rules[] = {
		{"c", -1, -1, "m"},    {"b", -1, -1, "m"},
		{"c", 1, 3, "rwm"},    /* null */
		{"c", 1, 5, "rwm"},    /* zero */
		{"c", 1, 7, "rwm"},    /* full */
		{"c", 1, 8, "rwm"},    /* random */
		{"c", 1, 9, "rwm"},    /* urandom */
		{"c", 5, 0, "rwm"},    /* tty */
		{"c", 5, 1, "rwm"},    /* console */
		{"c", 5, 2, "rwm"},    /* ptmx */
		{"c", 136, -1, "rwm"}, /* pts */
		{"c", 10, 200, "rwm"}, /* net/tun */
	};
	json_t *arr = json_pack("[{s:b, s:s}]", "allow", 0, "access", "rwm");

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		json_t *rule =
			json_pack("{s:b, s:s, s:s}", "allow", 1, "type",
				  rules[i].type, "access", rules[i].access);

		if (rules[i].major >= 0)
			json_object_set_new(rule, "major",
					    json_integer(rules[i].major));
		if (rules[i].minor >= 0)
			json_object_set_new(rule, "minor",
					    json_integer(rules[i].minor));
		json_array_append_new(arr, rule);
	}
	return arr;
}

static void set_resources(json_t *resources, const struct container_config *c)
{
	json_object_set_new(resources, "devices", device_rules());

	if (c->memory >= 0)
		json_object_set_new(
			resources, "memory",
			json_pack("{s:I}", "limit", (json_int_t)c->memory));

	if (c->cpu_quota >= 0)
		json_object_set_new(resources, "cpu",
				    json_pack("{s:I, s:I}", "quota",
					      (json_int_t)c->cpu_quota,
					      "period",
					      (json_int_t)CPU_PERIOD));

	if (c->pids_limit > 0)
		json_object_set_new(
			resources, "pids",
			json_pack("{s:I}", "limit", (json_int_t)c->pids_limit));
}

char *bundle_cgroup_path(const struct container_config *c)
{
	const char *parent = c->cgroup_parent != NULL ? c->cgroup_parent :
							BUNDLE_CGROUP_PARENT;
	char *path;

	xasprintf(&path, "%s%s/%s", parent[0] == '/' ? "" : "/", parent, c->id);
	return path;
}

static void drop_network_namespace(json_t *namespaces)
{
	size_t i;
	json_t *ns;

	json_array_foreach (namespaces, i, ns) {
		const char *type =
			json_string_value(json_object_get(ns, "type"));

		if (type != NULL && strcmp(type, "network") == 0) {
			json_array_remove(namespaces, i);
			return;
		}
	}
}

/*
 * The root's propagation that a bind mount's shared or slave propagation
 * needs, as Docker sets it: the runtime applies linux.rootfsPropagation
 * to the whole tree after the mounts, and its default rprivate would
 * undo theirs. NULL when every mount is private.
 * NOTE: Docker also rejects a shared bind mount whose source is not on
 * a shared mount of the host, and berth does not check that yet.
 */
static const char *root_propagation(const struct container_config *c)
{
	const char *root = NULL;

	for (size_t i = 0; i < c->n_volumes; i++) {
		const char *p = c->volumes[i].propagation;

		if (p == NULL)
			continue;
		if (strcmp(p, "shared") == 0 || strcmp(p, "rshared") == 0)
			return "rshared";
		if (strcmp(p, "slave") == 0 || strcmp(p, "rslave") == 0)
			root = "rslave";
	}
	return root;
}

static void set_linux(json_t *linux, const struct container_config *c)
{
	_cleanup_free_ char *cgroup = bundle_cgroup_path(c);
	json_t *resources = json_object_get(linux, "resources");
	const char *propagation = root_propagation(c);

	json_object_set_new(linux, "cgroupsPath", json_string(cgroup));
	if (propagation != NULL)
		json_object_set_new(linux, "rootfsPropagation",
				    json_string(propagation));
	json_object_set_new(linux, "seccomp", seccomp_default_profile());
	set_resources(resources, c);

	if (strcmp(c->network, "host") == 0)
		drop_network_namespace(json_object_get(linux, "namespaces"));
}

json_t *bundle_spec_json(const struct container_config *c,
			 const struct user_ids *user, const char *dir)
{
	json_t *spec = spec_default_json();

	set_process(json_object_get(spec, "process"), c, user);
	json_object_set_new(spec, "root",
			    json_pack("{s:s, s:b}", "path", "rootfs",
				      "readonly", c->read_only));
	json_object_set_new(spec, "hostname", json_string(c->hostname));
	add_mounts(json_object_get(spec, "mounts"), c, dir);
	if (c->init_path != NULL)
		container_init_apply(spec, c->init_path);
	set_linux(json_object_get(spec, "linux"), c);
	json_object_set_new(spec, "annotations",
			    json_pack("{s:s, s:s, s:s}", "berth.container.id",
				      c->id, "berth.container.name", c->name,
				      "berth.image", c->image));
	return spec;
}

static char *hosts_content(const struct container_config *c)
{
	char *s;

	xasprintf(&s,
		  "127.0.0.1\tlocalhost\n"
		  "::1\tlocalhost ip6-localhost ip6-loopback\n"
		  "127.0.1.1\t%s\n",
		  c->hostname);
	return s;
}

static int write_file(const char *dir, const char *name, const char *data,
		      struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);

	return fs_write_atomic(path, data, strlen(data), 0644, err);
}

int bundle_write_etc_files(const struct container_config *c, const char *dir,
			   struct berth_error **err)
{
	/*
	 * A container without a network cannot reach the host's name
	 * servers; one on the host network mounts the host's file.
	 */
	static const char resolv[] = "# no name servers: the container has "
				     "no network\n";
	_cleanup_free_ char *hosts = hosts_content(c);
	_cleanup_free_ char *hostname = NULL;

	xasprintf(&hostname, "%s\n", c->hostname);

	if (write_file(dir, "hosts", hosts, err) < 0 ||
	    write_file(dir, "hostname", hostname, err) < 0 ||
	    write_file(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

int bundle_write_spec(const char *dir, json_t *spec, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, "config.json");
	_cleanup_free_ char *data = json_dump_canonical(spec);
	_cleanup_spec_ struct spec *parsed = NULL;

	if (spec_parse(data, strlen(data), path, &parsed, err) < 0)
		return berth_error_wrap(err, "generated bundle is invalid");

	return json_write_file_atomic(path, spec, err);
}
