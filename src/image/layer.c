/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layer.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

struct dir_times {
	char *path;
	struct timespec ts[2];
};

struct unpack {
	struct archive *ar;
	int root_fd;
	/* The parent of the previous entry, reused while entries share it. */
	char *parent_path;
	int parent_fd;
	bool parent_stale;
	struct dir_times *dirs;
	size_t n_dirs;
};

static void unpack_drop_parent(struct unpack *u)
{
	if (u->parent_fd >= 0)
		close(u->parent_fd);
	u->parent_fd = -1;
	free(u->parent_path);
	u->parent_path = NULL;
}

static int unpack_parent(struct unpack *u, const char *parent, int *ret_fd,
			 struct berth_error **err)
{
	int fd;

	if (u->parent_path != NULL && strcmp(u->parent_path, parent) == 0) {
		*ret_fd = u->parent_fd;
		return 0;
	}

	unpack_drop_parent(u);
	if (layer_open_dir(u->root_fd, parent, true, &fd, err) < 0)
		return -1;

	u->parent_path = xstrdup(parent);
	u->parent_fd = fd;
	*ret_fd = fd;
	return 0;
}

/*
 * Make room for a new entry: a later tar entry replaces an earlier one
 * of the same path, except that a directory over a directory merges.
 */
static int unpack_clear(struct unpack *u, int dir_fd, const char *name,
			bool is_dir, struct berth_error **err)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return berth_error_set(err, errno, "stat");
	}

	if (is_dir && S_ISDIR(st.st_mode))
		return 0;

	/*
	 * Paths below a removed directory may be recreated as other
	 * directories, so the cached parent is dropped after this entry.
	 */
	if (S_ISDIR(st.st_mode)) {
		u->parent_stale = true;
		return fs_rm_rf_at(dir_fd, name, err);
	}

	if (unlinkat(dir_fd, name, 0) < 0)
		return berth_error_set(err, errno, "remove previous entry");
	return 0;
}

static int unpack_file(struct unpack *u, int dir_fd, const char *name,
		       struct archive_entry *entry, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	int64_t end = 0;

	fd = openat(dir_fd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_error_set(err, errno, "create file");

	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t offset;
		int r = archive_read_data_block(u->ar, &buf, &len, &offset);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return berth_error_set(err, 0, "read data: %s",
					       archive_error_string(u->ar));

		if (offset != end && lseek(fd, offset, SEEK_SET) < 0)
			return berth_error_set(err, errno, "seek");
		if (fs_write_all(fd, buf, len, err) < 0)
			return -1;
		end = offset + (int64_t)len;
	}

	/* Sparse files end in a hole that no data block covers. */
	if (end < archive_entry_size(entry) &&
	    ftruncate(fd, archive_entry_size(entry)) < 0)
		return berth_error_set(err, errno, "extend sparse file");

	return layer_apply_fd(fd, entry, true, err);
}

