/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker's copy-up: the image's content at a volume's destination is
 * copied into the volume. Every step works on descriptors with
 * O_NOFOLLOW and AT_SYMLINK_NOFOLLOW, so a symlink in the image is
 * copied as a symlink and never followed out of the image.
 */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/*
 * Each level of the tree keeps two directories open, so the depth is
 * limited well below the usual limit of 1024 descriptors.
 */
#define COPY_MAX_DEPTH 200

/* Copy every extended attribute; a file system without them is fine. */
static int copy_xattrs(int src, int dst, const char *name,
		       struct berth_error **err)
{
	_cleanup_free_ char *list = NULL;
	ssize_t len = flistxattr(src, NULL, 0);

	if (len < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
		return 0;
	if (len < 0)
		return berth_error_set(
			err, errno, "list extended attributes of '%s'", name);
	if (len == 0)
		return 0;

	list = xmalloc((size_t)len);
	len = flistxattr(src, list, (size_t)len);
	if (len < 0)
		return berth_error_set(
			err, errno, "list extended attributes of '%s'", name);

	for (char *key = list; key < list + len; key += strlen(key) + 1) {
		_cleanup_free_ char *value = NULL;
		ssize_t n = fgetxattr(src, key, NULL, 0);

		if (n < 0)
			continue;
		value = xmalloc((size_t)n + 1);
		n = fgetxattr(src, key, value, (size_t)n);
		if (n < 0)
			continue;
		if (fsetxattr(dst, key, value, (size_t)n, 0) < 0 &&
		    errno != ENOTSUP && errno != EOPNOTSUPP)
			return berth_error_set(err, errno,
					       "set extended attribute '%s' "
					       "of '%s'",
					       key, name);
	}
	return 0;
}

/* Ownership before mode: chown clears the set-id bits. */
static int copy_metadata(int src, int dst, const struct stat *st,
			 const char *name, struct berth_error **err)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};

	if (fchown(dst, st->st_uid, st->st_gid) < 0)
		return berth_error_set(err, errno, "change owner of '%s'",
				       name);
	if (fchmod(dst, st->st_mode & 07777) < 0)
		return berth_error_set(err, errno, "change mode of '%s'", name);
	if (copy_xattrs(src, dst, name, err) < 0)
		return -1;
	if (futimens(dst, times) < 0)
		return berth_error_set(err, errno, "set times of '%s'", name);
	return 0;
}

static int copy_bytes(int src, int dst, const char *name,
		      struct berth_error **err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read '%s'", name);
		if (n == 0)
			return 0;
		if (fs_write_all(dst, buf, (size_t)n, err) < 0)
			return -1;
	}
}

static int copy_file(int src_dir, int dst_dir, const char *name,
		     const struct stat *st, struct berth_error **err)
{
	_cleanup_close_ int src = -1, dst = -1;

	src = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return berth_error_set(err, errno, "open '%s'", name);
	dst = openat(dst_dir, name,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (dst < 0)
		return berth_error_set(err, errno, "create '%s'", name);

	if (copy_bytes(src, dst, name, err) < 0)
		return -1;
	return copy_metadata(src, dst, st, name, err);
}

static int copy_symlink(int src_dir, int dst_dir, const char *name,
			const struct stat *st, struct berth_error **err)
{
	_cleanup_free_ char *target = xmalloc((size_t)st->st_size + 1);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	ssize_t n;

	n = readlinkat(src_dir, name, target, (size_t)st->st_size + 1);
	if (n < 0 || n > st->st_size)
		return berth_error_set(err, n < 0 ? errno : 0,
				       "read symlink '%s'", name);
	target[n] = '\0';

	if (symlinkat(target, dst_dir, name) < 0)
		return berth_error_set(err, errno, "create symlink '%s'", name);
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "change owner of '%s'",
				       name);
	if (utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "set times of '%s'", name);
	return 0;
}

static int copy_node(int dst_dir, const char *name, const struct stat *st,
		     struct berth_error **err)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};

	if (mknodat(dst_dir, name, st->st_mode, st->st_rdev) < 0)
		return berth_error_set(err, errno, "create '%s'", name);
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid,
		     AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
		return berth_error_set(err, errno, "change owner of '%s'",
				       name);
	if (utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "set times of '%s'", name);
	return 0;
}

/* The first copy of a file with several links, for linking the others. */
struct copy_link {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the destination's top directory */
};

