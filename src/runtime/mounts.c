/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config.json mounts, performed in order below the root. Each
 * destination is resolved inside the root (openat2 RESOLVE_IN_ROOT) and
 * created there when missing, and mount(2) gets the "/proc/self/fd/N"
 * path of that descriptor. After a mount the destination is opened again,
 * so the remount, propagation and mount_setattr steps reach the new mount
 * and not the directory below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME)

/* Flags that a bind mount only gets through a second, remount call. */
#define REMOUNT_FLAGS (~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT))

char *rootfs_fd_path(int fd)
{
	char *path = NULL;

	xasprintf(&path, "/proc/self/fd/%d", fd);
	return path;
}

int rootfs_locked_flags(int fd, unsigned long *ret, struct berth_error **err)
{
	static const struct {
		unsigned long st;
		unsigned long ms;
	} map[] = {
		{ST_RDONLY, MS_RDONLY},	    {ST_NOSUID, MS_NOSUID},
		{ST_NODEV, MS_NODEV},	    {ST_NOEXEC, MS_NOEXEC},
		{ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
		{ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (fstatvfs(fd, &sv) < 0)
		return berth_error_set(err, errno, "read the mount flags");

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	}

	/* Neither noatime nor relatime: the mount uses strictatime. */
	if (!(flags & (MS_NOATIME | MS_RELATIME)))
		flags |= MS_STRICTATIME;

	*ret = flags;
	return 0;
}

int rootfs_bind_remount(int fd, unsigned long flags, bool keep_atime,
			struct berth_error **err)
{
	_cleanup_free_ char *path = rootfs_fd_path(fd);
	unsigned long locked;

	if (rootfs_locked_flags(fd, &locked, err) < 0)
		return -1;

	if (!keep_atime)
		locked &= ~ATIME_FLAGS;

	flags |= locked | MS_BIND | MS_REMOUNT;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return berth_error_set(err, errno, "remount with flags 0x%lx",
				       flags);
	return 0;
}

/* The kernel's limit on symlinks followed in one lookup. */
#define MAX_SYMLINKS 40

static int mkdir_p_in_root(int rootfd, const char *path, mode_t mode,
			   unsigned int depth, int *ret_fd,
			   struct berth_error **err);

/*
 * Return the target of the symlink name in dir, whose path in the root is
 * prefix, as a path inside the root. NULL when name is not a symlink.
 */
static char *link_target_in_root(int dir, const char *prefix, const char *name)
{
	char buf[4096];
	ssize_t n;

	n = readlinkat(dir, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;

	buf[n] = '\0';
	return buf[0] == '/' ? xstrdup(buf) : fs_path_join(prefix, buf);
}

/* Create the target of the dangling symlink name in dir. */
static int create_link_target(int rootfd, int dir, const char *prefix,
			      const char *name, mode_t mode, unsigned int depth,
			      struct berth_error **err)
{
	_cleanup_free_ char *target = NULL;

	target = link_target_in_root(dir, prefix, name);
	if (target == NULL)
		return berth_error_set(err, errno, "read symlink '%s/%s'",
				       prefix, name);

	if (depth >= MAX_SYMLINKS)
		return berth_error_set(err, ELOOP, "follow symlink '%s/%s'",
				       prefix, name);

	return mkdir_p_in_root(rootfd, target, mode, depth + 1, NULL, err);
}

/*
 * Open the directory name in dir, whose path in the root is parent/name.
 * When name is a dangling symlink, create its target first.
 */
static int open_component(int rootfd, int dir, const char *parent,
			  const char *name, mode_t mode, unsigned int depth,
			  struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(parent, name);
	struct berth_error *local = NULL;
	struct stat st;
	int fd;

	if (mkdirat(dir, name, mode) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create directory '%s'",
				       path);

	fd = fs_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, &local);
	if (fd >= 0)
		return fd;

	if (local->errnum != ENOENT ||
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode)) {
		berth_error_move(err, &local);
		return -1;
	}
	berth_error_free(&local);

	if (create_link_target(rootfd, dir, parent, name, mode, depth, err) < 0)
		return -1;

	return fs_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, err);
}

/*
 * Like fs_mkdir_p_in_root(), but a dangling symlink on the way is not an
 * error. Its target is created inside the root, for images with links
 * such as /var/run -> /run.
 */
