/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SELF_NETNS "/proc/thread-self/ns/net"

/* Unshare a namespace in this thread, bind it at path, and come back. */
static int bind_new_netns(const char *path, struct berth_error **err)
{
	_cleanup_close_ int saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (saved < 0)
		return berth_error_set(err, errno, "open '%s'", SELF_NETNS);
	if (unshare(CLONE_NEWNET) < 0)
		return berth_error_set(err, errno, "create network namespace");

	if (mount(SELF_NETNS, path, NULL, MS_BIND, NULL) < 0)
		r = berth_error_set(err, errno,
				    "bind network namespace on '%s'", path);

	if (setns(saved, CLONE_NEWNET) < 0)
		abort(); /* running on in the wrong namespace would be worse */
	return r;
}

int net_netns_create(const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	/* A monitor killed before its cleanup may have left one. */
	if (net_netns_remove(path, err) < 0)
		return -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return berth_error_set(err, errno, "create '%s'", path);

	if (bind_new_netns(path, err) < 0) {
		(void)unlink(path);
		return -1;
	}
	return 0;
}

int net_netns_remove(const char *path, struct berth_error **err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berth_error_set(err, errno, "unmount '%s'", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '%s'", path);
	return 0;
}
