/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "build/build-copy.h"

#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/user.h"
#include "image/layer.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

int build_copy_parse_owner(int root_fd, const char *spec, uid_t *ret_uid,
			   gid_t *ret_gid, struct berth_error **err)
{
	struct user_ids ids = {0};

	if (spec[0] == '\0' || spec[0] == ':')
		return berth_error_set(
			err, 0, "invalid --chown '%s': use USER[:GROUP]", spec);
	if (user_resolve(root_fd, spec, &ids, err) < 0)
		return berth_error_wrap(err, "--chown '%s'", spec);

	*ret_uid = ids.uid;
	*ret_gid = strchr(spec, ':') != NULL ? ids.gid : (gid_t)ids.uid;
	user_ids_clear(&ids);
	return 0;
}

int build_copy_parse_mode(const char *spec, mode_t *ret,
			  struct berth_error **err)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(spec, &end, 8);
	if (spec[0] == '\0' || *end != '\0' || errno != 0 || v > 07777)
		return berth_error_set(err, 0,
				       "invalid --chmod '%s': use an octal "
				       "mode such as 0644",
				       spec);
	*ret = (mode_t)v;
	return 0;
}

struct copy_walk {
	const struct build_copy *copy;
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *child_path(const char *dir, const char *name)
{
	char *s;

	if (dir[0] == '\0')
		return xstrdup(name);
	xasprintf(&s, "%s/%s", dir, name);
	return s;
}

/* Owner, mode and times of a copy, from its source unless overridden. */
static int apply_meta(const struct copy_walk *w, int fd, const struct stat *st,
		      const char *dest, struct berth_error **err)
{
	const struct build_copy *c = w->copy;
	uid_t uid = c->has_owner ? c->uid : 0;
	gid_t gid = c->has_owner ? c->gid : 0;
	mode_t mode = c->has_mode ? c->mode : (st->st_mode & 07777);
	struct timespec ts[2] = {st->st_mtim, st->st_mtim};

	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 ||
	    futimens(fd, ts) < 0)
		return berth_error_set(err, errno, "set owner and mode of '%s'",
				       dest);
	return 0;
}

/* Make room for a new entry name in dir: remove anything but a directory. */
static int clear_name(int dir_fd, const char *name, bool keep_dir,
		      bool *ret_is_dir, const char *dest,
		      struct berth_error **err)
{
	struct stat st;

	*ret_is_dir = false;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir) {
			*ret_is_dir = true;
			return 0;
		}
		return berth_error_set(err, EISDIR,
				       "cannot replace directory '%s' with a "
				       "file",
				       dest);
	}
	if (unlinkat(dir_fd, name, 0) < 0)
		return berth_error_set(err, errno, "remove '%s'", dest);
	return 0;
}

static int copy_data(int in, int out, const char *src, struct berth_error **err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);

		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return berth_error_set(err, errno, "copy '%s'", src);
		break;
	}

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read '%s'", src);
		if (n == 0)
			return 0;
		if (fs_write_all(out, buf, (size_t)n, err) < 0)
			return -1;
	}
}

static int copy_file(const struct copy_walk *w, int src_fd,
		     const struct stat *st, const char *src, int dst_dir,
		     const char *name, const char *dest,
		     struct berth_error **err)
{
	_cleanup_close_ int out = -1;
	bool is_dir;

	if (clear_name(dst_dir, name, false, &is_dir, dest, err) < 0)
		return -1;
	out = openat(dst_dir, name,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return berth_error_set(err, errno, "create '%s'", dest);
	if (copy_data(src_fd, out, src, err) < 0)
		return -1;
	return apply_meta(w, out, st, dest, err);
}

static int copy_dir_content(const struct copy_walk *w, int src_fd,
			    const char *src, int dst_fd, const char *dest,
			    struct berth_error **err);

static int copy_dir(const struct copy_walk *w, int src_fd,
		    const struct stat *st, const char *src, int dst_dir,
		    const char *name, const char *dest,
		    struct berth_error **err)
{
	_cleanup_close_ int out = -1;
	bool is_dir;