static int mkdir_p_in_root(int rootfd, const char *path, mode_t mode,
			   unsigned int depth, int *ret_fd,
			   struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *parent = xstrdup("/");
	_cleanup_close_ int cur = -1;

	cur = fs_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0, err);
	if (cur < 0)
		return -1;

	for (char *name = copy, *end; *name != '\0'; name = end) {
		char *joined;
		int next;

		end = name + strcspn(name, "/");
		if (*end == '/')
			*end++ = '\0';
		if (*name == '\0')
			continue;

		next = open_component(rootfd, cur, parent, name, mode, depth,
				      err);
		if (next < 0)
			return -1;
		close(cur);
		cur = next;

		joined = fs_path_join(parent, name);
		free(parent);
		parent = joined;
	}

	if (ret_fd != NULL)
		*ret_fd = TAKE_FD(cur);
	return 0;
}

int rootfs_mkdir_p(int rootfd, const char *path, int *ret_fd,
		   struct berth_error **err)
{
	return mkdir_p_in_root(rootfd, path, 0755, 0, ret_fd, err);
}

void rootfs_split_path(const char *path, char **ret_parent, char **ret_base)
{
	char *parent = xstrdup(path);
	size_t len = strlen(parent);
	char *slash;

	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';

	slash = strrchr(parent, '/');
	*ret_base = xstrdup(slash != NULL ? slash + 1 : parent);
	if (slash == NULL)
		parent[0] = '\0';
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	*ret_parent = parent;
}

static int create_file_in_root(int rootfd, const char *dest, unsigned int depth,
			       struct berth_error **err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_free_ char *base = NULL;
	_cleanup_free_ char *target = NULL;
	_cleanup_close_ int dir = -1;
	int fd;

	rootfs_split_path(dest, &parent, &base);
	if (rootfs_mkdir_p(rootfd, parent, &dir, err) < 0)
		return -1;

	/* O_NOFOLLOW: a symlink left at the name is not followed. */
	fd = openat(dir, base,
		    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return berth_error_set(err, errno, "create file '%s'", dest);

	/*
	 * A dangling symlink, such as /etc/resolv.conf in many images: its
	 * target is created instead, inside the root.
	 */
	target = link_target_in_root(dir, parent, base);
	if (target == NULL)
		return 0;
	if (depth >= MAX_SYMLINKS)
		return berth_error_set(err, ELOOP, "follow symlink '%s'", dest);
	return create_file_in_root(rootfd, target, depth + 1, err);
}

int rootfs_open_dest(int rootfd, const char *dest, bool as_file,
		     struct berth_error **err)
{
	struct berth_error *local = NULL;
	int fd;

	fd = fs_open_in_root(rootfd, dest, O_PATH, 0, &local);
	if (fd >= 0)
		return fd;

	if (local->errnum != ENOENT) {
		berth_error_move(err, &local);
		return -1;
	}
	berth_error_free(&local);

	if (!as_file) {
		if (rootfs_mkdir_p(rootfd, dest, &fd, err) < 0)
			return -1;
		return fd;
	}

	if (create_file_in_root(rootfd, dest, 0, err) < 0)
		return -1;

	return fs_open_in_root(rootfd, dest, O_PATH, 0, err);
}

/*
 * The steps that need the new mount itself: the bind remount for flags,
 * the propagation and the recursive attributes.
 */
static int finish_mount(int rootfd, const char *dest, bool bind,
			const struct mount_options *o, struct berth_error **err)
{
	_cleanup_close_ int top = -1;
	_cleanup_free_ char *path = NULL;

	top = fs_open_in_root(rootfd, dest, O_PATH, 0, err);
	if (top < 0)
		return -1;
	path = rootfs_fd_path(top);

	if (bind && (o->flags & REMOUNT_FLAGS) != 0 &&
	    rootfs_bind_remount(top, o->flags & REMOUNT_FLAGS, !o->atime_set,
				err) < 0)
		return -1;

	if (o->propagation != 0 &&
	    mount(NULL, path, NULL, o->propagation, NULL) < 0)
		return berth_error_set(err, errno, "set the mount propagation");

	if (o->attr_set != 0 || o->attr_clr != 0) {
		struct mount_attr attr = {
			.attr_set = o->attr_set,
			.attr_clr = o->attr_clr,
		};

		if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
				  sizeof(attr)) < 0)
			return berth_error_set(err, errno,
					       "set the recursive mount "
					       "options");
	}
	return 0;
}

