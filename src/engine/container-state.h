/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_STATE_H
#define BERTH_ENGINE_CONTAINER_STATE_H

/*
 * Whether a container runs, and how its last run ended.
 *
 * While a container runs, RUNROOT/containers/<id>/monitor.json records
 * its monitor (pid and /proc start time, so a reused pid is not taken
 * for it), the init's pid and the start time. When the init exits the
 * monitor writes ROOT/containers/<id>/exit.json (exit code, times, OOM
 * kill) before it cleans up and exits. The container runs while its
 * monitor lives and exit.json does not describe the current run, or,
 * when the monitor was killed, while the init (pid and start time)
 * lives; a vanished monitor and init (kill -9, reboot) means exited.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "util/error.h"

enum container_status {
	CONTAINER_STATUS_CREATED,
	CONTAINER_STATUS_RUNNING,
	CONTAINER_STATUS_EXITED,
};

struct container_state {
	enum container_status status;
	pid_t monitor_pid;
	unsigned long long monitor_start_time;
	pid_t pid;		       /* the init, 0 unless running */
	unsigned long long start_time; /* the init's, in /proc ticks */
	bool orphaned;		       /* running, but its monitor was killed */
	bool restarting;	       /* running, the monitor is in back-off */
	char started_at[40];	       /* RFC 3339, "" = never started */
	char finished_at[40];	       /* "" = not finished */
	int exit_code;
	bool oom_killed;
};

int container_state_get(const struct engine *engine, const char *id,
			struct container_state *ret, struct berth_error **err);

const char *container_status_name(enum container_status status);

/* Fail with "container NAME is not running". */
int container_not_running(const struct engine *engine, const char *id,
			  struct berth_error **err);

/* Write RUNROOT/containers/<id>/monitor.json for this process. */
int container_state_write_monitor(const char *run_dir, pid_t init_pid,
				  const char *started_at,
				  struct berth_error **err);

/*
 * Record in the container directory dir that its init started, so a
 * container whose runtime state a reboot removed shows as exited, not
 * created. Best effort: a failure only affects that display.
 */
void container_state_mark_started(const char *dir);

/* /proc/PID/stat start time, 0 when the process is gone or a zombie. */
unsigned long long container_pid_start_time(pid_t pid);

/*
 * Wait until the monitor described by state exits (or the init, when
 * the monitor is gone), at most timeout_ms (-1 = forever). Returns 1
 * when it exited, 0 on timeout.
 */
int container_state_wait_monitor(const struct container_state *state,
				 int timeout_ms, struct berth_error **err);

#endif
