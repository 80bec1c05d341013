/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.maskedPaths, linux.readonlyPaths and linux.sysctl. The paths are
 * resolved inside the root, and a path the root lacks is skipped.
 * Sysctls are written only where the container has its own namespace
 * for them, so no write reaches the host's kernel settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/*
 * Open path inside the root; *ret_fd is -1 when the path does not exist.
 */
static int open_optional(int rootfd, const char *path, int *ret_fd,
			 struct berth_error **err)
{
	struct berth_error *local = NULL;
	int fd;

	fd = fs_open_in_root(rootfd, path, O_PATH, 0, &local);
	if (fd < 0 && local->errnum != ENOENT) {
		berth_error_move(err, &local);
		return -1;
	}
	berth_error_free(&local);
	*ret_fd = fd;
	return 0;
}

static int mask_path(int rootfd, int devnull, const char *path,
		     struct berth_error **err)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_free_ char *source = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (open_optional(rootfd, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;

	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat");

	target = rootfs_fd_path(fd);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target, "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0") < 0)
			return berth_error_set(err, errno,
					       "mount an empty tmpfs");
		return 0;
	}

	source = rootfs_fd_path(devnull);
	if (mount(source, target, NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno, "bind '/dev/null'");
	return 0;
}

int rootfs_mask_paths(const struct spec *spec, int rootfd,
		      struct berth_error **err)
{
	char *const *paths = spec->linux.masked_paths;
	_cleanup_close_ int devnull = -1;

	if (paths == NULL || paths[0] == NULL)
		return 0;

	/* The host's node: the image cannot replace it with a file. */
	devnull = open("/dev/null", O_PATH | O_CLOEXEC);
	if (devnull < 0)
		return berth_error_set(err, errno, "open '/dev/null'");

	for (size_t i = 0; paths[i] != NULL; i++) {
		if (mask_path(rootfd, devnull, paths[i], err) < 0)
			return berth_error_wrap(err,
						"linux.maskedPaths[%zu]: mask "
						"'%s'",
						i, paths[i]);
	}
	return 0;
}

static int make_readonly(int rootfd, const char *path, struct berth_error **err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	_cleanup_free_ char *fd_path = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int top = -1;

	if (open_optional(rootfd, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;

	fd_path = rootfs_fd_path(fd);
	if (mount(fd_path, fd_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind onto itself");

	top = fs_open_in_root(rootfd, path, O_PATH, 0, err);
	if (top < 0)
		return -1;

	/* AT_RECURSIVE: the mounts below path become read-only as well. */
	if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			  sizeof(attr)) == 0)
		return 0;

	if (errno != ENOSYS)
		return berth_error_set(err, errno, "make read-only");

	/* Kernels before 5.12: only the top mount turns read-only. */
	return rootfs_bind_remount(top, MS_RDONLY, true, err);
}

int rootfs_readonly_paths(const struct spec *spec, int rootfd,
			  struct berth_error **err)
{
	char *const *paths = spec->linux.readonly_paths;

	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (make_readonly(rootfd, paths[i], err) < 0)
			return berth_error_wrap(err,
						"linux.readonlyPaths[%zu]: "
						"make '%s' read-only",
						i, paths[i]);
	}
	return 0;
}

/* The namespace that makes a sysctl the container's own, or 0. */
static int sysctl_namespace(const char *key)
{
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb",	   "kernel.msgmni",
		"kernel.sem",	 "kernel.shmall",	   "kernel.shmmax",
		"kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++) {
		if (strcmp(key, ipc_keys[i]) == 0)
			return CLONE_NEWIPC;
	}
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(key, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(key, "kernel.hostname") == 0 ||
	    strcmp(key, "kernel.domainname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

static int check_sysctl_key(const struct spec *spec, const char *key,
			    struct berth_error **err)
{
	int ns;

	if (key[0] == '\0' || key[0] == '.' || strchr(key, '/') != NULL ||
	    strstr(key, "..") != NULL)
		return berth_error_set(err, EINVAL,
				       "invalid sysctl name; use dotted "
				       "names such as 'net.ipv4.ip_forward'");

	ns = sysctl_namespace(key);
	if (ns == 0)
		return berth_error_set(err, EPERM,
				       "the sysctl is not namespaced and would "
				       "change the host; remove it");

	if (spec_find_namespace(spec, ns) == NULL)
		return berth_error_set(err, EPERM,
				       "the sysctl needs a %s namespace in "
				       "linux.namespaces",
				       spec_namespace_name(ns));
	return 0;
}

static int write_sysctl(const struct spec *spec, const struct spec_sysctl *s,
			struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (check_sysctl_key(spec, s->key, err) < 0)
		return -1;

	xasprintf(&path, "/proc/sys/%s", s->key);
	for (char *p = path + strlen("/proc/sys/"); *p != '\0'; p++) {
		if (*p == '.')
			*p = '/';
	}

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);

	return fs_write_all(fd, s->value, strlen(s->value), err);
}

int rootfs_sysctls(const struct spec *spec, struct berth_error **err)
{
	for (size_t i = 0; i < spec->linux.n_sysctls; i++) {
		const struct spec_sysctl *s = &spec->linux.sysctls[i];

		if (write_sysctl(spec, s, err) < 0)
			return berth_error_wrap(
				err, "linux.sysctl: set '%s' to '%s'", s->key,
				s->value);
	}
	return 0;
}
