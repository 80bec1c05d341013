/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading ctr.log back: "berth logs" with --tail, -t and -f. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/ctr-log.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* How often -f looks for new output, in milliseconds. */
#define FOLLOW_INTERVAL_MS 100

struct log_reader {
	const struct engine_logs_options *opts;
	int out_fd;
	int err_fd;
	bool line_started[2]; /* a P entry left its line open */
};

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void emit(struct log_reader *r, const char *line, size_t len)
{
	struct ctr_log_entry e;
	int fd;

	if (ctr_log_parse_line(line, len, &e) < 0)
		return;

	fd = e.stream == CTR_LOG_STDOUT ? r->out_fd : r->err_fd;
	if (r->opts->timestamps && !r->line_started[e.stream]) {
		write_all(fd, e.timestamp, strlen(e.timestamp));
		write_all(fd, " ", 1);
	}
	write_all(fd, e.content, e.len);
	if (!e.partial)
		write_all(fd, "\n", 1);
	r->line_started[e.stream] = e.partial;
}

/* Offset of the start of the last n output lines (F entries) in data. */
static size_t tail_offset(const char *data, size_t len, long n)
{
	size_t pos = len;

	if (n < 0)
		return 0;

	while (pos > 0) {
		size_t end = pos - 1; /* the '\n' ending the entry before pos */
		size_t start = end;
		struct ctr_log_entry e;

		while (start > 0 && data[start - 1] != '\n')
			start--;
		if (ctr_log_parse_line(data + start, end - start, &e) == 0 &&
		    !e.partial) {
			if (n == 0)
				return pos;
			n--;
		}
		pos = start;
	}
	return 0;
}

/* Emit every complete entry in data; returns the bytes consumed. */
static size_t emit_lines(struct log_reader *r, const char *data, size_t len)
{
	size_t pos = 0;

	for (;;) {
		const char *nl = memchr(data + pos, '\n', len - pos);

		if (nl == NULL)
			return pos;
		emit(r, data + pos, (size_t)(nl - (data + pos)));
		pos = (size_t)(nl - data) + 1;
	}
}

static bool still_running(struct engine *engine, const char *id)
{
	struct container_state s;

	return container_state_get(engine, id, &s, NULL) == 0 &&
	       s.status == CONTAINER_STATUS_RUNNING;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int follow(struct engine *engine, const char *id, int fd,
		  struct log_reader *r, struct berth_error **err)
{
	char buf[65536];
	size_t have = 0;

	for (;;) {
		bool running = still_running(engine, id);
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t used;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read the log");

		have += (size_t)n;
		used = emit_lines(r, buf, have);
		/* An entry longer than the buffer cannot be valid: drop it. */
		if (used == 0 && have == sizeof(buf))
			used = have;
		memmove(buf, buf + used, have - used);
		have -= used;

		if (n == 0 && !running)
			return 0;
		if (n == 0)
			sleep_ms(FOLLOW_INTERVAL_MS);
	}
}

int engine_container_logs(struct engine *engine, const char *id,
			  const struct engine_logs_options *opts, int out_fd,
			  int err_fd, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *path = fs_path_join(dir, "ctr.log");
	_cleanup_free_ char *data = NULL;
	_cleanup_close_ int fd = -1;
	struct log_reader r = {
		.opts = opts, .out_fd = out_fd, .err_fd = err_fd};
	size_t len = 0, start, used;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "open '%s'", path);

	/* A container that never ran has no log yet. */
	if (fd < 0)
		return 0;

	if (fs_read_all(fd, &data, &len, err) < 0)
		return -1;

	start = tail_offset(data, len, opts->tail);
	used = emit_lines(&r, data + start, len - start);
	if (!opts->follow)
		return 0;

	/* Go on from the first byte not emitted yet. */
	if (lseek(fd, (off_t)(start + used), SEEK_SET) < 0)
		return berth_error_set(err, errno, "seek in '%s'", path);
	return follow(engine, id, fd, &r, err);
}