static int bind_onto(const char *source, int rootfd, const char *dest,
		     unsigned long flags, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *path = NULL;
	struct stat st;

	/*
	 * TODO: the runtime-spec reads a relative source as relative to the
	 * bundle, but here it resolves against the current directory.
	 */
	if (stat(source, &st) < 0)
		return berth_error_set(err, errno, "bind source '%s'", source);

	fd = rootfs_open_dest(rootfd, dest, !S_ISDIR(st.st_mode), err);
	if (fd < 0)
		return -1;

	path = rootfs_fd_path(fd);
	if (mount(source, path, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
		return berth_error_set(err, errno, "bind '%s'", source);
	return 0;
}

static int mount_bind(int rootfd, const struct spec_mount *m,
		      const struct mount_options *o, struct berth_error **err)
{
	if (m->source == NULL || m->source[0] == '\0')
		return berth_error_set(err, EINVAL,
				       "a bind mount needs a source; set "
				       "'source'");

	if (bind_onto(m->source, rootfd, m->destination, o->flags, err) < 0)
		return -1;

	return finish_mount(rootfd, m->destination, true, o, err);
}

/*
 * Host directories bound in place of a file system whose mount fails with
 * EPERM. The kernel allows a new sysfs only with a network namespace of
 * the caller's user namespace, and a new mqueue only with such an IPC
 * namespace.
 */
static const char *eperm_fallback(const char *type)
{
	if (strcmp(type, "sysfs") == 0)
		return "/sys";
	if (strcmp(type, "mqueue") == 0)
		return "/dev/mqueue";
	return NULL;
}

static int mount_fs(int rootfd, const struct spec_mount *m,
		    const struct mount_options *o, struct berth_error **err)
{
	const char *source = m->source != NULL ? m->source : m->type;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *path = NULL;
	const char *fallback;

	fd = rootfs_open_dest(rootfd, m->destination, false, err);
	if (fd < 0)
		return -1;

	path = rootfs_fd_path(fd);
	if (mount(source, path, m->type, o->flags, o->data) == 0)
		return finish_mount(rootfd, m->destination, false, o, err);

	fallback = eperm_fallback(m->type);
	if (errno != EPERM || fallback == NULL)
		return berth_error_set(err, errno, "mount");

	log_debug("mount of type '%s' on '%s' not permitted, binding '%s'",
		  m->type, m->destination, fallback);
	if (mount(fallback, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind '%s'", fallback);

	return finish_mount(rootfd, m->destination, true, o, err);
}

static int mount_entry(const struct spec *spec, int rootfd,
		       const struct spec_mount *m, struct berth_error **err)
{
	struct mount_options o;
	bool bind;
	int r;

	if (m->destination == NULL || m->destination[0] == '\0')
		return berth_error_set(err, EINVAL,
				       "the mount has no destination; set "
				       "'destination'");

	if (mount_options_parse(m->options, &o, err) < 0)
		return -1;

	bind = (o.flags & MS_BIND) != 0 ||
	       (m->type != NULL && strcmp(m->type, "bind") == 0);

	if (bind)
		r = mount_bind(rootfd, m, &o, err);
	else if (m->type == NULL || m->type[0] == '\0')
		r = berth_error_set(err, EINVAL,
				    "the mount has no type; set 'type' or "
				    "the 'bind' option");
	else if (strcmp(m->type, "cgroup") == 0)
		r = mounts_cgroup(spec, rootfd, m, &o, err);
	else
		r = mount_fs(rootfd, m, &o, err);

	mount_options_clear(&o);
	return r;
}

int mounts_apply(const struct spec *spec, int rootfd, struct berth_error **err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		if (mount_entry(spec, rootfd, m, err) < 0)
			return berth_error_wrap(
				err,
				"mounts[%zu]: mount '%s' of type '%s' on '%s'",
				i, m->source != NULL ? m->source : "",
				m->type != NULL ? m->type : "",
				m->destination != NULL ? m->destination : "");
	}
	return 0;
}
