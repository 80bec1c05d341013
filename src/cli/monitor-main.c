/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-monitor: the resident part of a detached container's monitor.
 * berth sets the container up, then execs this small static program,
 * which stays the parent of the container's init:
 *
 *	berth-monitor PID OUT_FD ERR_FD LOG_FD ID DIR STARTED_AT CGROUP \
 *		BERTH ROOT RUNROOT
 *
 * It relays OUT_FD and ERR_FD (-1 for none) to the CRI log LOG_FD,
 * forwards signals to PID and waits for it, writes DIR/exit.json (with
 * the OOM kill count of the cgroup CGROUP), then
 * execs "BERTH --root ROOT --runroot RUNROOT monitor-exit ID" to delete
 * the runtime state and unmount the root file system. It links only
 * libc, so that each running container costs little memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/exit-record.h"
#include "engine/relay.h"
#include "util/error.h"

enum {
	ARG_PID = 1,
	ARG_OUT,
	ARG_ERR,
	ARG_LOG,
	ARG_ID,
	ARG_DIR,
	ARG_STARTED_AT,
	ARG_CGROUP,
	ARG_BERTH,
	ARG_ROOT,
	ARG_RUNROOT,
	ARG_COUNT,
};

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *end == '\0' && v >= -1 && v < 65536 ? (int)v : -2;
}

int main(int argc, char **argv)
{
	struct berth_error *err = NULL;
	char finished_at[40];
	int status = 0, code;
	struct relay r;

	if (argc != ARG_COUNT) {
		fprintf(stderr, "berth-monitor: started by berth only\n");
		return BERTH_EXIT_ENGINE;
	}

	r = (struct relay){
		.pid = (pid_t)strtol(argv[ARG_PID], NULL, 10),
		.out_fd = parse_fd(argv[ARG_OUT]),
		.err_fd = parse_fd(argv[ARG_ERR]),
		.in_fd = -1,
		.input_fd = -1,
		.term_out = -1,
		.term_err = -1,
		.log_fd = parse_fd(argv[ARG_LOG]),
		.console_fd = -1,
	};
	if (r.pid <= 0 || r.out_fd < -1 || r.err_fd < -1 || r.log_fd < -1)
		return BERTH_EXIT_ENGINE;

	if (relay_run(&r, &status, &err) < 0)
		return BERTH_EXIT_ENGINE;

	code = relay_exit_code(status);
	exit_record_now(finished_at, sizeof(finished_at));
	(void)exit_record_write(argv[ARG_DIR], code, argv[ARG_STARTED_AT],
				finished_at,
				exit_record_oom_killed(argv[ARG_CGROUP]));

	/* The next run, if any, gets new pipes and opens the log again. */
	syscall(SYS_close_range, 3U, ~0U, 0);
	execl(argv[ARG_BERTH], "berth", "--root", argv[ARG_ROOT], "--runroot",
	      argv[ARG_RUNROOT], "monitor-exit", argv[ARG_ID], (char *)NULL);
	return BERTH_EXIT_ENGINE;
}
