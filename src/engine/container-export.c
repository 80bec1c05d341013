/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container-config.h"
#include "engine/container-image.h"
#include "engine/container-store.h"
#include "engine/overlay.h"
#include "image/layer-writer.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/xalloc.h"

/* A running container has its overlay mounted on DIR/rootfs. */
static bool rootfs_mounted(const char *rootfs)
{
	_cleanup_free_ char *parent = NULL;
	struct stat st, pst;

	xasprintf(&parent, "%s/..", rootfs);
	if (stat(rootfs, &st) < 0 || stat(parent, &pst) < 0)
		return false;
	return st.st_dev != pst.st_dev;
}

static int export_tree(const char *rootfs, int out_fd, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", rootfs);
	return layer_write_tar(fd, out_fd, 0, LAYER_NO_TIMESTAMP, NULL, err);
}

int engine_container_export(struct engine *engine, const char *id, int out_fd,
			    struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_container_config_ struct container_config *c = NULL;
	_cleanup_lock_ int lock = -1;
	bool mounted;
	int r;

	/* The lock keeps a start from using the overlay mounted here. */
	if (container_config_load(dir, &c, err) < 0 ||
	    container_lock(engine, id, &lock, err) < 0)
		return -1;

	rootfs = fs_path_join(dir, "rootfs");
	mounted = rootfs_mounted(rootfs);
	if (!mounted && overlay_mount(dir, c->lowerdir, err) < 0)
		return berth_error_wrap(err, "export container '%s'", c->name);

	r = export_tree(rootfs, out_fd, err);
	if (!mounted && overlay_unmount(dir, r < 0 ? NULL : err) < 0)
		r = -1;
	if (r < 0)
		return berth_error_wrap(err, "export container '%s'", c->name);
	return 0;
}
