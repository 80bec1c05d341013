/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device nodes and the standard /dev entries. Each path is taken from
 * config.json, so its parent is resolved inside the root and the node is
 * made with the *at() calls on that parent, which never follow a symlink
 * in the last name. Where mknod(2) is not permitted (in a user namespace)
 * the host's device is bound onto an empty file instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const struct spec_device default_devices[] = {
	{.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
	{.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
	{.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
	{.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
	{.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
	{.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *name;
	const char *target;
} dev_symlinks[] = {
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
};

bool devices_needed(const struct spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		_cleanup_free_ char *parent = NULL;
		_cleanup_free_ char *base = NULL;
		bool bind = m->type != NULL && strcmp(m->type, "bind") == 0;

		for (size_t j = 0; m->options != NULL && m->options[j]; j++) {
			if (strcmp(m->options[j], "bind") == 0 ||
			    strcmp(m->options[j], "rbind") == 0)
				bind = true;
		}
		if (!bind || m->destination == NULL)
			continue;

		rootfs_split_path(m->destination, &parent, &base);
		if (strcmp(parent, "/") == 0 && strcmp(base, "dev") == 0)
			return false;
	}
	return true;
}

static mode_t device_mode(const struct spec_device *d)
{
	mode_t perm = d->has_file_mode ? d->file_mode & 07777 : 0666;

	switch (d->type) {
	case 'b':
		return S_IFBLK | perm;
	case 'p':
		return S_IFIFO | perm;
	default:
		return S_IFCHR | perm;
	}
}

/* Bind the host's node at d->path onto an empty file named base. */
static int bind_host_device(const struct spec_device *d, int dir,
			    const char *base, mode_t mode,
			    struct berth_error **err)
{
	dev_t dev = makedev((unsigned int)d->major, (unsigned int)d->minor);
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	/* Bind only the device the entry names, never some other file. */
	if (stat(d->path, &st) < 0)
		return berth_error_set(err, errno,
				       "mknod is not permitted and the host "
				       "has no device '%s' to bind",
				       d->path);
	if ((st.st_mode & S_IFMT) != (mode & S_IFMT) || st.st_rdev != dev)
		return berth_error_set(err, EPERM,
				       "mknod is not permitted and the host's "
				       "'%s' is another device; bind it with "
				       "a mount instead",
				       d->path);

	/* O_EXCL: an existing node is never opened, it may be a device. */
	fd = openat(dir, base,
		    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
	if (fd < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create file");
	if (fd >= 0)
		close(fd);

	fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open");

	path = rootfs_fd_path(fd);
	if (mount(d->path, path, NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno, "bind host device '%s'",
				       d->path);
	return 0;
}

static int check_type(int dir, const char *base, mode_t mode,
		      struct berth_error **err)
{
	struct stat st;

	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat");

	if ((st.st_mode & S_IFMT) != (mode & S_IFMT))
		return berth_error_set(err, EEXIST,
				       "a file of another type is in the "
				       "way; remove it from the image");
	return 0;
}

/* Set the owner and permissions of the new node without following it. */
static int set_owner(const struct spec_device *d, int dir, const char *base,
		     mode_t mode, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open");

	if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return berth_error_set(err, errno, "change the owner to %u:%u",
				       (unsigned int)d->uid,
				       (unsigned int)d->gid);

	/* chmod through the descriptor: fchmod does not take O_PATH. */
	path = rootfs_fd_path(fd);
	if (chmod(path, mode & 07777) < 0)
		return berth_error_set(err, errno, "change the mode to %04o",
				       (unsigned int)(mode & 07777));
	return 0;
}

static int create_device(const struct spec_device *d, int rootfd,
			 struct berth_error **err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int dir = -1;
	mode_t mode = device_mode(d);
	dev_t dev = makedev((unsigned int)d->major, (unsigned int)d->minor);

	rootfs_split_path(d->path, &parent, &base);
	if (base[0] == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0 || strcmp(base, "/") == 0)
		return berth_error_set(err, EINVAL, "invalid device path");

	if (rootfs_mkdir_p(rootfd, parent, &dir, err) < 0)
		return -1;

	if (mknodat(dir, base, mode, d->type == 'p' ? 0 : dev) == 0)
		return set_owner(d, dir, base, mode, err);

	/*
	 * An existing node is kept as it is, because it may be a host file
	 * under a bind mount: only its type is checked.
	 */
	if (errno == EEXIST)
		return check_type(dir, base, mode, err);

	if (errno != EPERM || d->type == 'p')
		return berth_error_set(err, errno, "create device node");

	/* A bound node keeps the host's owner and mode. */
	return bind_host_device(d, dir, base, mode, err);
}

static bool spec_has_device(const struct spec *spec, const char *path)
{
	for (size_t i = 0; i < spec->linux.n_devices; i++) {
		if (strcmp(spec->linux.devices[i].path, path) == 0)
			return true;
	}
	return false;
}

static int create_devices(const struct spec *spec, int rootfd,
			  bool with_defaults, struct berth_error **err)
{
	for (size_t i = 0; with_defaults && i < ARRAY_SIZE(default_devices);
	     i++) {
		const struct spec_device *d = &default_devices[i];

		if (spec_has_device(spec, d->path))
			continue;
		if (create_device(d, rootfd, err) < 0)
			return berth_error_wrap(err, "create device '%s'",
						d->path);
	}

	/* A /dev bound from elsewhere is used as it is, devices included. */
	for (size_t i = 0; with_defaults && i < spec->linux.n_devices; i++) {
		const struct spec_device *d = &spec->linux.devices[i];

		if (create_device(d, rootfd, err) < 0)
			return berth_error_wrap(err,
						"linux.devices[%zu]: create "
						"device '%s'",
						i, d->path);
	}
	return 0;
}

static int create_symlink(int devfd, const char *name, const char *target,
			  struct berth_error **err)
{
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return berth_error_set(err, errno,
				       "create symlink '/dev/%s' to '%s'", name,
				       target);
	return 0;
}

static int create_dev_links(int devfd, struct berth_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_symlinks); i++) {
		if (create_symlink(devfd, dev_symlinks[i].name,
				   dev_symlinks[i].target, err) < 0)
			return -1;
	}

	/* /dev/core only where the kernel has /proc/kcore. */
	if (fs_exists("/proc/kcore") &&
	    create_symlink(devfd, "core", "/proc/kcore", err) < 0)
		return -1;

	/* The devpts instance mounted at /dev/pts owns the ptmx to use. */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '/dev/ptmx'");

	return create_symlink(devfd, "ptmx", "pts/ptmx", err);
}

static int bind_console(int devfd, const char *console_path,
			struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	fd = openat(devfd, "console",
		    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create '/dev/console'");
	if (fd >= 0)
		close(fd);

	fd = openat(devfd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '/dev/console'");

	path = rootfs_fd_path(fd);
	if (mount(console_path, path, NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno,
				       "bind console '%s' to '/dev/console'",
				       console_path);
	return 0;
}

int devices_setup(const struct spec *spec, int rootfd, bool with_defaults,
		  const char *console_path, struct berth_error **err)
{
	_cleanup_close_ int devfd = -1;
	mode_t old_umask = umask(0);
	int r;

	r = create_devices(spec, rootfd, with_defaults, err);
	umask(old_umask);
	if (r < 0)
		return -1;

	if (!with_defaults && console_path == NULL)
		return 0;

	if (rootfs_mkdir_p(rootfd, "/dev", &devfd, err) < 0)
		return -1;

	if (with_defaults && create_dev_links(devfd, err) < 0)
		return -1;

	if (console_path != NULL && bind_console(devfd, console_path, err) < 0)
		return -1;
	return 0;
}
