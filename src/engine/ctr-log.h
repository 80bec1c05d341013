/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CTR_LOG_H
#define BERTH_ENGINE_CTR_LOG_H

/*
 * Container logs in the CRI log format that kubelet and crictl read,
 * one entry per line:
 *
 *	2024-05-01T10:00:00.123456789Z stdout F hello
 *
 * "F" ends a line of output. "P" marks a part of a line whose rest
 * follows in the next entry, so a reader restores the output byte for
 * byte by adding '\n' after F entries only. The writer uses a fixed
 * buffer and no heap, because it runs in the monitor.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/error.h"

enum ctr_log_stream {
	CTR_LOG_STDOUT,
	CTR_LOG_STDERR,
};

/* Append entries for data read from stream: one per line or part. */
void ctr_log_write(int fd, enum ctr_log_stream stream, const char *data,
		   size_t len);

/* One entry of a log file. */
struct ctr_log_entry {
	struct timespec time;
	char timestamp[40]; /* as written */
	enum ctr_log_stream stream;
	bool partial;
	const char *content; /* points into the parsed line */
	size_t len;
};

/* Parse one line (without its '\n'). Returns -1 on a malformed line. */
int ctr_log_parse_line(const char *line, size_t len, struct ctr_log_entry *ret);

#endif
