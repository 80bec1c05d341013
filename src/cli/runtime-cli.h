/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_RUNTIME_CLI_H
#define BERTH_CLI_RUNTIME_CLI_H

/*
 * berth-runtime, an OCI runtime with runc's command line. Each command
 * gets argv with its own name as argv[0], parses its flags with
 * getopt_long and returns the exit status: 0, or 1 for a failure as
 * runc does ("run" and "exec" return the container process's status).
 */

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

struct rt_context {
	const char *root; /* state root, runc's --root */
	bool debug;
};

/* Report the error on stderr and in the --log file; return 1. */
int rt_fail(struct berth_error **err);

/* Like rt_fail(), but return the error's own status (126, 127) if set. */
int rt_fail_status(struct berth_error **err);

/* Print "berth-runtime CMD: MSG" and a --help hint; return 1. */
int rt_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Pass SIGTERM, SIGINT, SIGHUP and the like on to pid. */
void rt_forward_signals(pid_t pid);

/* Wait for the child pid; return its exit status, or 128 + signal. */
int rt_wait_exit_status(pid_t pid);

/* Check that exactly "want" operands remain after the flags. */
int rt_operands(const char *command, int argc, int want);

int rt_cmd_create(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_start(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_run(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_state(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_kill(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_delete(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_pause(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_resume(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_list(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_ps(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_exec(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_spec(struct rt_context *ctx, int argc, char **argv);
int rt_cmd_features(struct rt_context *ctx, int argc, char **argv);

#endif
