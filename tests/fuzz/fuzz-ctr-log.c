/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the CRI log line parser that "berth logs" runs over ctr.log.
 * An accepted entry's content must lie inside the line, and writing a
 * line of output and parsing it back must return the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/ctr-log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const uint8_t *data, size_t size)
{
	char buf[65536];
	struct ctr_log_entry e;
	const char *nl;
	int fds[2];
	ssize_t n;

	/* One line without '\n' that fits the pipe and the writer's buffer. */
	if (size > 8192 || memchr(data, '\n', size) != NULL || pipe(fds) < 0)
		return;

	ctr_log_write(fds[1], CTR_LOG_STDERR, (const char *)data, size);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	if (size == 0)
		return;
	if (n <= 0)
		abort();

	nl = memchr(buf, '\n', (size_t)n);
	if (nl == NULL || ctr_log_parse_line(buf, (size_t)(nl - buf), &e) < 0)
		abort();
	if (e.stream != CTR_LOG_STDERR || !e.partial || e.len != size ||
	    memcmp(e.content, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_log_entry e;

	if (ctr_log_parse_line((const char *)data, size, &e) == 0) {
		if (e.content < (const char *)data ||
		    e.content + e.len != (const char *)data + size)
			abort();
		if (e.time.tv_nsec < 0 || e.time.tv_nsec > 999999999)
			abort();
	}

	check_round_trip(data, size);
	return 0;
}
