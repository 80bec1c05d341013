/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth pause" and "berth unpause": the cgroup freezer. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"

static int pause_one(struct engine *engine, const char *id, void *data,
		     struct berth_error **err)
{
	return engine_container_pause(engine, id, *(bool *)data, err);
}

static int pause_command(struct cli_context *ctx, const char *name, bool paused,
			 int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c != 'h')
			return cli_option_error(name, c, argv);
		printf("Usage: berth %s CONTAINER...\n"
		       "\n"
		       "%s every process of running containers and print "
		       "their names.\n",
		       name, paused ? "Freeze" : "Thaw");
		return 0;
	}

	if (optind >= argc)
		return cli_usage_error(name, "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      pause_one, &paused, true);
}

int cmd_pause(struct cli_context *ctx, int argc, char **argv)
{
	return pause_command(ctx, "pause", true, argc, argv);
}

int cmd_unpause(struct cli_context *ctx, int argc, char **argv)
{
	return pause_command(ctx, "unpause", false, argc, argv);
}
