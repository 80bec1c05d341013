/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup layout: the mounted hierarchies and the caller's own cgroup
 * in each, and the cgroupsPath rules.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED "/sys/fs/cgroup/unified"

static int statfs_magic(const char *path, long *ret, struct berth_error **err)
{
	struct statfs sfs;

	if (statfs(path, &sfs) < 0)
		return berth_error_set(err, errno, "statfs '%s'", path);

	*ret = (long)sfs.f_type;
	return 0;
}

int cgroup_detect_mode(enum cgroup_mode *ret, struct berth_error **err)
{
	long magic = 0;

	if (statfs_magic(CGROUP_ROOT, &magic, err) < 0)
		return -1;

	if (magic == CGROUP2_SUPER_MAGIC) {
		*ret = CGROUP_MODE_V2;
		return 0;
	}
	if (magic != TMPFS_MAGIC)
		return berth_error_set(err, 0,
				       "'%s' is neither cgroup2 nor a tmpfs of "
				       "cgroup v1 hierarchies; mount cgroups "
				       "there",
				       CGROUP_ROOT);

	/* A missing unified mount just means pure v1. */
	if (statfs_magic(CGROUP_UNIFIED, &magic, NULL) == 0 &&
	    magic == CGROUP2_SUPER_MAGIC)
		*ret = CGROUP_MODE_HYBRID;
	else
		*ret = CGROUP_MODE_V1;
	return 0;
}

/* "slice:prefix:name" has exactly two colons. */
static bool is_systemd_path(const char *path)
{
	const char *first = strchr(path, ':');
	const char *second = first != NULL ? strchr(first + 1, ':') : NULL;

	return second != NULL && strchr(second + 1, ':') == NULL;
}

int cgroup_path_normalize(const char *cgroups_path, const char *id,
			  char **ret_path, struct berth_error **err)
{
	_cleanup_free_ char *copy = NULL, *out = NULL, *fallback = NULL;
	bool absolute;
	char *save = NULL;

	/* The default goes through the same checks, in case id has a '/'. */
	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		xasprintf(&fallback, "/berth/%s", id);
		cgroups_path = fallback;
	}

	/* TODO: support the systemd driver's "slice:prefix:name" form. */
	if (is_systemd_path(cgroups_path))
		return berth_error_set(
			err, ENOTSUP,
			"linux.cgroupsPath '%s' uses the systemd "
			"form, which is not supported; use a "
			"path such as '/berth/%s'",
			cgroups_path, id);

	absolute = cgroups_path[0] == '/';
	copy = xstrdup(cgroups_path);
	out = xstrdup(absolute ? "/" : "");
	for (char *c = strtok_r(copy, "/", &save); c != NULL;
	     c = strtok_r(NULL, "/", &save)) {
		char *joined = NULL;

		if (strcmp(c, ".") == 0)
			continue;

		if (strcmp(c, "..") == 0)
			return berth_error_set(
				err, EINVAL,
				"invalid linux.cgroupsPath '%s': "
				"'..' components are not allowed",
				cgroups_path);

		xasprintf(&joined, "%s%s%s", out,
			  out[0] != '\0' && strcmp(out, "/") != 0 ? "/" : "",
			  c);
		free(out);
		out = joined;
	}

	if (out[0] == '\0' || strcmp(out, "/") == 0)
		return berth_error_set(
			err, EINVAL,
			"invalid linux.cgroupsPath '%s': it names "
			"the root cgroup; name a cgroup below it",
			cgroups_path);

	*ret_path = TAKE_PTR(out);
	return 0;
}

/* Undo the octal escapes (\040 for a space) of /proc/self/mountinfo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 3;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

struct cgroup_mount {
	char *root;  /* the cgroup the mount shows as its root */
	char *point; /* mount point */
	char **opts; /* super options: "rw", "cpu", "name=systemd", ... */
};

/*
 * Parse one mountinfo line of a "cgroup" file system:
 * "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SOURCE SUPER".
 */
static bool parse_mount_line(char *line, struct cgroup_mount *ret)
{
	char *fields[5] = {0}, *save = NULL, *tok, *sep, *super;
	char *type, *source;
	size_t i = 0;

	sep = strstr(line, " - ");
	if (sep == NULL)
		return false;

	*sep = '\0';
	type = strtok_r(sep + 3, " \n", &save);
	source = strtok_r(NULL, " \n", &save);
	super = strtok_r(NULL, " \n", &save);
	if (type == NULL || source == NULL || super == NULL ||
	    strcmp(type, "cgroup") != 0)
		return false;

	save = NULL;
	for (tok = strtok_r(line, " ", &save); tok != NULL && i < 5;
	     tok = strtok_r(NULL, " ", &save))
		fields[i++] = tok;
	if (i < 5)
		return false;

	unescape_octal(fields[3]);
	unescape_octal(fields[4]);
	ret->root = xstrdup(fields[3]);
	ret->point = xstrdup(fields[4]);
	ret->opts = NULL;
	save = NULL;
	for (tok = strtok_r(super, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		strv_push(&ret->opts, tok);
	return true;
}

static void cgroup_mounts_free(struct cgroup_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].root);
		free(m[i].point);
		strv_free(m[i].opts);
	}
	free(m);
}

