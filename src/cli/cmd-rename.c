/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"

int cmd_rename(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c != 'h')
			return cli_option_error("rename", c, argv);
		fputs("Usage: berth rename CONTAINER NEW_NAME\n"
		      "\n"
		      "Give a container another name.\n",
		      stdout);
		return 0;
	}

	if (argc - optind != 2)
		return cli_usage_error("rename", "expected CONTAINER NEW_NAME");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_rename(&engine, id, argv[optind + 1],
					    &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}
