/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

static const char *log_prog = "berth";
static enum log_level log_max_level = LOG_LEVEL_WARNING;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static int log_fd = -1;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_setup(const char *prog, enum log_level level, enum log_format format,
	       int fd)
{
	if (prog != NULL)
		log_prog = prog;
	log_max_level = level;
	log_fmt = format;
	log_fd = fd;
}

int log_level_parse(const char *s, enum log_level *ret)
{
	if (strcmp(s, "warn") == 0) {
		*ret = LOG_LEVEL_WARNING;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*ret = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

bool log_enabled(enum log_level level)
{
	return level <= log_max_level;
}

static void write_json(enum log_level level, const char *msg, int fd)
{
	char stamp[64];
	struct timespec ts;
	struct tm tm;
	json_t *line;
	char *text;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
		 ".%09ldZ", ts.tv_nsec);

	line = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg",
			 msg, "time", stamp);
	text = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (text == NULL)
		return;
	dprintf(fd, "%s\n", text);
	free(text);
}

void log_write(enum log_level level, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
	va_list ap;

	if (!log_enabled(level))
		return;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);

	if (log_fmt == LOG_FORMAT_JSON) {
		write_json(level, msg, fd);
		return;
	}

	if (level == LOG_LEVEL_ERROR)
		dprintf(fd, "%s: %s\n", log_prog, msg);
	else
		dprintf(fd, "%s: %s: %s\n", log_prog, level_names[level], msg);
}
