/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/volume.h"

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
	      "  -v, --volumes   remove the container's anonymous volumes "
	      "too\n"
	      "  -h, --help      show this help\n",
	      out);
}

struct rm_flags {
	bool force;
	bool volumes;
};

static int rm_one(struct engine *engine, const char *id, void *data,
		  struct berth_error **err)
{
	const struct rm_flags *flags = data;

	return volume_container_remove(engine, id, flags->force, flags->volumes,
				       err);
}

int cmd_rm(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"volumes", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct rm_flags flags = {0};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fvh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags.force = true;
			break;
		case 'v':
			flags.volumes = true;
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
				      &flags, true);
}
