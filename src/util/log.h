/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_LOG_H
#define BERTH_UTIL_LOG_H

/*
 * Diagnostics for people and for container managers. Commands print
 * errors themselves (see error.h); this is for warnings and debug
 * output. The runtime CLI can switch to JSON lines
 * {"level":..,"msg":..,"time":..} written to a --log file, the format
 * containerd and podman read from runc.
 */

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/* Set the program name, level and destination; fd -1 means stderr. */
void log_setup(const char *prog, enum log_level level, enum log_format format,
	       int fd);

/* Parse "error", "warning"/"warn", "info" or "debug". */
int log_level_parse(const char *s, enum log_level *ret);

bool log_enabled(enum log_level level);

void log_write(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_write(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                           \
	do {                                                     \
		if (log_enabled(LOG_LEVEL_DEBUG))                \
			log_write(LOG_LEVEL_DEBUG, __VA_ARGS__); \
	} while (0)

#endif
