/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "cgroup" mount type of config.json. With a cgroup namespace the
 * kernel roots a new cgroup or cgroup2 mount at the namespace's cgroup,
 * so the file systems are mounted directly. Without one a new mount
 * would show the host's whole tree, so the init's own cgroup directory
 * (read from /proc/self/cgroup: the init is already in its cgroup) is
 * bound instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MOUNT_FLAGS (~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT))
#define CGROUP_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* "cpu,cpuacct" for a v1 hierarchy, "systemd" for name=systemd. */
static char *hierarchy_name(const struct cgroup_hierarchy *h)
{
	char *name = NULL;

	if (h->controllers == NULL)
		return xstrdup("unified");

	for (size_t i = 0; h->controllers[i] != NULL; i++) {
		const char *c = h->controllers[i];
		char *joined = NULL;

		if (strncmp(c, "name=", 5) == 0)
			c += 5;
		xasprintf(&joined, "%s%s%s", name != NULL ? name : "",
			  name != NULL ? "," : "", c);
		free(name);
		name = joined;
	}
	return name;
}

/* The mount(2) data of a v1 hierarchy: its controllers joined by ','. */
static char *hierarchy_data(const struct cgroup_hierarchy *h)
{
	char *data = NULL;

	for (size_t i = 0; h->controllers[i] != NULL; i++) {
		char *joined = NULL;

		xasprintf(&joined, "%s%s%s", data != NULL ? data : "",
			  data != NULL ? "," : "", h->controllers[i]);
		free(data);
		data = joined;
	}
	return data;
}

static int bind_hierarchy(const struct cgroup_hierarchy *h, int dirfd,
			  const char *name, unsigned long flags,
			  struct berth_error **err)
{
	_cleanup_free_ char *source = fs_path_join(h->mount, h->own);
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int top = -1;

	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", name);

	path = rootfs_fd_path(fd);
	if (mount(source, path, NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno, "bind '%s'", source);

	top = openat(dirfd, name,
		     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0)
		return berth_error_set(err, errno, "open '%s'", name);

	return rootfs_bind_remount(top, flags, !(flags & CGROUP_ATIME_FLAGS),
				   err);
}

static int mount_hierarchy(const struct cgroup_hierarchy *h, int dirfd,
			   const char *name, unsigned long flags,
			   struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	const char *type = h->controllers == NULL ? "cgroup2" : "cgroup";

	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", name);

	if (h->controllers != NULL)
		data = hierarchy_data(h);

	path = rootfs_fd_path(fd);
	if (mount(type, path, type, flags, data) < 0)
		return berth_error_set(err, errno, "mount %s '%s'", type,
				       data != NULL ? data : name);
	return 0;
}

/* Let "cpu" and "cpuacct" lead to "cpu,cpuacct", as on the host. */
static int link_controllers(const struct cgroup_hierarchy *h, int dirfd,
			    const char *name, struct berth_error **err)
{
	if (h->controllers == NULL || h->controllers[1] == NULL)
		return 0;

	for (size_t i = 0; h->controllers[i] != NULL; i++) {
		const char *c = h->controllers[i];

		if (strncmp(c, "name=", 5) == 0)
			continue;
		if (symlinkat(name, dirfd, c) < 0 && errno != EEXIST)
			return berth_error_set(err, errno,
					       "create symlink '%s'", c);
	}
	return 0;
}

static int add_hierarchy(const struct cgroup_hierarchy *h, int dirfd,
			 bool own_ns, unsigned long flags,
			 struct berth_error **err)
{
	_cleanup_free_ char *name = hierarchy_name(h);
	int r;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create directory '%s'",
				       name);

	if (own_ns)
		r = mount_hierarchy(h, dirfd, name, flags, err);
	else
		r = bind_hierarchy(h, dirfd, name, flags, err);
	if (r < 0)
		return -1;

	return link_controllers(h, dirfd, name, err);
}

/* v1 and hybrid: a tmpfs that contains one mount per hierarchy. */
static int mount_v1(const struct cgroup_layout *l, int rootfd, const char *dest,
		    bool own_ns, unsigned long flags, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int dir = -1;
	_cleanup_free_ char *path = NULL;
	unsigned long tmpfs_flags = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);

	fd = rootfs_open_dest(rootfd, dest, false, err);
	if (fd < 0)
		return -1;

	path = rootfs_fd_path(fd);
	if (mount("tmpfs", path, "tmpfs", tmpfs_flags, "mode=755") < 0)
		return berth_error_set(err, errno, "mount tmpfs");

	dir = fs_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, 0, err);
	if (dir < 0)
		return -1;

	for (size_t i = 0; i < l->n; i++) {
		if (add_hierarchy(&l->hierarchies[i], dir, own_ns, flags, err) <
		    0)
			return -1;
	}

	if (!(flags & MS_RDONLY))
		return 0;
	return rootfs_bind_remount(dir, tmpfs_flags | MS_RDONLY, true, err);
}

static int mount_v2(const struct cgroup_layout *l, int rootfd, const char *dest,
		    bool own_ns, unsigned long flags, struct berth_error **err)
{
	const struct cgroup_hierarchy *h = &l->hierarchies[0];
	_cleanup_free_ char *source = fs_path_join(h->mount, h->own);
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int top = -1;

	fd = rootfs_open_dest(rootfd, dest, false, err);
	if (fd < 0)
		return -1;

	path = rootfs_fd_path(fd);
	if (own_ns) {
		if (mount("cgroup2", path, "cgroup2", flags, NULL) < 0)
			return berth_error_set(err, errno, "mount cgroup2");
		return 0;
	}

	if (mount(source, path, NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno, "bind '%s'", source);

	top = fs_open_in_root(rootfd, dest, O_PATH, 0, err);
	if (top < 0)
		return -1;
	return rootfs_bind_remount(top, flags, !(flags & CGROUP_ATIME_FLAGS),
				   err);
}

int mounts_cgroup(const struct spec *spec, int rootfd,
		  const struct spec_mount *m, const struct mount_options *o,
		  struct berth_error **err)
{
	bool own_ns = spec_find_namespace(spec, CLONE_NEWCGROUP) != NULL;
	unsigned long flags = o->flags & MOUNT_FLAGS;
	struct cgroup_layout l;
	int r;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	if (l.mode == CGROUP_MODE_V2)
		r = mount_v2(&l, rootfd, m->destination, own_ns, flags, err);
	else
		r = mount_v1(&l, rootfd, m->destination, own_ns, flags, err);

	cgroup_layout_clear(&l);
	return r;
}
