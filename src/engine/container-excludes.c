/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-excludes.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/container-image.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

char *const engine_mount_targets[] = {
	"etc/hostname",
	"etc/hosts",
	"etc/resolv.conf",
	NULL,
};

/*
 * Directories the runtime creates as mount points when the image lacks
 * them. "etc" is the parent of the mount targets above.
 */
static const char *const mount_point_dirs[] = {"etc", "proc", "sys", "dev"};

char **container_lowers(const char *lowerdir)
{
	char **dirs = xzalloc(sizeof(char *));
	const char *p = lowerdir != NULL ? lowerdir : "";

	while (*p != '\0') {
		size_t len = strcspn(p, ":");

		if (len > 0)
			strv_push_take(&dirs, xstrndup(p, len));
		p += len;
		if (*p == ':')
			p++;
	}
	return dirs;
}

/*
 * True when a top-level name is in the merged lower layers. The highest
 * layer that has it decides, and a whiteout there means removed.
 */
static bool in_lowers(char *const *lowers, const char *name)
{
	for (size_t i = 0; lowers != NULL && lowers[i] != NULL; i++) {
		_cleanup_free_ char *path = fs_path_join(lowers[i], name);
		struct stat st;

		if (lstat(path, &st) < 0)
			continue;
		return !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	}
	return false;
}

/* True for an empty directory, not counting the entries in excludes. */
static bool empty_dir(const char *upper, const char *name,
		      char *const *excludes)
{
	_cleanup_free_ char *path = fs_path_join(upper, name);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return false;
	}

	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = fs_path_join(name, de->d_name);
		if (!strv_contains(excludes, child))
			return false;
	}
	return true;
}

char **container_change_excludes(const char *upper, char *const *lowers)
{
	char **excludes = strv_copy(engine_mount_targets);

	for (size_t i = 0; i < ARRAY_SIZE(mount_point_dirs); i++) {
		const char *name = mount_point_dirs[i];

		if (!in_lowers(lowers, name) &&
		    empty_dir(upper, name, excludes))
			strv_push(&excludes, name);
	}
	return excludes;
}
