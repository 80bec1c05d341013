/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "util/log.h"

void layer_entry_times(struct archive_entry *entry, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(entry);
	ts[1].tv_nsec = archive_entry_mtime_nsec(entry);
	if (archive_entry_atime_is_set(entry)) {
		ts[0].tv_sec = archive_entry_atime(entry);
		ts[0].tv_nsec = archive_entry_atime_nsec(entry);
	} else {
		ts[0] = ts[1];
	}
}

/*
 * Xattrs in the overlay namespaces could redirect or hide paths of the
 * overlay mount. That is trusted.overlay.*, and user.overlay.* for
 * mounts with "userxattr"; berth sets the one it needs itself.
 */
static bool xattr_allowed(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) != 0 &&
	       strncmp(name, "user.overlay.", 13) != 0;
}

static int xattr_error(const char *name, bool by_path, struct berth_error **err)
{
	/*
	 * A file system without xattr support cannot store them at all,
	 * and the kernel allows user.* xattrs only on regular files and
	 * directories, never on the symlinks and nodes set by path.
	 */
	if (errno == ENOTSUP ||
	    (by_path && errno == EPERM && strncmp(name, "user.", 5) == 0)) {
		log_debug("xattr '%s' cannot be stored here, ignoring", name);
		return 0;
	}
	return berth_error_set(err, errno, "set xattr '%s'", name);
}

/* Set the entry's xattrs on fd, or on path when fd is -1. */
static int apply_xattrs(int fd, const char *path, struct archive_entry *entry,
			struct berth_error **err)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(entry);
	while (archive_entry_xattr_next(entry, &name, &value, &size) ==
	       ARCHIVE_OK) {
		int r;

		if (name == NULL || !xattr_allowed(name))
			continue;

		if (fd >= 0)
			r = fsetxattr(fd, name, value, size, 0);
		else
			r = lsetxattr(path, name, value, size, 0);
		if (r < 0 && xattr_error(name, fd < 0, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Ownership comes before the mode, because chown clears setuid and
 * setgid bits, and before the xattrs, because it also drops
 * security.capability.
 */
int layer_apply_fd(int fd, struct archive_entry *entry, bool times,
		   struct berth_error **err)
{
	struct timespec ts[2];

	if (fchown(fd, archive_entry_uid(entry), archive_entry_gid(entry)) < 0)
		return berth_error_set(err, errno, "change owner");

	if (fchmod(fd, archive_entry_mode(entry) & 07777) < 0)
		return berth_error_set(err, errno, "change mode");

	if (apply_xattrs(fd, NULL, entry, err) < 0)
		return -1;

	if (!times)
		return 0;

	layer_entry_times(entry, ts);
	if (futimens(fd, ts) < 0)
		return berth_error_set(err, errno, "set times");
	return 0;
}

/* For entries that cannot be opened: symlinks, devices, fifos. */
int layer_apply_at(int dir_fd, const char *name, struct archive_entry *entry,
		   struct berth_error **err)
{
	char path[64 + NAME_MAX];
	struct timespec ts[2];

	if (fchownat(dir_fd, name, archive_entry_uid(entry),
		     archive_entry_gid(entry), AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "change owner");

	/* fchmodat follows symlinks, and a symlink's own mode is unused. */
	if (archive_entry_filetype(entry) != AE_IFLNK &&
	    fchmodat(dir_fd, name, archive_entry_mode(entry) & 07777, 0) < 0)
		return berth_error_set(err, errno, "change mode");

	/*
	 * There is no lsetxattrat(); the parent is reached through its
	 * descriptor in /proc, and lsetxattr() does not follow the last
	 * component.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir_fd, name);
	if (apply_xattrs(-1, path, entry, err) < 0)
		return -1;

	layer_entry_times(entry, ts);
	if (utimensat(dir_fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "set times");
	return 0;
}
