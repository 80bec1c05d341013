/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and writing cgroup control files, shared by both backends. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

int cgroup_write(const char *dir, const char *file, const char *value,
		 struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return berth_error_set(err, errno, "write '%s' to '%s'", value,
				       path);

	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berth_error_set(err, errno, "write '%s' to '%s'", value,
				       path);
	if ((size_t)n != len)
		return berth_error_set(err, EIO,
				       "write '%s' to '%s': short "
				       "write",
				       value, path);
	return 0;
}

int cgroup_write_int(const char *dir, const char *file, int64_t value,
		     struct berth_error **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return cgroup_write(dir, file, buf, err);
}

int cgroup_write_uint(const char *dir, const char *file, uint64_t value,
		      struct berth_error **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return cgroup_write(dir, file, buf, err);
}

int cgroup_write_cpuset(const char *dir, const struct spec_cpu *c,
			struct berth_error **err)
{
	if (c->cpus != NULL &&
	    cgroup_write(dir, "cpuset.cpus", c->cpus, err) < 0)
		return -1;

	if (c->mems != NULL &&
	    cgroup_write(dir, "cpuset.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

int cgroup_read(const char *dir, const char *file, char **ret_value,
		struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	char *data = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;

	while (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	*ret_value = data;
	return 0;
}

bool cgroup_file_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);

	return access(path, F_OK) == 0;
}

void cgroup_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
