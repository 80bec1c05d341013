/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/volume.h"
#include "util/cleanup.h"

static void run_usage(FILE *out)
{
	fputs("Usage: berth run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	      "\n"
	      "Create a container from IMAGE and start it. In the "
	      "foreground, berth relays\n"
	      "its output and signals and exits with its exit status; 125 "
	      "means berth\n"
	      "failed, 126 the command cannot be executed, 127 it was not "
	      "found.\n"
	      "\n"
	      "Options:\n",
	      out);
	cli_print_create_options(out, true);
}

/* With --rm, a container that failed to start is removed as well. */
static int fail_and_remove(struct engine *engine, const char *id,
			   bool auto_remove, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *rm_err = NULL;

	if (auto_remove)
		(void)volume_container_remove(engine, id, true, true, &rm_err);
	return cli_fail(err);
}

static int run_container(struct engine *engine, struct cli_create_args *a)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	int status = 0;

	if (engine_container_create(engine, &a->opts, &id, &err) < 0)
		return cli_fail(&err);

	if (a->detach) {
		if (engine_container_start(engine, id, &err) < 0)
			return fail_and_remove(engine, id, a->opts.auto_remove,
					       &err);
		printf("%s\n", id);
		return 0;
	}

	fflush(stdout);
	if (engine_container_run_attached(engine, id, &status, &err) < 0)
		return fail_and_remove(engine, id, a->opts.auto_remove, &err);
	return status;
}

int cmd_run(struct cli_context *ctx, int argc, char **argv)
{
	struct cli_create_args args;
	struct berth_error *err = NULL;
	struct engine engine;
	int r;

	r = cli_parse_create_args("run", true, argc, argv, &args);
	if (r != 0 || args.help) {
		if (r == 0)
			run_usage(stdout);
		cli_create_args_clear(&args);
		return r;
	}

	/* A detached container's terminal takes no input from here. */
	if (!args.detach)
		r = cli_check_input_tty("run", args.opts.interactive,
					args.opts.tty);
	/* The monitor of an attached run is this command, which ends. */
	if (r == 0 && !args.detach && args.opts.restart != NULL &&
	    strcmp(args.opts.restart, "no") != 0)
		r = cli_usage_error("run", "--restart needs --detach (-d)");
	if (r == 0 && cli_ensure_sealed(ctx, &err) < 0)
		r = cli_fail(&err);
	if (r != 0) {
		cli_create_args_clear(&args);
		return r;
	}

	cli_engine_init(ctx, &engine);
	r = run_container(&engine, &args);
	engine_clear(&engine);
	cli_create_args_clear(&args);
	return r;
}
