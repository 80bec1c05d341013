/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layer-changes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer-tar.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define WHITEOUT_PREFIX ".wh."

enum lookup {
	LOOKUP_FOUND,
	LOOKUP_HIDDEN, /* removed or hidden here: layers below do not count */
	LOOKUP_ABSENT, /* look in the layers below */
};

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(int fd)
{
	char value[2];

	return fgetxattr(fd, "trusted.overlay.opaque", value, sizeof(value)) ==
		       1 &&
	       value[0] == 'y';
}

/* Look path up in one layer directory, following no symlink. */
static enum lookup lookup_in_layer(const char *layer, const char *path)
{
	_cleanup_close_ int cur =
		open(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;
	char *comp = strtok_r(copy, "/", &save);
	bool opaque_above = false;

	if (cur < 0)
		return LOOKUP_ABSENT;

	while (comp != NULL) {
		char *next = strtok_r(NULL, "/", &save);
		struct stat st;
		int fd;

		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return opaque_above ? LOOKUP_HIDDEN : LOOKUP_ABSENT;
		if (is_whiteout(&st))
			return LOOKUP_HIDDEN;
		if (next == NULL)
			return LOOKUP_FOUND;
		/* A file where a parent should be hides the lower parents. */
		if (!S_ISDIR(st.st_mode))
			return LOOKUP_HIDDEN;

		fd = openat(cur, comp,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return LOOKUP_ABSENT;
		close(cur);
		cur = fd;
		opaque_above = opaque_above || is_opaque(cur);
		comp = next;
	}
	return LOOKUP_FOUND;
}

static bool in_lowers(char *const *lowers, const char *path)
{
	for (size_t i = 0; lowers != NULL && lowers[i] != NULL; i++) {
		enum lookup r = lookup_in_layer(lowers[i], path);

		if (r != LOOKUP_ABSENT)
			return r == LOOKUP_FOUND;
	}
	return false;
}

static bool below_any(char *const *dirs, const char *path)
{
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		size_t len = strlen(dirs[i]);

		if (strncmp(path, dirs[i], len) == 0 && path[len] == '/')
			return true;
	}
	return false;
}

static void push(struct layer_change **changes, size_t *n, char kind,
		 const char *path)
{
	struct layer_change *c;

	*changes = xreallocarray(*changes, *n + 1, sizeof(**changes));
	c = &(*changes)[(*n)++];
	c->kind = kind;
	xasprintf(&c->path, "/%s", path);
}

/* "dir/.wh.name" names "dir/name". */
static char *whiteout_target(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	char *target;

	xasprintf(&target, "%.*s%s", (int)(base - path), path,
		  base + strlen(WHITEOUT_PREFIX));
	return target;
}

static int change_compare(const void *a, const void *b)
{
	const struct layer_change *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * True when a change lies below changes[i]. In sorted order the paths
 * starting with that path follow it, "/etc-x" among "/etc/..." too.
 */
static bool has_child_change(const struct layer_change *changes, size_t n,
			     size_t i)
{
	size_t len = strlen(changes[i].path);

	for (size_t j = i + 1; j < n; j++) {
		if (strncmp(changes[j].path, changes[i].path, len) != 0)
			break;
		if (changes[j].path[len] == '/')
			return true;
	}
	return false;
}

static bool parent_of_excluded(const char *path, char *const *exclude)
{
	size_t len = strlen(path + 1);

	for (size_t i = 0; exclude != NULL && exclude[i] != NULL; i++)
		if (strncmp(exclude[i], path + 1, len) == 0 &&
		    exclude[i][len] == '/' &&
		    strchr(exclude[i] + len + 1, '/') == NULL)
			return true;
	return false;
}

/*
 * Overlayfs copies a directory up when a mount target is created in
 * it, which is no change of the container. Such a directory is dropped
 * unless something else below it changed.
 */
static void drop_copied_up_parents(struct layer_change *changes, size_t *n,
				   char *const *exclude)
{
	size_t out = 0;

	for (size_t i = 0; i < *n; i++) {
		if (changes[i].kind == 'C' &&
		    parent_of_excluded(changes[i].path, exclude) &&
		    !has_child_change(changes, *n, i)) {
			free(changes[i].path);
			continue;
		}
		changes[out++] = changes[i];
	}
	*n = out;
}

static void collect(const struct layer_tree *tree, char *const *lowers,
		    struct layer_change **changes, size_t *n)
{
	_cleanup_strv_ char **opaque = NULL;

	for (size_t i = 0; i < tree->n_nodes; i++) {
		const struct layer_node *node = &tree->nodes[i];

		if (node->kind == LAYER_NODE_OPAQUE) {
			/* The marker is "DIR/.wh..wh..opq". */
			strv_push_take(
				&opaque,
				xstrndup(node->path, strrchr(node->path, '/') -
							     node->path));
		} else if (node->kind == LAYER_NODE_WHITEOUT) {
			_cleanup_free_ char *target =
				whiteout_target(node->path);

			push(changes, n, 'D', target);
		} else if (below_any(opaque, node->path) ||
			   !in_lowers(lowers, node->path)) {
			push(changes, n, 'A', node->path);
		} else {
			push(changes, n, 'C', node->path);
		}
	}
}

int layer_changes(const char *upper, char *const *lowers, char *const *exclude,
		  struct layer_change **ret, size_t *ret_n,
		  struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct layer_change *changes = NULL;
	struct layer_tree tree;
	size_t n = 0;

	fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", upper);
	if (layer_tree_walk(fd, true, exclude, &tree, err) < 0)
		return berth_error_wrap(err, "read '%s'", upper);

	collect(&tree, lowers, &changes, &n);
	layer_tree_clear(&tree);

	if (n > 1)
		qsort(changes, n, sizeof(*changes), change_compare);
	drop_copied_up_parents(changes, &n, exclude);
	*ret = changes;
	*ret_n = n;
	return 0;
}

void layer_changes_free(struct layer_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(changes[i].path);
	free(changes);
}