	if (clear_name(dst_dir, name, true, &is_dir, dest, err) < 0)
		return -1;
	if (!is_dir && mkdirat(dst_dir, name, 0755) < 0)
		return berth_error_set(err, errno, "create directory '%s'",
				       dest);
	out = openat(dst_dir, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return berth_error_set(err, errno, "open '%s'", dest);

	if (copy_dir_content(w, src_fd, src, out, dest, err) < 0)
		return -1;
	return apply_meta(w, out, st, dest, err);
}

static int copy_special(const struct copy_walk *w, int src_dir,
			const char *src_name, const struct stat *st,
			int dst_dir, const char *name, const char *dest,
			struct berth_error **err)
{
	const struct build_copy *c = w->copy;
	struct timespec ts[2] = {st->st_mtim, st->st_mtim};
	bool is_dir;

	if (S_ISSOCK(st->st_mode))
		return 0;
	if (clear_name(dst_dir, name, false, &is_dir, dest, err) < 0)
		return -1;

	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src_dir, src_name, target,
				       sizeof(target) - 1);

		if (n < 0)
			return berth_error_set(err, errno, "read link '%s'",
					       dest);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return berth_error_set(err, errno, "create '%s'", dest);
	} else if (mknodat(dst_dir, name, st->st_mode & ~07777, st->st_rdev) <
		   0) {
		return berth_error_set(err, errno, "create '%s'", dest);
	}

	if (fchownat(dst_dir, name, c->has_owner ? c->uid : 0,
		     c->has_owner ? c->gid : 0, AT_SYMLINK_NOFOLLOW) < 0 ||
	    utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "set owner of '%s'", dest);
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(dst_dir, name,
		     c->has_mode ? c->mode : (st->st_mode & 07777), 0) < 0)
		return berth_error_set(err, errno, "set mode of '%s'", dest);
	return 0;
}

static bool is_excluded(const struct copy_walk *w, const char *src, bool is_dir)
{
	const struct build_source_root *root = w->copy->source;

	return root->exclude != NULL &&
	       root->exclude(src, is_dir, root->exclude_data);
}

/* Copy the entry name of src_dir (source path src) to dst_dir/name. */
static int copy_entry(const struct copy_walk *w, int src_dir,
		      const char *src_name, const char *src, int dst_dir,
		      const char *dest, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (fstatat(src_dir, src_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat '%s'", src);
	if (is_excluded(w, src, S_ISDIR(st.st_mode)))
		return 0;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return copy_special(w, src_dir, src_name, &st, dst_dir,
				    src_name, dest, err);

	fd = openat(src_dir, src_name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", src);
	if (S_ISDIR(st.st_mode))
		return copy_dir(w, fd, &st, src, dst_dir, src_name, dest, err);
	return copy_file(w, fd, &st, src, dst_dir, src_name, dest, err);
}

static int copy_dir_content(const struct copy_walk *w, int src_fd,
			    const char *src, int dst_fd, const char *dest,
			    struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	int dup_fd = dup(src_fd);

	if (dup_fd < 0 || (d = fdopendir(dup_fd)) == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_set(err, errno, "read directory '%s'", src);
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	if (names == NULL)
		return 0;
	qsort(names, strv_length(names), sizeof(char *), compare_strings);

	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_free_ char *child_src = child_path(src, names[i]);
		_cleanup_free_ char *child_dest = child_path(dest, names[i]);

		if (copy_entry(w, src_fd, names[i], child_src, dst_fd,
			       child_dest, err) < 0)
			return -1;
	}
	return 0;
}

/* Open a tar archive reader on fd, or return NULL when it is none. */
static struct archive *open_archive(int fd)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *entry;
	int r;

	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_bzip2(ar);
	archive_read_support_filter_xz(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);

	r = archive_read_open_fd(ar, fd, 65536);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(ar, &entry);
	archive_read_free(ar);

	/* The probe read ahead: a plain copy starts from the beginning too. */
	if (lseek(fd, 0, SEEK_SET) < 0 || r != ARCHIVE_OK)
		return NULL;
	ar = archive_read_new();
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_bzip2(ar);
	archive_read_support_filter_xz(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);
	if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK) {
		archive_read_free(ar);
		return NULL;
	}
	return ar;
}

static int open_dest_dir(int root_fd, const char *path, int *ret_fd,
			 struct berth_error **err)
{
	_cleanup_close_ int path_fd = -1;
	int fd;

	if (fs_mkdir_p_in_root(root_fd, path, 0755, &path_fd, err) < 0)
		return berth_error_wrap(err, "destination '/%s'", path);
	fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open destination '/%s'",
				       path);
	*ret_fd = fd;
	return 0;
}