static int read_v1_mounts(struct cgroup_mount **ret, size_t *ret_n,
			  struct berth_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	struct cgroup_mount *mounts = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return berth_error_set(err, errno,
				       "open '/proc/self/mountinfo'");

	while (getline(&line, &cap, f) > 0) {
		struct cgroup_mount m;

		if (!parse_mount_line(line, &m))
			continue;

		mounts = xreallocarray(mounts, n + 1, sizeof(*mounts));
		mounts[n++] = m;
	}
	*ret = mounts;
	*ret_n = n;
	return 0;
}

/*
 * Find the mount of the v1 hierarchy that has every controller in ctrls,
 * preferring one below /sys/fs/cgroup over bind mounts elsewhere.
 */
static const struct cgroup_mount *find_v1_mount(const struct cgroup_mount *m,
						size_t n, char *const *ctrls)
{
	const struct cgroup_mount *found = NULL;

	for (size_t i = 0; i < n; i++) {
		bool all = true;

		for (size_t j = 0; ctrls[j] != NULL && all; j++)
			all = strv_contains(m[i].opts, ctrls[j]);
		if (!all)
			continue;

		if (strncmp(m[i].point, CGROUP_ROOT "/",
			    strlen(CGROUP_ROOT "/")) == 0)
			return &m[i];
		if (found == NULL)
			found = &m[i];
	}
	return found;
}

/* The caller's cgroup as seen inside a mount whose root is root. */
static char *own_in_mount(const char *own, const char *root)
{
	size_t len = strlen(root);

	if (strcmp(root, "/") != 0 && strncmp(own, root, len) == 0 &&
	    (own[len] == '/' || own[len] == '\0'))
		return xstrdup(own[len] == '\0' ? "/" : own + len);
	return xstrdup(own);
}

static void layout_push(struct cgroup_layout *l, const char *mount,
			char **ctrls, const char *own)
{
	l->hierarchies = xreallocarray(l->hierarchies, l->n + 1,
				       sizeof(*l->hierarchies));
	l->hierarchies[l->n++] = (struct cgroup_hierarchy){
		.mount = xstrdup(mount),
		.controllers = ctrls,
		.own = xstrdup(own),
	};
}

/* Add the v1 hierarchy of one "ID:CONTROLLERS:PATH" line. */
static void add_v1_hierarchy(struct cgroup_layout *l,
			     const struct cgroup_mount *mounts, size_t n,
			     char *ctrl_list, const char *own)
{
	_cleanup_strv_ char **ctrls = NULL;
	_cleanup_free_ char *own_here = NULL;
	const struct cgroup_mount *m;
	char *save = NULL;

	for (char *c = strtok_r(ctrl_list, ",", &save); c != NULL;
	     c = strtok_r(NULL, ",", &save))
		strv_push(&ctrls, c);

	m = find_v1_mount(mounts, n, ctrls);
	/* A hierarchy the caller is in but that is not mounted is unused. */
	if (m == NULL)
		return;

	own_here = own_in_mount(own, m->root);
	layout_push(l, m->point, TAKE_PTR(ctrls), own_here);
}

static int parse_proc_cgroup(struct cgroup_layout *l,
			     const struct cgroup_mount *mounts, size_t n,
			     struct berth_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return berth_error_set(err, errno, "open '/proc/self/cgroup'");

	while (getline(&line, &cap, f) > 0) {
		char *ctrls = strchr(line, ':'), *own;

		if (ctrls == NULL || (own = strchr(ctrls + 1, ':')) == NULL)
			continue;

		*own++ = '\0';
		own[strcspn(own, "\n")] = '\0';
		ctrls++;
		if (ctrls[0] == '\0') {
			if (l->mode == CGROUP_MODE_V2)
				layout_push(l, CGROUP_ROOT, NULL, own);
			else if (l->mode == CGROUP_MODE_HYBRID)
				layout_push(l, CGROUP_UNIFIED, NULL, own);
			continue;
		}
		if (l->mode != CGROUP_MODE_V2)
			add_v1_hierarchy(l, mounts, n, ctrls, own);
	}
	return 0;
}

int cgroup_layout_load(struct cgroup_layout *ret, struct berth_error **err)
{
	struct cgroup_layout l = {0};
	struct cgroup_mount *mounts = NULL;
	size_t n = 0;
	int r;

	if (cgroup_detect_mode(&l.mode, err) < 0)
		return -1;

	if (l.mode != CGROUP_MODE_V2 && read_v1_mounts(&mounts, &n, err) < 0)
		return -1;

	r = parse_proc_cgroup(&l, mounts, n, err);
	cgroup_mounts_free(mounts, n);
	if (r < 0) {
		cgroup_layout_clear(&l);
		return -1;
	}

	if (l.n == 0) {
		cgroup_layout_clear(&l);
		return berth_error_set(err, ENOENT,
				       "no mounted cgroup hierarchy found in "
				       "'/proc/self/cgroup'; mount cgroups at "
				       "'%s'",
				       CGROUP_ROOT);
	}
	*ret = l;
	return 0;
}

void cgroup_layout_clear(struct cgroup_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->hierarchies[i].mount);
		strv_free(l->hierarchies[i].controllers);
		free(l->hierarchies[i].own);
	}
	free(l->hierarchies);
	*l = (struct cgroup_layout){0};
}

char *cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *path)
{
	_cleanup_free_ char *base = NULL;

	if (path[0] == '/')
		return fs_path_join(h->mount, path);

	base = fs_path_join(h->mount, h->own);
	return fs_path_join(base, path);
}

bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h,
			  const char *controller)
{
	return h->controllers != NULL &&
	       strv_contains(h->controllers, controller);
}