struct copy_state {
	int dst_root;
	struct copy_link *links;
	size_t n_links;
};

static const struct copy_link *find_link(const struct copy_state *s,
					 const struct stat *st)
{
	for (size_t i = 0; i < s->n_links; i++)
		if (s->links[i].dev == st->st_dev &&
		    s->links[i].ino == st->st_ino)
			return &s->links[i];
	return NULL;
}

static void add_link(struct copy_state *s, const struct stat *st,
		     const char *path)
{
	s->links = xreallocarray(s->links, s->n_links + 1, sizeof(*s->links));
	s->links[s->n_links++] = (struct copy_link){
		.dev = st->st_dev,
		.ino = st->st_ino,
		.path = xstrdup(path),
	};
}

/* Hard links within the image stay hard links, as Docker keeps them. */
static int copy_regular(struct copy_state *s, int src_dir, int dst_dir,
			const char *name, const char *path,
			const struct stat *st, struct berth_error **err)
{
	const struct copy_link *link = NULL;

	if (st->st_nlink > 1)
		link = find_link(s, st);
	if (link != NULL) {
		if (linkat(s->dst_root, link->path, dst_dir, name, 0) < 0)
			return berth_error_set(err, errno, "link '%s' to '%s'",
					       path, link->path);
		return 0;
	}

	if (copy_file(src_dir, dst_dir, name, st, err) < 0)
		return berth_error_wrap(err, "copy '%s'", path);
	if (st->st_nlink > 1)
		add_link(s, st, path);
	return 0;
}

static int copy_dir_contents(struct copy_state *s, int src, int dst,
			     const char *path, unsigned depth,
			     struct berth_error **err);

static int copy_dir(struct copy_state *s, int src_dir, int dst_dir,
		    const char *name, const char *path, const struct stat *st,
		    unsigned depth, struct berth_error **err)
{
	_cleanup_close_ int src = -1, dst = -1;

	if (depth >= COPY_MAX_DEPTH)
		return berth_error_set(err, 0,
				       "cannot copy '%s': directories are "
				       "nested deeper than %d levels",
				       path, COPY_MAX_DEPTH);

	src = openat(src_dir, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	if (mkdirat(dst_dir, name, 0700) < 0)
		return berth_error_set(err, errno, "create '%s'", path);
	dst = openat(dst_dir, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return berth_error_set(err, errno, "open '%s'", path);

	if (copy_dir_contents(s, src, dst, path, depth + 1, err) < 0)
		return -1;
	return copy_metadata(src, dst, st, path, err);
}

static int copy_entry(struct copy_state *s, int src_dir, int dst_dir,
		      const char *dir_path, const char *name, unsigned depth,
		      struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (dir_path[0] != '\0')
		xasprintf(&path, "%s/%s", dir_path, name);
	else
		path = xstrdup(name);

	if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat '%s'", path);

	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_dir(s, src_dir, dst_dir, name, path, &st, depth,
				err);
	case S_IFREG:
		return copy_regular(s, src_dir, dst_dir, name, path, &st, err);
	case S_IFLNK:
		if (copy_symlink(src_dir, dst_dir, name, &st, err) < 0)
			return berth_error_wrap(err, "copy '%s'", path);
		return 0;
	default:
		if (copy_node(dst_dir, name, &st, err) < 0)
			return berth_error_wrap(err, "copy '%s'", path);
		return 0;
	}
}

static int copy_dir_contents(struct copy_state *s, int src, int dst,
			     const char *path, unsigned depth,
			     struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup(src);

	if (fd < 0)
		return berth_error_set(err, errno, "duplicate a descriptor");
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return berth_error_set(err, errno, "read '%s'", path);
	}

	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(s, src, dst, path, de->d_name, depth, err) < 0)
			return -1;
	}
	if (errno != 0)
		return berth_error_set(err, errno, "read '%s'", path);
	return 0;
}

int volume_copy_tree(int src_fd, int dst_fd, struct berth_error **err)
{
	struct copy_state s = {.dst_root = dst_fd};
	struct stat st;
	int r;

	if (fstat(src_fd, &st) < 0)
		return berth_error_set(err, errno, "stat the image directory");

	r = copy_dir_contents(&s, src_fd, dst_fd, "", 0, err);
	if (r == 0)
		r = copy_metadata(src_fd, dst_fd, &st, ".", err);

	for (size_t i = 0; i < s.n_links; i++)
		free(s.links[i].path);
	free(s.links);
	return r;
}