static int unpack_archive(struct archive *ar, int root_fd, const char *dest,
			  const char *src, struct berth_error **err)
{
	_cleanup_close_ int dir = -1;
	int r;

	if (open_dest_dir(root_fd, dest, &dir, err) < 0) {
		archive_read_free(ar);
		return -1;
	}
	r = layer_unpack(ar, dir, err);
	archive_read_free(ar);
	if (r < 0)
		return berth_error_wrap(err, "unpack '%s' into '/%s'", src,
					dest);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * Copy one source. dest is the cleaned destination below the root;
 * dest_is_dir says whether a file goes into it or becomes it.
 */
static int copy_source(const struct copy_walk *w, int root_fd, const char *src,
		       const char *dest, bool dest_is_dir,
		       struct berth_error **err)
{
	const struct build_copy *c = w->copy;
	_cleanup_close_ int fd = -1, dir = -1;
	_cleanup_free_ char *parent = NULL, *target = NULL;
	struct stat st;
	const char *name;

	fd = fs_open_in_root(c->source->fd, src[0] != '\0' ? src : "/",
			     O_RDONLY, 0, err);
	if (fd < 0 || fstat(fd, &st) < 0)
		return berth_error_wrap(err, "source '%s'", src);

	if (S_ISDIR(st.st_mode)) {
		if (open_dest_dir(root_fd, dest, &dir, err) < 0)
			return -1;
		return copy_dir_content(w, fd, src, dir, dest, err);
	}

	if (c->unpack && S_ISREG(st.st_mode)) {
		struct archive *ar = open_archive(fd);

		if (ar != NULL)
			return unpack_archive(ar, root_fd, dest, src, err);
	}

	if (dest_is_dir) {
		parent = xstrdup(dest);
		target = child_path(dest, base_name(src));
	} else {
		char *slash;

		target = xstrdup(dest);
		parent = xstrdup(dest);
		slash = strrchr(parent, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			parent[0] = '\0';
	}
	if (target[0] == '\0')
		return berth_error_set(err, EISDIR,
				       "cannot copy file '%s' over the root "
				       "directory",
				       src);
	name = base_name(target);

	if (open_dest_dir(root_fd, parent, &dir, err) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return copy_file(w, fd, &st, src, dir, name, target, err);
	return berth_error_set(err, EINVAL,
			       "source '%s' is not a file or directory", src);
}

static bool dest_exists_as_dir(int root_fd, const char *dest)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = fs_open_in_root(root_fd, dest[0] != '\0' ? dest : "/", O_PATH, 0,
			     NULL);
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

int build_copy_run(int root_fd, const struct build_copy *copy,
		   struct berth_error **err)
{
	struct copy_walk w = {.copy = copy};
	_cleanup_free_ char *joined = NULL, *dest = NULL;
	size_t n = strv_length(copy->paths), len = strlen(copy->dest);
	bool slash = len > 0 && copy->dest[len - 1] == '/';
	bool dest_is_dir;

	if (copy->dest[0] == '/')
		joined = xstrdup(copy->dest);
	else
		joined = fs_path_join(copy->workdir[0] != '\0' ? copy->workdir :
								 "/",
				      copy->dest);
	if (build_path_clean(joined, &dest, err) < 0)
		return berth_error_wrap(err, "destination '%s'", copy->dest);

	if (n > 1 && !slash)
		return berth_error_set(err, 0,
				       "with more than one source, the "
				       "destination '%s' must be a directory "
				       "ending with '/'",
				       copy->dest);

	/* "." and "dir/." name the directory just as "dir/" does. */
	dest_is_dir = slash || dest[0] == '\0' ||
		      (len >= 2 && strcmp(copy->dest + len - 2, "/.") == 0) ||
		      strcmp(copy->dest, ".") == 0 ||
		      dest_exists_as_dir(root_fd, dest);

	for (size_t i = 0; i < n; i++)
		if (copy_source(&w, root_fd, copy->paths[i], dest, dest_is_dir,
				err) < 0)
			return -1;
	return 0;
}
