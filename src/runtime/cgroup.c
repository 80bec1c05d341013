/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup operations the lifecycle calls. Each one loads the layout,
 * which lists the mounted hierarchies and the caller's cgroup in each.
 * Then it acts on the container's directory in every hierarchy, and the
 * v1 and v2 backends write the resource files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

/*
 * Create each missing directory from the hierarchy's base down to the
 * cgroup and record it in *created, outermost first, for the undo step.
 */
static int make_dirs(const struct cgroup_hierarchy *h, const char *path,
		     char ***created, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *cur = path[0] == '/' ?
					   xstrdup(h->mount) :
					   fs_path_join(h->mount, h->own);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c != NULL;
	     c = strtok_r(NULL, "/", &save)) {
		char *next = fs_path_join(cur, c);

		free(cur);
		cur = next;
		if (mkdir(cur, 0755) < 0) {
			if (errno == EEXIST)
				continue;
			return berth_error_set(
				err, errno, "create the cgroup directory '%s'",
				cur);
		}

		strv_push(created, cur);
		if (cgroup_hierarchy_has(h, "cpuset") &&
		    cgroup_v1_init_cpuset(cur, err) < 0)
			return -1;
	}
	return 0;
}

static int setup_hierarchy(const struct cgroup_layout *l,
			   const struct cgroup_hierarchy *h, const char *path,
			   const struct spec_resources *r, char ***created,
			   struct berth_error **err)
{
	_cleanup_free_ char *dir = cgroup_hierarchy_dir(h, path);

	if (make_dirs(h, path, created, err) < 0)
		return -1;

	if (r == NULL)
		return 0;

	if (h->controllers != NULL)
		return cgroup_v1_apply(h, dir, r, err);

	/* In hybrid mode the cgroup2 tree only tracks membership. */
	if (l->mode != CGROUP_MODE_V2)
		return 0;

	cgroup_v2_enable_controllers(h->mount, dir);
	return cgroup_v2_apply(dir, r, err);
}

static int write_pid(const char *dir, pid_t pid, struct berth_error **err)
{
	return cgroup_write_int(dir, "cgroup.procs", pid, err);
}

static int enter_all(const struct cgroup_layout *l, const char *path, pid_t pid,
		     size_t *entered, struct berth_error **err)
{
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_free_ char *dir =
			cgroup_hierarchy_dir(&l->hierarchies[i], path);

		if (write_pid(dir, pid, err) < 0)
			return -1;

		*entered = i + 1;
	}
	return 0;
}

/*
 * Move pid back to the caller's cgroups where it was moved, then remove
 * the directories this call created, innermost first.
 */
static void undo_create(const struct cgroup_layout *l, pid_t pid,
			size_t entered, char **created)
{
	for (size_t i = 0; i < entered; i++) {
		const struct cgroup_hierarchy *h = &l->hierarchies[i];
		_cleanup_free_ char *own = fs_path_join(h->mount, h->own);

		(void)write_pid(own, pid, NULL);
	}

	for (size_t i = strv_length(created); i > 0; i--) {
		if (rmdir(created[i - 1]) < 0)
			log_debug("remove '%s' after a failed cgroup setup: "
				  "%s, ignoring",
				  created[i - 1], strerror(errno));
	}
}

int cgroup_create(const char *cgroups_path, const char *id,
		  const struct spec_resources *resources, pid_t pid,
		  char **ret_path, struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	_cleanup_strv_ char **created = NULL;
	_cleanup_free_ char *path = NULL;
	size_t entered = 0;
	int ret = 0;

	if (cgroup_path_normalize(cgroups_path, id, &path, err) < 0 ||
	    cgroup_layout_load(&l, err) < 0)
		return -1;

	if (resources != NULL && resources->unified != NULL &&
	    l.mode != CGROUP_MODE_V2)
		return berth_error_set(err, ENOTSUP,
				       "linux.resources.unified needs cgroup "
				       "v2, but this host mounts cgroup v1 "
				       "controllers; remove it or boot with "
				       "the unified hierarchy");

	for (size_t i = 0; i < l.n && ret == 0; i++)
		ret = setup_hierarchy(&l, &l.hierarchies[i], path, resources,
				      &created, err);

	if (ret == 0)
		ret = enter_all(&l, path, pid, &entered, err);

	if (ret < 0) {
		undo_create(&l, pid, entered, created);
		return berth_error_wrap(err, "set up the cgroup '%s'", path);
	}
	*ret_path = TAKE_PTR(path);
	return 0;
}

