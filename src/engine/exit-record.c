/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/exit-record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void exit_record_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * The times come from exit_record_now() and the code is a number, so
 * nothing in the document needs JSON escaping.
 */
int exit_record_write(const char *dir, int exit_code, const char *started_at,
		      const char *finished_at, bool oom_killed)
{
	char doc[256], tmp[4096], path[4096];
	int fd, len;

	len = snprintf(doc, sizeof(doc),
		       "{\n  \"exit_code\": %d,\n  \"finished_at\": \"%s\",\n"
		       "  \"oom_killed\": %s,\n  \"started_at\": \"%s\"\n}\n",
		       exit_code, finished_at, oom_killed ? "true" : "false",
		       started_at);
	if (len < 0 || (size_t)len >= sizeof(doc) ||
	    (size_t)snprintf(path, sizeof(path), "%s/exit.json", dir) >=
		    sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.exit.json.tmp", dir) >=
		    sizeof(tmp))
		return -ENAMETOOLONG;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;

	if (!write_all(fd, doc, (size_t)len) || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return -e;
	}
	close(fd);

	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return -e;
	}

	/* The rename itself is durable once the directory is synced. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

bool exit_record_oom_killed(const char *cgroup_path)
{
	/* cgroup v1 memory, then cgroup v2 in the hybrid and unified layouts */
	static const char *const files[][2] = {
		{"/sys/fs/cgroup/memory", "memory.oom_control"},
		{"/sys/fs/cgroup/unified", "memory.events"},
		{"/sys/fs/cgroup", "memory.events"},
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256], buf[1024];
		const char *p;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s/%s", files[i][0],
			 cgroup_path, files[i][1]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		p = strstr(buf, "oom_kill ");
		if (p != NULL && strtoul(p + 9, NULL, 10) > 0)
			return true;
	}
	return false;
}
