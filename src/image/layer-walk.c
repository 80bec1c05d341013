/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer-tar.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

struct walk {
	struct layer_tree *tree;
	bool overlay;
	char *const *exclude;
};

static struct layer_node *walk_add(struct walk *w, const char *prefix,
				   const char *name, const struct stat *st)
{
	struct layer_tree *t = w->tree;
	struct layer_node *node;

	t->nodes = xreallocarray(t->nodes, t->n_nodes + 1, sizeof(*t->nodes));
	node = &t->nodes[t->n_nodes++];
	memset(node, 0, sizeof(*node));
	if (prefix[0] == '\0')
		node->path = xstrdup(name);
	else
		xasprintf(&node->path, "%s/%s", prefix, name);
	node->st = *st;
	return node;
}

static bool is_overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

static const char *overlay_xattr_key(const char *name)
{
	return name[0] == 't' ? name + 16 : name + 13;
}

/* Read one xattr value; it may change size between the two calls. */
static int read_xattr(const char *path, const char *name, void **ret,
		      size_t *ret_size, struct berth_error **err)
{
	for (int tries = 0; tries < 8; tries++) {
		ssize_t size = lgetxattr(path, name, NULL, 0);
		_cleanup_free_ void *value = NULL;
		ssize_t got;

		if (size < 0)
			return berth_error_set(err, errno, "read xattr '%s'",
					       name);
		value = xmalloc(size > 0 ? size : 1);
		got = lgetxattr(path, name, value, size);
		if (got < 0 && errno == ERANGE)
			continue;
		if (got < 0)
			return berth_error_set(err, errno, "read xattr '%s'",
					       name);
		*ret = TAKE_PTR(value);
		*ret_size = got;
		return 0;
	}
	return berth_error_set(err, EAGAIN, "read xattrs");
}

static int list_xattrs(const char *path, char **ret, ssize_t *ret_len,
		       struct berth_error **err)
{
	for (int tries = 0; tries < 8; tries++) {
		ssize_t len = llistxattr(path, NULL, 0);
		_cleanup_free_ char *names = NULL;

		if (len < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
			len = 0;
		if (len < 0)
			return berth_error_set(err, errno, "list xattrs");
		if (len == 0) {
			*ret = NULL;
			*ret_len = 0;
			return 0;
		}

		names = xmalloc(len);
		len = llistxattr(path, names, len);
		if (len < 0 && errno == ERANGE)
			continue;
		if (len < 0)
			return berth_error_set(err, errno, "list xattrs");
		*ret = TAKE_PTR(names);
		*ret_len = len;
		return 0;
	}
	return berth_error_set(err, EAGAIN, "list xattrs");
}

/*
 * An overlay xattr of the upper dir: "opaque" makes the directory
 * opaque, and a renamed directory or a metadata-only copy would need
 * the lower layers to make sense, which a layer cannot carry.
 */
static int walk_overlay_xattr(struct walk *w, const char *path,
			      const char *name, bool *opaque,
			      struct berth_error **err)
{
	const char *key = overlay_xattr_key(name);
	_cleanup_free_ void *value = NULL;
	size_t size = 0;

	if (!w->overlay)
		return 0;

	if (strcmp(key, "redirect") == 0 || strcmp(key, "metacopy") == 0)
		return berth_error_set(err, 0,
				       "overlayfs xattr '%s' is set: mounts "
				       "with redirect_dir or metacopy cannot "
				       "be written as a layer",
				       name);

	if (strcmp(key, "opaque") != 0)
		return 0;

	if (read_xattr(path, name, &value, &size, err) < 0)
		return -1;
	if (size == 1 && ((char *)value)[0] == 'y')
		*opaque = true;
	return 0;
}

static int xattr_compare(const void *a, const void *b)
{
	const struct layer_xattr *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Read the xattrs of name in dir_fd, keeping all but overlay's own. */
static int walk_xattrs(struct walk *w, int dir_fd, const char *name,
		       struct layer_node *node, bool *opaque,
		       struct berth_error **err)
{
	char path[64 + NAME_MAX];
	_cleanup_free_ char *names = NULL;
	ssize_t len = 0;

	/* l*xattr() on the parent's /proc link: the last name stays put. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir_fd, name);
	if (list_xattrs(path, &names, &len, err) < 0)
		return -1;

	for (ssize_t off = 0; off < len; off += strlen(names + off) + 1) {
		const char *xname = names + off;
		struct layer_xattr *x;

		if (is_overlay_xattr(xname)) {
			if (walk_overlay_xattr(w, path, xname, opaque, err) < 0)
				return -1;
			continue;
		}

		node->xattrs = xreallocarray(node->xattrs, node->n_xattrs + 1,
					     sizeof(*node->xattrs));
		x = &node->xattrs[node->n_xattrs];
		memset(x, 0, sizeof(*x));
		if (read_xattr(path, xname, &x->value, &x->size, err) < 0)
			return -1;
		x->name = xstrdup(xname);
		node->n_xattrs++;
	}

	/* listxattr's order depends on the file system; the tar's must not. */
	if (node->n_xattrs > 1)
		qsort(node->xattrs, node->n_xattrs, sizeof(*node->xattrs),
		      xattr_compare);
	return 0;
}

static int walk_symlink(int dir_fd, const char *name, struct layer_node *node,
			struct berth_error **err)
{
	size_t size = node->st.st_size > 0 ? node->st.st_size + 1 : PATH_MAX;
	_cleanup_free_ char *target = xmalloc(size);
	ssize_t len = readlinkat(dir_fd, name, target, size);

	if (len < 0)
		return berth_error_set(err, errno, "read symlink");
	if ((size_t)len >= size)
		return berth_error_set(err, 0, "symlink changed while read");
	target[len] = '\0';
	node->symlink = TAKE_PTR(target);
	return 0;
}

static int walk_dir(struct walk *w, int dir_fd, const char *prefix,
		    struct berth_error **err);

static int walk_subdir(struct walk *w, int dir_fd, const char *name,
		       const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dir_fd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open directory '%s'", path);
	return walk_dir(w, fd, path, err);
}

static bool excluded(const struct walk *w, const char *prefix, const char *name)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; w->exclude != NULL && w->exclude[i] != NULL; i++) {
		const char *ex = w->exclude[i];

		if (plen == 0 && strcmp(ex, name) == 0)
			return true;
		if (plen > 0 && strncmp(ex, prefix, plen) == 0 &&
		    ex[plen] == '/' && strcmp(ex + plen + 1, name) == 0)
			return true;
	}
	return false;
}

