/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_HUMAN_H
#define BERTH_CLI_HUMAN_H

/* Sizes and ages for tables, worded as the docker CLI words them. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "74.8MB": decimal units, three significant digits. */
void human_size(int64_t bytes, char *buf, size_t size);

/* "2 minutes", "About an hour", "3 weeks": the time elapsed since then. */
void human_duration(time_t then, time_t now, char *buf, size_t size);

/* Parse an RFC 3339 UTC time ("2024-05-01T10:00:00.123Z"); -1 if invalid. */
time_t human_parse_rfc3339(const char *s);

#endif
