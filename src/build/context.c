/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COPY and ADD sources: wildcard expansion inside a root and the
 * content hash that keys the build cache.
 */
#include "build/context.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

int build_path_clean(const char *path, char **ret, struct berth_error **err)
{
	_cleanup_free_ char *out = xzalloc(strlen(path) + 1);
	size_t len = 0;
	const char *p = path;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (len == 0)
				return berth_error_set(err, 0,
						       "path '%s' leaves its "
						       "root through '..'",
						       path);
			out[len] = '\0';
			slash = strrchr(out, '/');
			len = slash != NULL ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			p += n;
			continue;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		out[len] = '\0';
		p += n;
	}

	*ret = TAKE_PTR(out);
	return 0;
}

static bool has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	return false;
}

static char *join_rel(const char *dir, const char *name, size_t n)
{
	char *s;

	if (dir[0] == '\0')
		return xstrndup(name, n);
	xasprintf(&s, "%s/%.*s", dir, (int)n, name);
	return s;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether rel exists inside the root; sets *is_dir. */
static bool root_stat(const struct build_source_root *root, const char *rel,
		      bool *is_dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = fs_open_in_root(root->fd, rel[0] != '\0' ? rel : "/", O_PATH, 0,
			     NULL);
	if (fd < 0 || fstat(fd, &st) < 0)
		return false;
	*is_dir = S_ISDIR(st.st_mode);
	return true;
}

static bool excluded(const struct build_source_root *root, const char *rel,
		     bool is_dir)
{
	return root->exclude != NULL && rel[0] != '\0' &&
	       root->exclude(rel, is_dir, root->exclude_data);
}

/* List the names in directory rel that match the pattern component. */
static int match_dir(const struct build_source_root *root, const char *rel,
		     const char *component, char ***ret,
		     struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	int fd;

	fd = fs_open_in_root(root->fd, rel[0] != '\0' ? rel : "/",
			     O_RDONLY | O_DIRECTORY, 0, NULL);
	if (fd < 0) {
		*ret = NULL;
		return 0;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return berth_error_set(err, errno, "read directory '%s'", rel);
	}

	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fnmatch(component, de->d_name, 0) == 0)
			strv_push(&names, de->d_name);
	}

	if (names != NULL)
		qsort(names, strv_length(names), sizeof(char *),
		      compare_strings);
	*ret = TAKE_PTR(names);
	return 0;
}

/* Expand pattern from component p on, below the directory rel. */
static int expand_from(const struct build_source_root *root, const char *rel,
		       const char *p, char ***paths, struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *component = NULL;
	const char *rest;
	size_t n;
	bool is_dir;

	p += strspn(p, "/");
	if (*p == '\0') {
		if (root_stat(root, rel, &is_dir) &&
		    !excluded(root, rel, is_dir))
			strv_push(paths, rel);
		return 0;
	}

	n = strcspn(p, "/");
	rest = p + n;
	if (!has_wildcard(p, n)) {
		_cleanup_free_ char *next = join_rel(rel, p, n);

		return expand_from(root, next, rest, paths, err);
	}

	component = xstrndup(p, n);
	if (match_dir(root, rel, component, &names, err) < 0)
		return -1;

	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		_cleanup_free_ char *next =
			join_rel(rel, names[i], strlen(names[i]));

		if (expand_from(root, next, rest, paths, err) < 0)
			return -1;
	}
	return 0;
}

int build_sources_expand(const struct build_source_root *root,
			 char *const *patterns, char ***ret_paths,
			 struct berth_error **err)
{
	_cleanup_strv_ char **paths = NULL;

	for (size_t i = 0; patterns != NULL && patterns[i] != NULL; i++) {
		_cleanup_free_ char *clean = NULL;
		size_t before = strv_length(paths);

		if (build_path_clean(patterns[i], &clean, err) < 0)
			return berth_error_wrap(err, "source '%s' in the %s",
						patterns[i], root->what);

		if (expand_from(root, "", clean, &paths, err) < 0)
			return -1;

		if (strv_length(paths) == before)
			return berth_error_set(err, 0,
					       "source '%s' not found in the "
					       "%s",
					       patterns[i], root->what);
	}

