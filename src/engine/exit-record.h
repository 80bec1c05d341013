/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_EXIT_RECORD_H
#define BERTH_ENGINE_EXIT_RECORD_H

/*
 * DIR/exit.json, how the last run of a container ended:
 *
 *	{"exit_code": 0, "started_at": "...", "finished_at": "...",
 *	 "oom_killed": false}
 *
 * Written by the monitor with libc alone, because the small monitor
 * program links nothing else.
 */

#include <stdbool.h>
#include <stddef.h>

/* Write DIR/exit.json atomically (temp file, fsync, rename). */
int exit_record_write(const char *dir, int exit_code, const char *started_at,
		      const char *finished_at, bool oom_killed);

/*
 * Whether the kernel OOM-killed a process of the cgroup cgroup_path
 * (linux.cgroupsPath, such as "/berth/<id>").
 */
bool exit_record_oom_killed(const char *cgroup_path);

/* The current time in RFC 3339 with nanoseconds, UTC, into buf. */
void exit_record_now(char *buf, size_t size);

#endif
