/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "compose/read-file.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int read_fd_capped(int fd, const char *name, size_t max, char **ret,
		   size_t *len, struct berth_error **err)
{
	_cleanup_free_ char *buf = xmalloc(max + 2);
	size_t used = 0;

	for (;;) {
		ssize_t n = read(fd, buf + used, max + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read '%s'", name);
		if (n == 0)
			break;
		used += n;
		if (used > max)
			return berth_error_set(err, EFBIG,
					       "'%s' is larger than %zu bytes",
					       name, max);
	}

	buf[used] = '\0';
	*len = used;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_file_capped(const char *path, size_t max, char **ret, size_t *len,
		     struct berth_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	return read_fd_capped(fd, path, max, ret, len, err);
}
