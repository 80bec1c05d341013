/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"

static void create_usage(FILE *out)
{
	fputs("Usage: berth create [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	      "\n"
	      "Create a container from IMAGE without starting it and print "
	      "its id.\n"
	      "\n"
	      "Options:\n",
	      out);
	cli_print_create_options(out, false);
}

int cmd_create(struct cli_context *ctx, int argc, char **argv)
{
	struct cli_create_args args;
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int r;

	r = cli_parse_create_args("create", false, argc, argv, &args);
	if (r != 0 || args.help) {
		if (r == 0)
			create_usage(stdout);
		cli_create_args_clear(&args);
		return r;
	}

	cli_engine_init(ctx, &engine);
	r = engine_container_create(&engine, &args.opts, &id, &err);
	engine_clear(&engine);
	cli_create_args_clear(&args);
	if (r < 0)
		return cli_fail(&err);

	printf("%s\n", id);
	return 0;
}
