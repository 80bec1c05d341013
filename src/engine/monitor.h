/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_MONITOR_H
#define BERTH_ENGINE_MONITOR_H

/*
 * The container monitor: the parent of the container's init for its
 * whole life. Calling sequence, in monitor_run():
 *
 *	mount the overlay on DIR/rootfs, open DIR/ctr.log
 *	runtime_create() with pipes (or a terminal) as stdio
 *	runtime_start(), write RUNROOT/containers/<id>/monitor.json
 *	report "started" (detached: over report_fd)
 *	detached: exec berth-monitor, which goes on from here
 *	relay output to the log until the init exits
 *	write DIR/exit.json, runtime_delete(), unmount, remove the run dir
 *	remove the container too when it was created with --rm
 *
 * A detached monitor is its own session leader and a child subreaper,
 * holds no lock and no descriptor but its pipes and the log. It never
 * returns an error after "started": it records what it can and exits.
 *
 * The report over report_fd is one struct monitor_report written in a
 * single write(2): status 0 means started, otherwise the exit status
 * the starting command should use with the message.
 */

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/error.h"

struct monitor_report {
	int32_t status;
	int32_t errnum;
	char msg[1024];
};

/*
 * Start the container and supervise it until it exits. With attached,
 * also copy its output to this process's stdout and stderr and forward
 * stdin (when the container is interactive) and signals. The lock
 * *start_lock (may be NULL) is released once the container started or
 * failed to. Returns the container's exit code in *ret_exit_code.
 */
int monitor_run(struct engine *engine, const char *id, bool attached,
		int report_fd, int *start_lock, int *ret_exit_code,
		struct berth_error **err);

/*
 * After the container's init exited and exit.json is written: delete
 * the runtime state, unmount the overlay, remove the run directory and,
 * for --rm, the container. "berth monitor-exit" calls this for the
 * small berth-monitor program.
 */
int monitor_finish(struct engine *engine, const char *id,
		   struct berth_error **err);

#endif
