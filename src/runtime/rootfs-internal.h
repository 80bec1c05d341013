/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_ROOTFS_INTERNAL_H
#define BERTH_RUNTIME_ROOTFS_INTERNAL_H

/*
 * Shared by the rootfs, mounts, mount option and devices files. Every
 * path taken from config.json is opened below rootfd inside the root
 * (openat2 RESOLVE_IN_ROOT), and mount(2) is given "/proc/self/fd/N" of
 * that descriptor, so a symlink swapped in after the check cannot
 * redirect a mount outside the root. This needs the host's /proc, so all
 * of it runs before pivot_root.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

/* One config.json "options" array, split for mount(2) and mount_setattr. */
struct mount_options {
	unsigned long flags;	   /* MS_RDONLY, MS_BIND, MS_REC, ... */
	unsigned long propagation; /* MS_PRIVATE, MS_SHARED, ... | MS_REC */
	unsigned int attr_set;	   /* MOUNT_ATTR_* of "rro", "rnosuid", ... */
	unsigned int attr_clr;	   /* MOUNT_ATTR_* of "rrw", "rsuid", ... */
	bool atime_set;		   /* an atime option was given */
	char *data; /* the other options joined with ',', or NULL */
};

/*
 * Parse options (NULL-terminated, may be NULL). A later option overrides
 * an earlier one ("ro,rw" is rw). Options mount(2) has no flag for, such
 * as "mode=755", go to data in their order. "tmpcopyup" is ignored with a
 * warning; "idmap" and "ridmap" fail with ENOTSUP.
 */
int mount_options_parse(char *const *options, struct mount_options *ret,
			struct berth_error **err);
void mount_options_clear(struct mount_options *o);

/* Return "/proc/self/fd/N" for fd; the caller frees it. */
char *rootfs_fd_path(int fd);

/*
 * Return the MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY and atime flags
 * of the mount that fd is on. A bind remount in a user namespace must
 * keep them, because the kernel locks them (EPERM otherwise).
 */
int rootfs_locked_flags(int fd, unsigned long *ret, struct berth_error **err);

/*
 * Remount the bind mount whose root is fd with flags, adding MS_BIND,
 * MS_REMOUNT and the locked flags of that mount. keep_atime keeps its
 * atime flags as well, for options that name no atime mode.
 */
int rootfs_bind_remount(int fd, unsigned long flags, bool keep_atime,
			struct berth_error **err);

/*
 * Open dest below rootfd, creating it when missing: a directory, or an
 * empty file when as_file. Returns an O_PATH descriptor.
 */
int rootfs_open_dest(int rootfd, const char *dest, bool as_file,
		     struct berth_error **err);

/*
 * Create the directory path and its missing parents below rootfd, with
 * mode 0755, and return an O_PATH descriptor of it in *ret_fd. Unlike
 * fs_mkdir_p_in_root(), the target of a dangling symlink on the way is
 * created too, still inside the root.
 */
int rootfs_mkdir_p(int rootfd, const char *path, int *ret_fd,
		   struct berth_error **err);

/*
 * Split path into its parent directory and its last name, both new
 * strings. Trailing slashes are dropped; the parent of "a" is "".
 */
void rootfs_split_path(const char *path, char **ret_parent, char **ret_base);

/*
 * Mount a "cgroup" entry at m->destination: cgroup2 on a v2 host, else a
 * tmpfs with one directory per v1 hierarchy (and "unified" for the
 * hybrid layout's cgroup2).
 */
int mounts_cgroup(const struct spec *spec, int rootfd,
		  const struct spec_mount *m, const struct mount_options *o,
		  struct berth_error **err);

/* Perform spec->mounts in order below rootfd. */
int mounts_apply(const struct spec *spec, int rootfd, struct berth_error **err);

/*
 * Return whether /dev needs its devices and symlinks: true unless a mount
 * binds something at /dev.
 */
bool devices_needed(const struct spec *spec);

/*
 * Create the default devices, linux.devices, the /dev symlinks and
 * /dev/ptmx when with_defaults, and bind console_path (may be NULL) at
 * /dev/console. A node that exists already is kept unchanged.
 */
int devices_setup(const struct spec *spec, int rootfd, bool with_defaults,
		  const char *console_path, struct berth_error **err);

/*
 * Mask linux.maskedPaths: bind the host's /dev/null over files and mount
 * an empty read-only tmpfs over directories.
 */
int rootfs_mask_paths(const struct spec *spec, int rootfd,
		      struct berth_error **err);

/* Bind each of linux.readonlyPaths onto itself, read-only, recursively. */
int rootfs_readonly_paths(const struct spec *spec, int rootfd,
			  struct berth_error **err);

/*
 * Write linux.sysctl through /proc/sys. A key must name a sysctl of a
 * namespace the spec creates or joins (IPC, network or UTS); others
 * would change the host and fail with EPERM.
 */
int rootfs_sysctls(const struct spec *spec, struct berth_error **err);

#endif
