/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static int acquire(const char *path, enum lock_mode mode, bool wait,
		   int *ret_fd, struct berth_error **err)
{
	int op = mode == LOCK_MODE_SHARED ? LOCK_SH : LOCK_EX;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_error_set(err, errno, "open lock file '%s'", path);

	if (!wait)
		op |= LOCK_NB;

	while (flock(fd, op) < 0) {
		int saved = errno;

		if (saved == EINTR)
			continue;
		close(fd);
		return berth_error_set(err, saved, "lock '%s'", path);
	}

	*ret_fd = fd;
	return 0;
}

int lock_acquire(const char *path, enum lock_mode mode, int *ret_fd,
		 struct berth_error **err)
{
	return acquire(path, mode, true, ret_fd, err);
}

int lock_try_acquire(const char *path, enum lock_mode mode, int *ret_fd,
		     struct berth_error **err)
{
	return acquire(path, mode, false, ret_fd, err);
}

void lock_release(int *fd)
{
	if (*fd < 0)
		return;

	/* Closing the last descriptor of the open file drops the lock. */
	close(*fd);
	*fd = -1;
}