	*ret_paths = TAKE_PTR(paths);
	if (*ret_paths == NULL)
		*ret_paths = xzalloc(sizeof(char *));
	return 0;
}

struct hash_walk {
	const struct build_source_root *root;
	struct digest_ctx *digest;
	bool ignore_owner;
};

static void hash_header(struct hash_walk *w, const char *path,
			const struct stat *st)
{
	char buf[160];
	int n;

	digest_update(w->digest, path, strlen(path) + 1);
	n = snprintf(buf, sizeof(buf), "%o %u %u %lld", (unsigned)st->st_mode,
		     w->ignore_owner ? 0U : (unsigned)st->st_uid,
		     w->ignore_owner ? 0U : (unsigned)st->st_gid,
		     S_ISREG(st->st_mode) ? (long long)st->st_size : 0LL);
	digest_update(w->digest, buf, (size_t)n + 1);
}

static int hash_file(struct hash_walk *w, int fd, const char *path,
		     struct berth_error **err)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno,
					       "read '%s' in the %s", path,
					       w->root->what);
		digest_update(w->digest, buf, (size_t)n);
	}
	return 0;
}

static int hash_entry(struct hash_walk *w, int dir_fd, const char *name,
		      const char *path, struct berth_error **err);

static int hash_dir(struct hash_walk *w, int fd, const char *path,
		    struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	int dup_fd = dup(fd);

	if (dup_fd < 0 || (d = fdopendir(dup_fd)) == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_set(err, errno,
				       "read directory '%s' in "
				       "the %s",
				       path, w->root->what);
	}

	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	if (names == NULL)
		return 0;
	qsort(names, strv_length(names), sizeof(char *), compare_strings);

	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_free_ char *child =
			join_rel(path, names[i], strlen(names[i]));

		if (hash_entry(w, fd, names[i], child, err) < 0)
			return -1;
	}
	return 0;
}

static int hash_entry(struct hash_walk *w, int dir_fd, const char *name,
		      const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat '%s' in the %s", path,
				       w->root->what);
	if (excluded(w->root, path, S_ISDIR(st.st_mode)))
		return 0;

	hash_header(w, path, &st);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dir_fd, name, target, sizeof(target));

		if (n < 0)
			return berth_error_set(err, errno,
					       "read link '%s' in the %s", path,
					       w->root->what);
		digest_update(w->digest, target, (size_t)n);
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0;

	fd = openat(dir_fd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s' in the %s", path,
				       w->root->what);
	if (S_ISDIR(st.st_mode))
		return hash_dir(w, fd, path, err);
	return hash_file(w, fd, path, err);
}

/* A top-level source follows its symlinks, inside the root. */
static int hash_source(struct hash_walk *w, const char *path,
		       struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = fs_open_in_root(w->root->fd, path[0] != '\0' ? path : "/",
			     O_RDONLY, 0, err);
	if (fd < 0 || fstat(fd, &st) < 0)
		return berth_error_wrap(err, "source '%s' in the %s", path,
					w->root->what);

	hash_header(w, path, &st);
	if (S_ISDIR(st.st_mode))
		return hash_dir(w, fd, path, err);
	if (S_ISREG(st.st_mode))
		return hash_file(w, fd, path, err);
	return 0;
}

int build_sources_hash(const struct build_source_root *root, char *const *paths,
		       bool ignore_owner, char ret[DIGEST_STRING_SIZE],
		       struct berth_error **err)
{
	_cleanup_digest_ struct digest_ctx *digest = digest_new();
	struct hash_walk w = {
		.root = root,
		.digest = digest,
		.ignore_owner = ignore_owner,
	};

	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++)
		if (hash_source(&w, paths[i], err) < 0)
			return -1;

	digest_final(digest, ret);
	return 0;
}