static int unpack_dir(struct unpack *u, int dir_fd, const char *name,
		      const char *path, struct archive_entry *entry,
		      struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct dir_times *d;

	if (mkdirat(dir_fd, name, 0700) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create directory");

	fd = openat(dir_fd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open directory");

	if (layer_apply_fd(fd, entry, false, err) < 0)
		return -1;

	/* Creating the contents would change the times set now. */
	u->dirs = xreallocarray(u->dirs, u->n_dirs + 1, sizeof(*u->dirs));
	d = &u->dirs[u->n_dirs++];
	d->path = xstrdup(path);
	layer_entry_times(entry, d->ts);
	return 0;
}

static int unpack_hardlink(struct unpack *u, int dir_fd, const char *name,
			   const char *target, struct berth_error **err)
{
	_cleanup_free_ char *clean = NULL;
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int parent_fd = -1;
	const char *base;

	if (layer_path_clean(target, &clean, err) < 0)
		return -1;
	if (clean[0] == '\0')
		return berth_error_set(
			err, 0, "hard link to the layer root '%s'", target);

	layer_path_split(clean, &parent, &base);
	if (layer_open_dir(u->root_fd, parent, false, &parent_fd, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return berth_error_wrap(err, "hard link target '%s'",
						target);
		berth_error_free(err);
		errno = ENOENT;
	} else if (linkat(parent_fd, base, dir_fd, name, 0) == 0) {
		return 0;
	}

	if (errno == ENOENT)
		return berth_error_set(err, 0,
				       "hard link target '%s' is not in the "
				       "layer",
				       target);
	return berth_error_set(err, errno, "link to '%s'", target);
}

static int unpack_node(int dir_fd, const char *name,
		       struct archive_entry *entry, struct berth_error **err)
{
	mode_t type = archive_entry_filetype(entry);
	dev_t dev = makedev(archive_entry_rdevmajor(entry),
			    archive_entry_rdevminor(entry));

	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(entry);

		if (target == NULL || target[0] == '\0')
			return berth_error_set(err, 0, "empty symlink target");
		if (symlinkat(target, dir_fd, name) < 0)
			return berth_error_set(err, errno, "create symlink");
	} else if (mknodat(dir_fd, name, type | 0600,
			   type == AE_IFIFO ? 0 : dev) < 0) {
		return berth_error_set(err, errno, "create device node");
	}

	return layer_apply_at(dir_fd, name, entry, err);
}

/* Turn an OCI whiteout into its overlayfs form, see layer.h. */
static int unpack_whiteout(struct unpack *u, int dir_fd, const char *name,
			   struct berth_error **err)
{
	const char *hidden = name + strlen(WHITEOUT_PREFIX);
	struct stat st;

	if (strcmp(name, WHITEOUT_OPAQUE) == 0) {
		if (fsetxattr(dir_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return berth_error_set(err, errno,
					       "mark directory opaque");
		return 0;
	}

	if (hidden[0] == '\0' || strcmp(hidden, ".") == 0 ||
	    strcmp(hidden, "..") == 0)
		return berth_error_set(err, 0, "invalid whiteout name");

	/*
	 * A whiteout hides only lower layers; an entry of this layer with
	 * the same name stays (OCI image-spec, "Whiteouts").
	 */
	if (fstatat(dir_fd, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;

	if (mknodat(dir_fd, hidden, S_IFCHR | 0000, makedev(0, 0)) < 0)
		return berth_error_set(err, errno, "create whiteout");
	return 0;
}

static int unpack_at(struct unpack *u, int dir_fd, const char *name,
		     const char *path, struct archive_entry *entry,
		     struct berth_error **err)
{
	const char *hardlink = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry);

	if (strncmp(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
		return unpack_whiteout(u, dir_fd, name, err);

	if (unpack_clear(u, dir_fd, name, hardlink == NULL && type == AE_IFDIR,
			 err) < 0)
		return -1;

	if (hardlink != NULL)
		return unpack_hardlink(u, dir_fd, name, hardlink, err);

	switch (type) {
	case AE_IFREG:
		return unpack_file(u, dir_fd, name, entry, err);
	case AE_IFDIR:
		return unpack_dir(u, dir_fd, name, path, entry, err);
	case AE_IFLNK:
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return unpack_node(dir_fd, name, entry, err);
	default:
		/* Sockets cannot be stored usefully; tar skips them too. */
		return 0;
	}
}

static int unpack_entry(struct unpack *u, struct archive_entry *entry,
			struct berth_error **err)
{
	const char *raw = archive_entry_pathname(entry);
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *parent = NULL;
	const char *name;
	int dir_fd;

	if (raw == NULL)
		return berth_error_set(err, 0, "layer entry without a path");

	if (layer_path_clean(raw, &path, err) < 0)
		return -1;

	if (strlen(path) >= PATH_MAX)
		return berth_error_set(err, ENAMETOOLONG,
				       "layer entry '%.64s...'", path);

	/* The root entry "./" sets the mode and owner of the layer root. */
	if (path[0] == '\0') {
		if (archive_entry_filetype(entry) != AE_IFDIR)
			return 0;
		return unpack_dir(u, u->root_fd, ".", "", entry, err);
	}

	layer_path_split(path, &parent, &name);
	if (unpack_parent(u, parent, &dir_fd, err) < 0 ||
	    unpack_at(u, dir_fd, name, path, entry, err) < 0)
		return berth_error_wrap(err, "layer entry '%s'", raw);

	if (u->parent_stale) {
		unpack_drop_parent(u);
		u->parent_stale = false;
	}
	return 0;
}

/* Set directory times last: every entry created inside changed them. */
static void unpack_finish_dirs(struct unpack *u)
{
	for (size_t i = u->n_dirs; i > 0; i--) {
		struct dir_times *d = &u->dirs[i - 1];
		_cleanup_close_ int fd = -1;

		/* A directory may have been replaced by a later entry. */
		if (layer_open_dir(u->root_fd, d->path, false, &fd, NULL) < 0)
			continue;
		(void)futimens(fd, d->ts);
	}
}

static void unpack_free(struct unpack *u)
{
	unpack_drop_parent(u);
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
}

int layer_unpack(struct archive *ar, int root_fd, struct berth_error **err)
{
	struct unpack u = {.ar = ar, .root_fd = root_fd, .parent_fd = -1};
	struct archive_entry *entry;
	int r;

	while ((r = archive_read_next_header(ar, &entry)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			berth_error_set(
				err, 0,
				"read layer: %s (expected a tar archive, "
				"plain or compressed with gzip or zstd)",
				archive_error_string(ar));
			break;
		}

		if (unpack_entry(&u, entry, err) < 0) {
			r = ARCHIVE_FATAL;
			break;
		}
	}

	if (r == ARCHIVE_EOF)
		unpack_finish_dirs(&u);
	unpack_free(&u);
	return r == ARCHIVE_EOF ? 0 : -1;
}

struct archive *layer_archive_new(void)
{
	struct archive *ar = archive_read_new();

	if (ar == NULL)
		abort();
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	return ar;
}

int layer_unpack_fd(int fd, int root_fd, struct berth_error **err)
{
	struct archive *ar = layer_archive_new();
	int r;

	if (archive_read_open_fd(ar, fd, 1 << 20) != ARCHIVE_OK) {
		berth_error_set(err, 0, "read layer: %s",
				archive_error_string(ar));
		archive_read_free(ar);
		return -1;
	}

	r = layer_unpack(ar, root_fd, err);
	archive_read_free(ar);
	return r;
}

int layer_tmpdir_create(const char *layers_dir, char **ret_path, int *ret_fd,
			struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	xasprintf(&path, "%s/.tmp-XXXXXX", layers_dir);
	if (mkdtemp(path) == NULL)
		return berth_error_set(err, errno, "create directory in '%s'",
				       layers_dir);

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0755) < 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		(void)rmdir(path);
		return berth_error_set(err, saved, "open '%s'", path);
	}

	*ret_path = TAKE_PTR(path);
	*ret_fd = fd;
	return 0;
}

int layer_tmpdir_commit(const char *tmp_path, const char *layers_dir,
			const char *name, struct berth_error **err)
{
	_cleanup_free_ char *final = fs_path_join(layers_dir, name);

	if (rename(tmp_path, final) == 0)
		return 0;

	if (errno == EEXIST || errno == ENOTEMPTY)
		return fs_rm_rf(tmp_path, err);

	return berth_error_set(err, errno, "rename '%s' to '%s'", tmp_path,
			       final);
}
