/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_COMPOSE_CLI_H
#define BERTH_CLI_COMPOSE_CLI_H

/* The sub-commands of "berth compose" that run the project. */

#include <stdbool.h>
#include <stddef.h>

#include "cli/commands.h"
#include "compose/compose.h"
#include "compose/orchestrate.h"
#include "engine/engine.h"

/* A loaded project and the engine to run it on. */
struct compose_session {
	struct cli_context *ctx;
	struct compose_project *p;
	struct engine engine;
	bool engine_ready;
	bool pull_insecure; /* --tls-verify=false */
};

/*
 * Load the project, print its warnings and set up the engine (sealed
 * first when seal, for commands that start processes). Returns 0 or the
 * exit status to use.
 */
int compose_session_open(struct cli_context *ctx,
			 const struct compose_load_options *load, bool seal,
			 struct compose_session *s);
void compose_session_close(struct compose_session *s);

/*
 * Print the output of the containers, each line prefixed with its
 * service name and "|", until they all exited (follow) or their logs
 * end. With stop_on_interrupt, SIGINT stops the containers and the
 * output goes on until they exited.
 */
int compose_logs_attach(struct engine *engine,
			const struct compose_container *list, size_t n,
			bool follow, bool stop_on_interrupt,
			struct berth_error **err);

/*
 * Run sub-command argv[0]. Returns the exit status, or -1 when berth
 * compose does not have that sub-command.
 */
int compose_command(struct cli_context *ctx,
		    const struct compose_load_options *load, int argc,
		    char **argv);

/* The sub-commands, each with its argv from the sub-command's name. */
int compose_cmd_up(struct compose_session *s, int argc, char **argv);
int compose_cmd_down(struct compose_session *s, int argc, char **argv);
int compose_cmd_build(struct compose_session *s, int argc, char **argv);
int compose_cmd_run(struct compose_session *s, int argc, char **argv);
int compose_cmd_ps(struct compose_session *s, int argc, char **argv);
int compose_cmd_logs(struct compose_session *s, int argc, char **argv);
int compose_cmd_start(struct compose_session *s, int argc, char **argv);
int compose_cmd_stop(struct compose_session *s, int argc, char **argv);
int compose_cmd_restart(struct compose_session *s, int argc, char **argv);
int compose_cmd_exec(struct compose_session *s, int argc, char **argv);
int compose_cmd_pull(struct compose_session *s, int argc, char **argv);
int compose_cmd_push(struct compose_session *s, int argc, char **argv);

/* Pull the image of one service; a compose_image_fn. */
int compose_pull_service(void *data, const struct compose_project *p,
			 const struct compose_service *svc, const char *image,
			 struct berth_error **err);

/* Build the image of one service in a child process; a compose_image_fn. */
int compose_build_service(void *data, const struct compose_project *p,
			  const struct compose_service *svc, const char *tag,
			  struct berth_error **err);

#endif
