/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs_setup(): the order of the steps that build the container's file
 * system view. Everything that mounts onto a path of the container runs
 * before pivot_root, while the host's /proc is still reachable for the
 * "/proc/self/fd/N" paths, so no step depends on the container mounting
 * its own /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/rootfs-internal.h"
#include "runtime/rootfs.h"
#include "util/cleanup.h"

/*
 * Fail unless the caller has its own mount namespace: every step below
 * would otherwise change the host's mount table. /proc/1 is the host's
 * init here, because /proc is still the host's. The check is skipped
 * when /proc/1/ns/mnt cannot be read (EACCES in a user namespace).
 */
static int check_mount_namespace(struct berth_error **err)
{
	struct stat own, host;

	if (stat("/proc/self/ns/mnt", &own) < 0)
		return berth_error_set(err, errno,
				       "read '/proc/self/ns/mnt'; mount /proc");

	if (stat("/proc/1/ns/mnt", &host) < 0)
		return 0;

	if (own.st_dev == host.st_dev && own.st_ino == host.st_ino)
		return berth_error_set(err, EINVAL,
				       "the container init shares the host's "
				       "mount namespace; add a 'mount' "
				       "namespace to linux.namespaces");
	return 0;
}

/*
 * Make every mount a slave of the host's, so mounts made here never
 * propagate back, and make the root a mount point of its own, which
 * pivot_root and MS_MOVE need. A shared rootfsPropagation is applied only
 * after pivot_root, to the container's own tree.
 */
static int prepare_root(const char *rootfs, struct berth_error **err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return berth_error_set(err, errno,
				       "make the mounts slaves of the host's");

	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(
			err, errno, "bind the root '%s' onto itself", rootfs);
	return 0;
}

/*
 * pivot_root(".", ".") stacks the old root on top of the new one, so
 * detaching "." afterwards removes the old root without a directory for
 * it in the container. The old root is made a slave first, so that the
 * detach does not propagate to the host.
 */
static int pivot(int rootfd, struct berth_error **err)
{
	if (fchdir(rootfd) < 0)
		return berth_error_set(err, errno, "change to the root");

	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return berth_error_set(err, errno, "pivot_root");

	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "make the old root a slave");

	if (umount2(".", MNT_DETACH) < 0)
		return berth_error_set(err, errno, "detach the old root");

	if (chdir("/") < 0)
		return berth_error_set(err, errno, "change to '/'");
	return 0;
}

/*
 * The no_pivot path, for a root on a ramfs, where pivot_root fails.
 * NOTE: the host's mounts stay in the namespace below the chroot, and
 * only a missing CAP_SYS_CHROOT keeps the process from reaching them.
 */
static int move_root(int rootfd, struct berth_error **err)
{
	if (fchdir(rootfd) < 0)
		return berth_error_set(err, errno, "change to the root");

	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return berth_error_set(err, errno, "move the root onto '/'");

	if (chroot(".") < 0)
		return berth_error_set(err, errno, "chroot");

	if (chdir("/") < 0)
		return berth_error_set(err, errno, "change to '/'");
	return 0;
}

/* Apply linux.rootfsPropagation, or rprivate when it is unset. */
static int set_propagation(const struct spec *spec, struct berth_error **err)
{
	unsigned long flags = spec->linux.rootfs_propagation;

	if (flags == 0)
		flags = MS_PRIVATE | MS_REC;

	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return berth_error_set(err, errno,
				       "set linux.rootfsPropagation (flags "
				       "0x%lx) on '/'",
				       flags);
	return 0;
}

/* Everything that happens below the root before it becomes "/". */
static int populate_root(const struct spec *spec, int rootfd,
			 const char *console_path, struct berth_error **err)
{
	if (mounts_apply(spec, rootfd, err) < 0 ||
	    devices_setup(spec, rootfd, devices_needed(spec), console_path,
			  err) < 0 ||
	    rootfs_sysctls(spec, err) < 0 ||
	    rootfs_mask_paths(spec, rootfd, err) < 0 ||
	    rootfs_readonly_paths(spec, rootfd, err) < 0)
		return -1;

	/*
	 * Only the root's own mount turns read-only. /proc, /dev and the
	 * other mounts keep their options.
	 */
	if (spec->root_readonly &&
	    rootfs_bind_remount(rootfd, MS_RDONLY, true, err) < 0)
		return berth_error_wrap(err, "make the root read-only");
	return 0;
}

int rootfs_setup(const struct spec *spec, const char *rootfs,
		 const char *console_path, bool no_pivot,
		 struct berth_error **err)
{
	_cleanup_close_ int rootfd = -1;

	if (check_mount_namespace(err) < 0 || prepare_root(rootfs, err) < 0)
		return -1;

	/* Opened after the bind: rootfd is the root of the new mount. */
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_set(err, errno, "open the root '%s'",
				       rootfs);

	if (populate_root(spec, rootfd, console_path, err) < 0)
		return -1;

	if (no_pivot ? move_root(rootfd, err) : pivot(rootfd, err))
		return berth_error_wrap(err, "enter the root '%s'", rootfs);

	return set_propagation(spec, err);
}