int cgroup_enter(const char *path, pid_t pid, struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	size_t entered = 0;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	return enter_all(&l, path, pid, &entered, err);
}

/* The hierarchy that lists the container's processes. */
static const struct cgroup_hierarchy *
membership_hierarchy(const struct cgroup_layout *l)
{
	static const char *const preferred[] = {"pids", "memory", "freezer",
						"cpu"};

	for (size_t p = 0; p < ARRAY_SIZE(preferred); p++) {
		for (size_t i = 0; i < l->n; i++) {
			if (cgroup_hierarchy_has(&l->hierarchies[i],
						 preferred[p]))
				return &l->hierarchies[i];
		}
	}
	return &l->hierarchies[0];
}

static int read_procs(const char *dir, pid_t **pids, size_t *n,
		      struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	char *save = NULL;

	if (cgroup_read(dir, "cgroup.procs", &data, err) < 0)
		return -1;

	for (char *tok = strtok_r(data, "\n", &save); tok != NULL;
	     tok = strtok_r(NULL, "\n", &save)) {
		*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)strtol(tok, NULL, 10);
	}
	return 0;
}

char *cgroup_next_child(DIR *d, const char *dir)
{
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return fs_path_join(dir, de->d_name);
	}
	return NULL;
}

static int collect_pids(const char *dir, pid_t **pids, size_t *n,
			struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;

	if (read_procs(dir, pids, n, err) < 0)
		return -1;

	d = opendir(dir);
	if (d == NULL)
		return berth_error_set(err, errno, "open '%s'", dir);

	for (;;) {
		_cleanup_free_ char *child = cgroup_next_child(d, dir);

		if (child == NULL)
			return 0;

		if (collect_pids(child, pids, n, err) < 0)
			return -1;
	}
}

int cgroup_pids(const char *path, pid_t **ret_pids, size_t *ret_n,
		struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	dir = cgroup_hierarchy_dir(membership_hierarchy(&l), path);
	if (collect_pids(dir, &pids, &n, err) < 0)
		return -1;

	*ret_pids = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}

static const struct cgroup_hierarchy *
find_hierarchy(const struct cgroup_layout *l, const char *controller)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cgroup_hierarchy *h = &l->hierarchies[i];

		if (controller == NULL ? h->controllers == NULL :
					 cgroup_hierarchy_has(h, controller))
			return h;
	}
	return NULL;
}

/*
 * The v1 freezer where one is mounted; otherwise cgroup.freeze of the
 * cgroup2 tree, which also works without controllers on the hybrid
 * layout.
 */
int cgroup_freeze(const char *path, bool frozen, struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	const struct cgroup_hierarchy *h;
	_cleanup_free_ char *dir = NULL;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	h = find_hierarchy(&l, "freezer");
	if (h != NULL) {
		dir = cgroup_hierarchy_dir(h, path);
		return cgroup_v1_freeze(dir, frozen, err);
	}

	h = find_hierarchy(&l, NULL);
	if (h == NULL)
		return berth_error_set(
			err, ENOTSUP,
			"no freezer cgroup hierarchy is mounted, "
			"so '%s' cannot be %s; mount the freezer "
			"controller",
			path, frozen ? "frozen" : "thawed");

	dir = cgroup_hierarchy_dir(h, path);
	return cgroup_v2_freeze(dir, frozen, err);
}

int cgroup_stats(const char *path, struct cgroup_stats *ret,
		 struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	_cleanup_free_ char *dir = NULL;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	if (l.mode != CGROUP_MODE_V2)
		return cgroup_v1_stats(&l, path, ret, err);

	dir = cgroup_hierarchy_dir(&l.hierarchies[0], path);
	return cgroup_v2_stats(dir, ret, err);
}

int cgroup_controller_dir(const char *path, const char *controller,
			  char **ret_dir, struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	const struct cgroup_hierarchy *h;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	h = l.mode == CGROUP_MODE_V2 ? &l.hierarchies[0] :
				       find_hierarchy(&l, controller);
	if (h == NULL)
		return berth_error_set(err, ENOENT,
				       "no mounted cgroup hierarchy has the "
				       "controller '%s'",
				       controller != NULL ? controller :
							    "cgroup2");

	*ret_dir = cgroup_hierarchy_dir(h, path);
	return 0;
}
