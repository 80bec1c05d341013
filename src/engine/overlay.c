/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/overlay.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* True when path is a mount point: its device differs from its parent's. */
static bool is_mount_point(const char *path)
{
	_cleanup_free_ char *parent = NULL;
	struct stat st, pst;

	xasprintf(&parent, "%s/..", path);
	if (stat(path, &st) < 0 || stat(parent, &pst) < 0)
		return false;
	return st.st_dev != pst.st_dev;
}

/* Overlay options separate with ',' and lowerdirs with ':'. */
static int check_path(const char *path, struct berth_error **err)
{
	if (strpbrk(path, ",:") != NULL)
		return berth_error_set(err, 0,
				       "path '%s' contains ',' or ':', which "
				       "overlay mount options cannot hold; "
				       "use a --root without them",
				       path);
	return 0;
}

int overlay_lowerdir(char **dirs, char **ret, struct berth_error **err)
{
	_cleanup_free_ char *joined = xstrdup("");

	if (dirs == NULL || dirs[0] == NULL)
		return berth_error_set(err, 0, "the image has no layers");

	for (size_t i = 0; dirs[i] != NULL; i++) {
		char *next;

		if (check_path(dirs[i], err) < 0)
			return -1;
		xasprintf(&next, "%s%s%s", joined, i > 0 ? ":" : "", dirs[i]);
		free(joined);
		joined = next;
	}

	*ret = TAKE_PTR(joined);
	return 0;
}

int overlay_mount(const char *dir, const char *lowerdir,
		  struct berth_error **err)
{
	_cleanup_free_ char *target = fs_path_join(dir, "rootfs");
	_cleanup_free_ char *options = NULL;

	if (check_path(dir, err) < 0)
		return -1;

	if (is_mount_point(target))
		return 0;

	xasprintf(&options, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
		  lowerdir, dir, dir);
	/* TODO: past one page of options, mount with fsconfig(2) instead. */
	if (strlen(options) >= (size_t)getpagesize())
		return berth_error_set(err, E2BIG,
				       "overlay options for '%s' exceed one "
				       "page: the image has too many layers",
				       target);

	if (mount("overlay", target, "overlay", 0, options) < 0)
		return berth_error_set(err, errno, "mount overlay on '%s'",
				       target);
	return 0;
}

int overlay_unmount(const char *dir, struct berth_error **err)
{
	_cleanup_free_ char *target = fs_path_join(dir, "rootfs");

	while (is_mount_point(target)) {
		if (umount2(target, UMOUNT_NOFOLLOW) == 0)
			continue;
		if (errno == EINVAL || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return berth_error_set(err, errno, "unmount '%s'",
					       target);
		/* A process still inside keeps it busy: detach it lazily. */
		if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return berth_error_set(err, errno, "unmount '%s'",
					       target);
	}
	return 0;
}
