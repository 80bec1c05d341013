/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_COMMANDS_H
#define BERTH_CLI_COMMANDS_H

/*
 * The berth commands. Each lives in its own file, cli/cmd-NAME.c: it
 * parses its flags with getopt_long ("+" so the first operand ends the
 * options), makes one call into the library and returns the process's
 * exit status. Errors go through cli_fail(), which prints them once.
 * main() hands each command argv with the command name as argv[0];
 * the command sets optind = 0 before its first getopt_long() call.
 */

#include <stdbool.h>

#include "util/error.h"

struct cli_context {
	const char *root;    /* image and container store */
	const char *runroot; /* runtime state, on tmpfs */
	char **argv;	     /* main()'s argv, to re-execute the program */
	const char *exe;     /* this program's path on disk, or NULL */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli_context *ctx, int argc, char **argv);
	const char *summary;
};

/* Print the error with the "berth" prefix and return its exit status. */
int cli_fail(struct berth_error **err);

/* Print "berth NAME: MSG" and a hint to use --help; return 125. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Commands. The table in berth-main.c lists them in the order that
 * "berth --help" shows.
 */
int cmd_run(struct cli_context *ctx, int argc, char **argv);
int cmd_create(struct cli_context *ctx, int argc, char **argv);
int cmd_start(struct cli_context *ctx, int argc, char **argv);
int cmd_stop(struct cli_context *ctx, int argc, char **argv);
int cmd_kill(struct cli_context *ctx, int argc, char **argv);
int cmd_rm(struct cli_context *ctx, int argc, char **argv);
int cmd_ps(struct cli_context *ctx, int argc, char **argv);
int cmd_logs(struct cli_context *ctx, int argc, char **argv);
int cmd_exec(struct cli_context *ctx, int argc, char **argv);
int cmd_wait(struct cli_context *ctx, int argc, char **argv);
int cmd_restart(struct cli_context *ctx, int argc, char **argv);
int cmd_pause(struct cli_context *ctx, int argc, char **argv);
int cmd_unpause(struct cli_context *ctx, int argc, char **argv);
int cmd_rename(struct cli_context *ctx, int argc, char **argv);
int cmd_port(struct cli_context *ctx, int argc, char **argv);
int cmd_top(struct cli_context *ctx, int argc, char **argv);
int cmd_stats(struct cli_context *ctx, int argc, char **argv);
int cmd_events(struct cli_context *ctx, int argc, char **argv);
int cmd_inspect(struct cli_context *ctx, int argc, char **argv);
int cmd_import(struct cli_context *ctx, int argc, char **argv);
int cmd_images(struct cli_context *ctx, int argc, char **argv);
int cmd_rmi(struct cli_context *ctx, int argc, char **argv);
int cmd_tag(struct cli_context *ctx, int argc, char **argv);
int cmd_commit(struct cli_context *ctx, int argc, char **argv);
int cmd_diff(struct cli_context *ctx, int argc, char **argv);
int cmd_export(struct cli_context *ctx, int argc, char **argv);
int cmd_history(struct cli_context *ctx, int argc, char **argv);
int cmd_image(struct cli_context *ctx, int argc, char **argv);
int cmd_volume(struct cli_context *ctx, int argc, char **argv);
int cmd_network(struct cli_context *ctx, int argc, char **argv);
/* "berth network connect" and "disconnect", reached through cmd_network. */
int cmd_network_connect(struct cli_context *ctx, int argc, char **argv);
int cmd_network_disconnect(struct cli_context *ctx, int argc, char **argv);
/* "berth image prune", reached through cmd_image. */
int cmd_image_prune(struct cli_context *ctx, int argc, char **argv);
int cmd_build(struct cli_context *ctx, int argc, char **argv);
int cmd_push(struct cli_context *ctx, int argc, char **argv);
int cmd_pull(struct cli_context *ctx, int argc, char **argv);
int cmd_login(struct cli_context *ctx, int argc, char **argv);
int cmd_logout(struct cli_context *ctx, int argc, char **argv);
int cmd_save(struct cli_context *ctx, int argc, char **argv);
int cmd_load(struct cli_context *ctx, int argc, char **argv);
int cmd_compose(struct cli_context *ctx, int argc, char **argv);
int cmd_healthcheck(struct cli_context *ctx, int argc, char **argv);
int cmd_version(struct cli_context *ctx, int argc, char **argv);

/* Not listed in --help: berth-monitor runs it when a container exited. */
int cmd_monitor_exit(struct cli_context *ctx, int argc, char **argv);

#endif
