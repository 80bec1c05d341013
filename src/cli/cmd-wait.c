/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"

static void wait_usage(FILE *out)
{
	fputs("Usage: berth wait CONTAINER...\n"
	      "\n"
	      "Wait until each container stopped and print its exit code.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help   show this help\n",
	      out);
}

static int wait_one(struct engine *engine, const char *id, void *data,
		    struct berth_error **err)
{
	int code;

	if (engine_container_wait(engine, id, &code, err) < 0)
		return -1;

	printf("%d\n", code);
	fflush(stdout);
	return 0;
}

int cmd_wait(struct cli_context *ctx, int argc, char **argv)
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
			return cli_option_error("wait", c, argv);
		wait_usage(stdout);
		return 0;
	}

	if (optind >= argc)
		return cli_usage_error("wait", "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      wait_one, NULL, false);
}
