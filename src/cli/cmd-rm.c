/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"

static void rm_usage(FILE *out)
{
	fputs("Usage: berth rm [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Remove containers: their files, logs, mounts and runtime "
	      "state. Prints the\n"
	      "names given.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --force     kill a running container first\n"
	      "  -v, --volumes   accepted for Docker's sake: berth makes no "
	      "anonymous\n"
	      "                  volumes, so there is nothing more to remove\n"
	      "  -h, --help      show this help\n",
	      out);
}

static int rm_one(struct engine *engine, const char *id, void *data,
		  struct berth_error **err)
{
	return engine_container_remove(engine, id, *(bool *)data, err);
}

int cmd_rm(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"volumes", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	bool force = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fvh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'v':
			break;
		case 'h':
			rm_usage(stdout);
			return 0;
		default:
			return cli_option_error("rm", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("rm", "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind, rm_one,
				      &force, true);
}
