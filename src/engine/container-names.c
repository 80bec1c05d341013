/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Generated container names ("quiet_harbor") and lookup of a container
 * by id, id prefix or name.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "engine/container-config.h"
#include "engine/container-store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

static const char *const adjectives[] = {
	"amber", "bold",   "brave",  "bright", "calm",	 "clever", "crisp",
	"eager", "fond",   "gentle", "glad",   "golden", "happy",  "keen",
	"kind",	 "lively", "lucid",  "merry",  "nimble", "noble",  "proud",
	"quick", "quiet",  "rapid",  "silent", "steady", "swift",  "tidy",
	"vivid", "wise",   "witty",  "young",
};

static const char *const nouns[] = {
	"anchor", "beacon", "breeze", "buoy",	 "cabin",  "canal", "cove",
	"delta",  "dock",   "dune",   "ferry",	 "fjord",  "gull",  "harbor",
	"haven",  "island", "jetty",  "keel",	 "lagoon", "mast",  "marina",
	"pier",	  "quay",   "reef",   "rudder",	 "sail",   "shore", "tide",
	"vessel", "wharf",  "wave",   "lantern",
};

static int random_index(size_t n, size_t *ret, struct berth_error **err)
{
	unsigned int value;

	if (getrandom(&value, sizeof(value), 0) != sizeof(value))
		return berth_error_set(err, errno, "read random bytes");
	*ret = value % n;
	return 0;
}

int container_name_generate(const struct engine *engine, char **ret_name,
			    struct berth_error **err)
{
	/* After a few collisions, a numeric suffix keeps names unique. */
	for (unsigned int attempt = 0; attempt < 64; attempt++) {
		_cleanup_free_ char *name = NULL, *owner = NULL;
		size_t a = 0, n = 0;

		if (random_index(ARRAY_SIZE(adjectives), &a, err) < 0 ||
		    random_index(ARRAY_SIZE(nouns), &n, err) < 0)
			return -1;

		if (attempt < 8)
			xasprintf(&name, "%s_%s", adjectives[a], nouns[n]);
		else
			xasprintf(&name, "%s_%s%u", adjectives[a], nouns[n],
				  attempt);

		if (container_name_find(engine, name, &owner, err) < 0)
			return -1;

		if (owner == NULL) {
			*ret_name = TAKE_PTR(name);
			return 0;
		}
	}
	return berth_error_set(err, 0,
			       "no free container name found; give one with "
			       "--name");
}

static int list_ids(const struct engine *engine, char ***ret_ids,
		    struct berth_error **err)
{
	_cleanup_free_ char *dir = fs_path_join(engine->root, "containers");
	_cleanup_closedir_ DIR *d = opendir(dir);
	_cleanup_strv_ char **ids = NULL;
	struct dirent *de;

	if (d == NULL && errno != ENOENT)
		return berth_error_set(err, errno, "open '%s'", dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		_cleanup_free_ char *path = NULL;

		if (!container_id_is_valid(de->d_name))
			continue;

		/* A container is complete once container.json exists. */
		xasprintf(&path, "%s/%s/container.json", dir, de->d_name);
		if (fs_exists(path))
			strv_push(&ids, de->d_name);
	}

	*ret_ids = TAKE_PTR(ids);
	return 0;
}

static int compare_created(const void *a, const void *b, void *arg)
{
	const char *const *x = a, *const *y = b;
	const char *root = arg;
	_cleanup_free_ char *px = NULL, *py = NULL;
	struct stat sx = {0}, sy = {0};

	xasprintf(&px, "%s/containers/%s/container.json", root, *x);
	xasprintf(&py, "%s/containers/%s/container.json", root, *y);
	(void)stat(px, &sx);
	(void)stat(py, &sy);
	if (sx.st_ctim.tv_sec != sy.st_ctim.tv_sec)
		return sx.st_ctim.tv_sec < sy.st_ctim.tv_sec ? -1 : 1;
	if (sx.st_ctim.tv_nsec != sy.st_ctim.tv_nsec)
		return sx.st_ctim.tv_nsec < sy.st_ctim.tv_nsec ? -1 : 1;
	return strcmp(*x, *y);
}

int engine_container_list(struct engine *engine, char ***ret_ids,
			  struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;
	size_t n;

	if (list_ids(engine, &ids, err) < 0)
		return -1;

	n = strv_length(ids);
	if (n > 1)
		qsort_r(ids, n, sizeof(*ids), compare_created, engine->root);

	*ret_ids = TAKE_PTR(ids);
	return 0;
}

static int lookup_prefix(char **ids, const char *ref, char **ret_id,
			 struct berth_error **err)
{
	const char *found = NULL;
	size_t len = strlen(ref);

	for (size_t i = 0; ids != NULL && ids[i] != NULL; i++) {
		if (strncmp(ids[i], ref, len) != 0)
			continue;
		if (found != NULL)
			return berth_error_set(
				err, 0,
				"container id prefix '%s' is ambiguous: give "
				"more digits or the name",
				ref);
		found = ids[i];
	}

	if (found == NULL)
		return berth_error_set(err, 0, "no such container: '%s'", ref);

	*ret_id = xstrdup(found);
	return 0;
}

int engine_container_lookup(struct engine *engine, const char *ref,
			    char **ret_id, struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_free_ char *by_name = NULL;

	if (ref[0] == '\0')
		return berth_error_set(err, 0, "empty container name or id");

	if (list_ids(engine, &ids, err) < 0)
		return -1;

	if (strv_contains(ids, ref)) {
		*ret_id = xstrdup(ref);
		return 0;
	}

	/* A name wins over an id prefix, as in Docker. */
	if (container_name_find(engine, ref, &by_name, err) < 0)
		return -1;

	if (by_name != NULL) {
		*ret_id = TAKE_PTR(by_name);
		return 0;
	}

	if (strspn(ref, "0123456789abcdef") != strlen(ref))
		return berth_error_set(err, 0, "no such container: '%s'", ref);

	return lookup_prefix(ids, ref, ret_id, err);
}