static int walk_entry(struct walk *w, int dir_fd, const char *prefix,
		      const char *name, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	struct layer_node *node;
	bool opaque = false;
	struct stat st;

	if (excluded(w, prefix, name))
		return 0;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat '%s/%s'", prefix,
				       name);

	/* tar cannot restore a socket, and nothing needs one stored. */
	if (S_ISSOCK(st.st_mode))
		return 0;

	if (w->overlay && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		_cleanup_free_ char *wh = NULL;

		xasprintf(&wh, WHITEOUT_PREFIX "%s", name);
		node = walk_add(w, prefix, wh, &st);
		node->kind = LAYER_NODE_WHITEOUT;
		return 0;
	}

	node = walk_add(w, prefix, name, &st);
	path = xstrdup(node->path);
	if (walk_xattrs(w, dir_fd, name, node, &opaque, err) < 0 ||
	    (S_ISLNK(st.st_mode) && walk_symlink(dir_fd, name, node, err) < 0))
		return berth_error_wrap(err, "'%s'", path);

	if (!S_ISDIR(st.st_mode))
		return 0;

	if (opaque) {
		node = walk_add(w, path, WHITEOUT_OPAQUE, &st);
		node->kind = LAYER_NODE_OPAQUE;
	}
	return walk_subdir(w, dir_fd, name, path, err);
}

static int walk_dir(struct walk *w, int dir_fd, const char *prefix,
		    struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;

	if (fd < 0)
		return berth_error_set(err, errno, "duplicate descriptor");
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return berth_error_set(err, errno, "read directory '%s'",
				       prefix);
	}

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (walk_entry(w, dirfd(d), prefix, de->d_name, err) < 0)
			return -1;
	}
	if (errno != 0)
		return berth_error_set(err, errno, "read directory '%s'",
				       prefix);
	return 0;
}

static int node_compare(const void *a, const void *b)
{
	const struct layer_node *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int inode_compare(const void *a, const void *b)
{
	const struct layer_node *x = a, *y = b;

	if (x->st.st_dev != y->st.st_dev)
		return x->st.st_dev < y->st.st_dev ? -1 : 1;
	if (x->st.st_ino != y->st.st_ino)
		return x->st.st_ino < y->st.st_ino ? -1 : 1;
	return 0;
}

static void no_free(void *p)
{
	(void)p;
}

/*
 * The first path of an inode in sorted order carries the data and later
 * ones link to it, so an extractor meets the target first.
 */
static void link_hardlinks(struct layer_tree *t)
{
	void *seen = NULL;

	for (size_t i = 0; i < t->n_nodes; i++) {
		struct layer_node *node = &t->nodes[i];
		struct layer_node **found;

		if (node->kind != LAYER_NODE_PLAIN ||
		    S_ISDIR(node->st.st_mode) || node->st.st_nlink < 2)
			continue;

		found = tsearch(node, &seen, inode_compare);
		if (found == NULL)
			abort();
		if (*found != node)
			node->hardlink = xstrdup((*found)->path);
	}
	tdestroy(seen, no_free);
}

int layer_tree_walk(int dir_fd, bool overlay, char *const *exclude,
		    struct layer_tree *ret, struct berth_error **err)
{
	struct walk w = {.tree = ret, .overlay = overlay, .exclude = exclude};

	memset(ret, 0, sizeof(*ret));
	if (walk_dir(&w, dir_fd, "", err) < 0) {
		layer_tree_clear(ret);
		return -1;
	}

	if (ret->n_nodes > 0)
		qsort(ret->nodes, ret->n_nodes, sizeof(*ret->nodes),
		      node_compare);
	link_hardlinks(ret);
	return 0;
}

void layer_tree_clear(struct layer_tree *tree)
{
	for (size_t i = 0; i < tree->n_nodes; i++) {
		struct layer_node *node = &tree->nodes[i];

		for (size_t j = 0; j < node->n_xattrs; j++) {
			free(node->xattrs[j].name);
			free(node->xattrs[j].value);
		}
		free(node->xattrs);
		free(node->path);
		free(node->symlink);
		free(node->hardlink);
	}
	free(tree->nodes);
	memset(tree, 0, sizeof(*tree));
}
